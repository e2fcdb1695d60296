// FlavorsController: /v2.1/flavors, in Nova's shapes at microversion 2.1:
// list, detail, show (anyone); create, delete and extra specs writes (admin).
#pragma once

#include "core/http/api_server.h"
#include "core/db/database.h"

namespace stratus::core::api {

// Registers the flavor routes on `server`; `db` must outlive it.
void add_flavor_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
