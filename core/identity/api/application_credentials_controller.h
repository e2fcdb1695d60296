// /identity/v3/users/{user_id}/application_credentials[/{id}]: Keystone's
// application credential routes (core/identity/application_credentials.h).
// Keystone's default policy: a user makes its own (not even an admin makes
// one for another user); the owner or an admin lists, reads and deletes.
// A token from a restricted application credential may not make or delete
// one (403).
#pragma once

#include <string>

#include "core/db/database.h"
#include "core/http/api_server.h"
#include "core/identity/token_service.h"

namespace stratus::core::identity {

// Registers the routes; `tokens` and `db` must outlive `server`. `public_url`
// as IdentityRoutesOptions::public_url (empty: "http://" + Host).
void add_application_credential_routes(api::ApiServer& server, TokenService& tokens, db::Database& db,
                                       const std::string& public_url);

}  // namespace stratus::core::identity
