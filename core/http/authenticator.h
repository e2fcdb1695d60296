// Authenticator: who is calling the API, from the request's X-Auth-Token.
//
// One interface so the interim strategies here (none, one static admin token)
// can give way to the identity service without touching the controllers.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stratus/sdk/result.h"

namespace stratus::core::api {

struct AuthContext {
  std::string user_id;
  std::string project_id;
  std::vector<std::string> roles;
  bool is_admin = false;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The caller, or kNotFound when the token is missing or not accepted (the
  // server answers 401 without saying which). Thread-safe.
  virtual sdk::Result<AuthContext> authenticate(const std::optional<std::string>& token) const = 0;
  // For the start-up log line and `stratus aio`'s banner.
  virtual std::string describe() const = 0;
};

// Everyone is the admin of project "admin". For `stratus aio` on loopback only;
// the server logs a warning when it starts with it.
std::shared_ptr<Authenticator> make_noauth_authenticator();

// The token `admin_token` (compared in constant time) is the admin of project
// "admin"; anything else is refused.
std::shared_ptr<Authenticator> make_static_token_authenticator(std::string admin_token);

}  // namespace stratus::core::api
