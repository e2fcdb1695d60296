// Replies in Keystone's shape shared by the /identity controllers: errors
// ({"error": {"code", "message", "title"}}), the caller's token check (401
// with WWW-Authenticate), policy refusals (403 naming the rule) and the
// collection links every list carries.
#pragma once

#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/http/api_server.h"
#include "core/identity/token_service.h"

namespace stratus::core::identity {

api::ApiResponse keystone_error(int http_status, const std::string& message);
// 401 "The request you have made requires authentication." naming
// `<base>/identity` in WWW-Authenticate, so a client knows where to log in.
api::ApiResponse keystone_unauthorized(const std::string& base);
// 403 "You are not authorized to perform the requested action: <rule>."
api::ApiResponse keystone_forbidden(const char* rule);

// The caller's valid token from X-Auth-Token, or the reply to send instead.
std::variant<TokenInfo, api::ApiResponse> keystone_caller(const api::ApiRequest& req, TokenService& tokens,
                                                          const std::string& base);

// A project-scoped token with the admin role (Keystone's "admin_required").
bool token_is_admin(const TokenInfo& info);

// {"self": <base><path>, "previous": null, "next": null}
nlohmann::json collection_links(const std::string& base, const std::string& path);

}  // namespace stratus::core::identity
