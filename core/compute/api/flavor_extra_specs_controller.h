// FlavorExtraSpecsController: /v2.1/flavors/{id}/os-extra_specs, Nova's CRUD
// of a flavor's extra specs: anyone who may see the flavor reads them; admins
// write them (validated by key from microversion 2.86).
#pragma once

#include "core/http/api_server.h"
#include "core/db/database.h"

namespace stratus::core::api {

// Registers the os-extra_specs routes on `server`; `db` must outlive it.
void add_flavor_extra_specs_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
