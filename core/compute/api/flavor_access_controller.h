// FlavorAccessController: Nova's os-flavor-access: which projects may see and
// boot a private flavor. GET /flavors/{id}/os-flavor-access lists them (admin),
// POST /flavors/{id}/action addTenantAccess / removeTenantAccess change them.
#pragma once

#include "core/http/api_server.h"
#include "core/db/database.h"

namespace stratus::core::api {

// Registers the os-flavor-access routes on `server`; `db` must outlive it.
void add_flavor_access_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
