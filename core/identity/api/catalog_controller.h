// Keystone's catalog resources under /identity/v3: services, endpoints and
// regions (GET list and show, with Keystone's filters), read from the
// catalog Stratus serves (service_catalog.h), so they show the ids and URLs
// a token's catalog carries. The catalog follows the configuration (the API
// address, [api] public_url) rather than rows: creating, changing or
// deleting these is refused (admin: 501; others: 403 as Keystone's policy).
// Keystone's default policy: services and endpoints are admin only; any
// valid token may read regions.
#pragma once

#include <string>

#include "core/db/database.h"
#include "core/http/api_server.h"
#include "core/identity/token_service.h"

namespace stratus::core::identity {

// Registers the routes; `tokens` must outlive `server`. `public_url` as
// IdentityRoutesOptions::public_url (empty: "http://" + Host).
void add_catalog_routes(api::ApiServer& server, TokenService& tokens, const std::string& public_url);

}  // namespace stratus::core::identity
