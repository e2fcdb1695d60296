// IdentityController: the Keystone v3 subset under /identity on the API port
// (docs/identity.md): version documents, POST/GET/HEAD/DELETE
// /identity/v3/auth/tokens (issue with the password or token method,
// validate, revoke), /auth/projects, /auth/catalog; add_identity_routes also
// registers the admin API (identity_resources_controller.h: domains,
// projects, users, roles, grants). The routes are public to the ApiServer and
// check tokens here, so
// every error is in Keystone's format:
//   {"error": {"code": 401, "message": "...", "title": "Unauthorized"}}
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/http/api_server.h"
#include "core/db/database.h"
#include "core/identity/token_service.h"

namespace stratus::core::identity {

struct IdentityRoutesOptions {
  // The URL clients reach the API at ([api] public_url), for the catalog and
  // links; empty: "http://" + the request's Host header.
  std::string public_url;
};

// Registers the routes; `tokens` and `db` must outlive `server`.
void add_identity_routes(api::ApiServer& server, TokenService& tokens, db::Database& db,
                         IdentityRoutesOptions options = {});

// Keystone's error body: {"error": {"code", "message", "title"}}.
nlohmann::json keystone_error_body(int http_status, const std::string& message);

}  // namespace stratus::core::identity
