// InstanceUsageAuditLogController: /v2.1/os-instance_usage_audit_log, Nova's
// report on the periodic instance usage audit of the last completed audit
// period (a month, as Nova's default instance_usage_audit_period), now or
// before a given time. Stratus runs no usage audit task, so every compute
// host is reported as not run for the period: Nova's reply when the task has
// not run anywhere. Admin only.
#pragma once

#include "core/db/database.h"
#include "core/http/api_server.h"

namespace stratus::core::api {

void add_instance_usage_audit_log_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
