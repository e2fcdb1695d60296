// LimitsController: GET /v2.1/limits in Nova's shape at microversion 2.1:
// no rate limits, absolute limits and usage for the caller's project (an
// admin may ask for another with ?tenant_id=).
#pragma once

#include "core/http/api_server.h"
#include "core/db/database.h"

namespace stratus::core::api {

// Registers the limits route on `server`; `db` must outlive it.
void add_limits_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
