// The Keystone v3 resource routes under /identity/v3 (docs/identity.md):
// the one domain, projects, users, roles, role grants of a user on a project
// and the role assignment list; what tempest's dynamic credentials and
// `openstack project|user|role|domain` use. Writes are admin only; a user
// may read itself and its own projects, a project token its project.
// Deleting or disabling a user or project ends its tokens; deleting a
// project leaves its servers and other compute resources, as Keystone does.
#pragma once

#include <string>

#include "core/db/database.h"
#include "core/http/api_server.h"
#include "core/identity/token_service.h"

namespace stratus::core::identity {

// Registers the routes; `tokens` and `db` must outlive `server`. `public_url`
// as IdentityRoutesOptions::public_url (empty: "http://" + Host).
void add_identity_resource_routes(api::ApiServer& server, TokenService& tokens, db::Database& db,
                                  const std::string& public_url);

}  // namespace stratus::core::identity
