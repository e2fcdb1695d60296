// SimpleTenantUsageController: /v2.1/os-simple-tenant-usage, Nova's usage
// report: for a period (?start=, ?end=; now when absent), each project's
// instance hours and the vCPU, RAM and disk hours they add up to, with every
// server's usage when detailed (?detailed=1 for the list; always for one
// project). The list is admin-only; a project member may see its own
// project. From 2.40, ?limit= and ?marker= page through the instances and a
// full page gets a "next" link.
#pragma once

#include "core/db/database.h"
#include "core/http/api_server.h"

namespace stratus::core::api {

void add_simple_tenant_usage_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
