#include "core/http/authenticator.h"

namespace stratus::core::api {

namespace {

AuthContext admin() { return {"admin", "admin", {"admin", "member", "reader"}, true}; }

class NoAuth final : public Authenticator {
 public:
  sdk::Result<AuthContext> authenticate(const std::optional<std::string>&) const override { return admin(); }
  std::string describe() const override { return "none: every request acts as admin (aio only)"; }
};

class StaticToken final : public Authenticator {
 public:
  explicit StaticToken(std::string token) : token_(std::move(token)) {}
  sdk::Result<AuthContext> authenticate(const std::optional<std::string>& token) const override {
    if (!token || !equal_in_constant_time(*token, token_)) {
      return sdk::Status::NotFound("The request you have made requires authentication.");
    }
    return admin();
  }
  std::string describe() const override { return "static admin token (X-Auth-Token)"; }

 private:
  // Not std::string ==: that returns at the first difference and so tells a
  // prober how much of the token it guessed right.
  static bool equal_in_constant_time(const std::string& a, const std::string& b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (size_t i = 0; i < b.size(); ++i) diff |= static_cast<unsigned char>((i < a.size() ? a[i] : 0) ^ b[i]);
    return diff == 0;
  }
  std::string token_;
};

}  // namespace

std::shared_ptr<Authenticator> make_noauth_authenticator() { return std::make_shared<NoAuth>(); }

std::shared_ptr<Authenticator> make_static_token_authenticator(std::string admin_token) {
  return std::make_shared<StaticToken>(std::move(admin_token));
}

}  // namespace stratus::core::api
