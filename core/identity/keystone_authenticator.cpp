#include "core/identity/keystone_authenticator.h"

#include <algorithm>

namespace stratus::core::identity {

namespace {

class KeystoneAuthenticator final : public api::Authenticator {
 public:
  explicit KeystoneAuthenticator(TokenService& tokens) : tokens_(tokens) {}

  sdk::Result<api::AuthContext> authenticate(const std::optional<std::string>& token) const override {
    if (!token) return sdk::Status::NotFound(kAuthenticationRequired);
    auto info = tokens_.validate(*token);
    if (!info.ok()) return sdk::Status::NotFound(kAuthenticationRequired);
    // The compute, image and network APIs act within a project: an
    // unscoped token names none, so it is not enough (as in OpenStack).
    if (!info->project) return sdk::Status::NotFound(kAuthenticationRequired);
    api::AuthContext ctx;
    ctx.user_id = info->user.id;
    ctx.project_id = info->project->id;
    for (const auto& role : info->record.roles) ctx.roles.push_back(role.name);
    ctx.is_admin = std::find(ctx.roles.begin(), ctx.roles.end(), "admin") != ctx.roles.end();
    return ctx;
  }

  std::string describe() const override {
    return "keystone: X-Auth-Token from POST /identity/v3/auth/tokens (tokens expire after " +
           std::to_string(tokens_.options().token_expiration) + " s)";
  }

 private:
  TokenService& tokens_;
};

}  // namespace

std::shared_ptr<api::Authenticator> make_keystone_authenticator(TokenService& tokens) {
  return std::make_shared<KeystoneAuthenticator>(tokens);
}

}  // namespace stratus::core::identity
