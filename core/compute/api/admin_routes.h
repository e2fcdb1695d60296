// The compute API's admin and legacy resources in one call: os-hosts,
// os-simple-tenant-usage, os-instance_usage_audit_log, extensions,
// os-server-external-events and the nova-network era proxies. Each lives in
// its own controller file; this only registers them together.
#pragma once

#include "core/db/database.h"
#include "core/http/api_server.h"

namespace stratus::core::api {

// `db` must outlive `server`.
void add_admin_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
