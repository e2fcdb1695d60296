// The Network service (a Neutron v2.0 subset) under /network on the API
// port: clients use http://HOST:PORT/network/v2.0 as Neutron's endpoint.
//
//   GET    /network                      versions (no authentication)
//   GET    /network/v2.0                 resources
//   GET    /network/v2.0/extensions[/{alias}]
//   GET    /network/v2.0/networks[/{id}]   POST, DELETE /{id}
//   GET    /network/v2.0/subnets[/{id}]    POST, DELETE /{id}
//   GET    /network/v2.0/ports[/{id}]      POST, PUT, DELETE /{id}
//   GET    /network/v2.0/security-groups[/{id}]       POST, PUT, DELETE /{id}
//   GET    /network/v2.0/security-group-rules[/{id}]  POST, DELETE /{id}
//   GET    /network/v2.0/floatingips[/{id}]           POST, PUT, DELETE /{id}
//   GET    /network/v2.0/quotas[/{project}[/default|/details]]  PUT, DELETE /{project}
//   GET    /network/v2.0/routers[/{id}]    POST, PUT, DELETE /{id}, PUT /{id}/add|remove_router_interface
//   GET    /network/v2.0/agents[/{id}]     (none: an empty list)
//
// Errors come in Neutron's format (neutron_error.h); who may do what is in
// network_policy.h. See docs/network.md.
#pragma once

#include "core/http/api_server.h"
#include "core/db/database.h"
#include "core/network/security_group_refresh.h"

namespace stratus::core::api {

// `refresh` (may be null: nothing is enforced) hears of every change to the
// rules a guest must enforce (security_group_refresh.h).
void add_network_routes(ApiServer& server, db::Database& db, core::network::SecurityGroupRefresh* refresh = nullptr);

namespace network {
// Each resource's routes; add_network_routes registers all of them.
void add_network_service_documents(ApiServer& server);
void add_networks_routes(ApiServer& server, db::Database& db);
void add_subnets_routes(ApiServer& server, db::Database& db);
void add_ports_routes(ApiServer& server, db::Database& db, core::network::SecurityGroupRefresh* refresh);
void add_security_group_routes(ApiServer& server, db::Database& db, core::network::SecurityGroupRefresh* refresh);
void add_floatingips_routes(ApiServer& server, db::Database& db);
void add_quotas_routes(ApiServer& server, db::Database& db);
void add_routers_routes(ApiServer& server, db::Database& db);
void add_agents_routes(ApiServer& server);
}  // namespace network

}  // namespace stratus::core::api
