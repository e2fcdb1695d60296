#include "core/identity/api/keystone_reply.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/common/error_table.h"
#include "core/identity/api/identity_controller.h"

namespace stratus::core::identity {

api::ApiResponse keystone_error(int http_status, const std::string& message) {
  return api::ApiResponse{http_status, keystone_error_body(http_status, message), {}};
}

api::ApiResponse keystone_unauthorized(const std::string& base) {
  api::ApiResponse r = keystone_error(401, kAuthenticationRequired);
  r.headers["WWW-Authenticate"] = "Keystone uri=\"" + base + "/identity\"";
  return r;
}

api::ApiResponse keystone_forbidden(const char* rule) {
  return keystone_error(403, std::string("You are not authorized to perform the requested action: ") + rule + ".");
}

std::variant<TokenInfo, api::ApiResponse> keystone_caller(const api::ApiRequest& req, TokenService& tokens,
                                                          const std::string& base) {
  auto header = req.header("X-Auth-Token");
  if (!header) return keystone_unauthorized(base);
  auto info = tokens.validate(*header);
  if (!info.ok()) {
    if (!info.status().is(sdk::StatusCode::kNotFound)) {
      return keystone_error(common::http_status_for(info.status()), info.status().message());
    }
    spdlog::info("{} identity: X-Auth-Token not accepted", req.request_id);
    return keystone_unauthorized(base);
  }
  return std::move(*info);
}

bool token_is_admin(const TokenInfo& info) {
  return info.project.has_value() &&
         std::any_of(info.record.roles.begin(), info.record.roles.end(),
                     [](const db::RoleRecord& r) { return r.name == "admin"; });
}

nlohmann::json collection_links(const std::string& base, const std::string& path) {
  return {{"self", base + path}, {"previous", nullptr}, {"next", nullptr}};
}

}  // namespace stratus::core::identity
