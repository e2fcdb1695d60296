#include "core/compute/api/admin_routes.h"

#include "core/compute/api/extensions_controller.h"
#include "core/compute/api/hosts_controller.h"
#include "core/compute/api/instance_usage_audit_log_controller.h"
#include "core/compute/api/network_proxies_controller.h"
#include "core/compute/api/server_external_events_controller.h"
#include "core/compute/api/simple_tenant_usage_controller.h"

namespace stratus::core::api {

void add_admin_routes(ApiServer& server, db::Database& db) {
  add_hosts_routes(server, db);
  add_simple_tenant_usage_routes(server, db);
  add_instance_usage_audit_log_routes(server, db);
  add_extension_routes(server);
  add_server_external_events_routes(server, db);
  add_network_proxy_routes(server, db);
}

}  // namespace stratus::core::api
