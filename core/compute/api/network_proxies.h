// Nova's proxies to the network service, as Nova answers them with Neutron
// behind it (nova/api/openstack/compute/{security_groups,
// security_group_default_rules,floating_ips,floating_ip_pools}.py):
//
//   GET/POST        /v2.1/os-security-groups          (to 2.35; 404 from 2.36)
//   GET/PUT/DELETE  /v2.1/os-security-groups/{id}
//   POST            /v2.1/os-security-group-rules
//   DELETE          /v2.1/os-security-group-rules/{id}
//   GET             /v2.1/servers/{id}/os-security-groups
//   GET/POST        /v2.1/os-floating-ips              (to 2.35; 404 from 2.36)
//   GET/DELETE      /v2.1/os-floating-ips/{id}
//   GET             /v2.1/os-floating-ip-pools        (to 2.35)
//   server actions  addSecurityGroup, removeSecurityGroup (all versions),
//                   addFloatingIp, removeFloatingIp (to 2.43; 404 after)
//
// Errors are Nova's: what Neutron refuses with 409 (a duplicate rule, the
// default group, a group in use) Nova answers 400.
#pragma once

#include <string>

#include <nlohmann/json.hpp>
#include <vector>

#include "core/compute/api/compute_api.h"
#include "core/compute/api/server_action_table.h"
#include "core/db/database.h"
#include "core/http/api_server.h"
#include "stratus/sdk/result.h"

namespace stratus::core::api {

// Registers every route and server action above.
void add_network_proxies(ApiServer& server, ServerActionTable& actions, compute::ComputeAPI& compute,
                         db::Database& db);

namespace proxy {
void add_security_group_routes(ApiServer& server, ServerActionTable& actions, compute::ComputeAPI& compute,
                               db::Database& db);
void add_floating_ip_routes(ApiServer& server, ServerActionTable& actions, compute::ComputeAPI& compute,
                            db::Database& db);
}  // namespace proxy

// What server create answers as its security_groups: the names asked, or
// [{"name": "default"}] when none were.
inline nlohmann::json requested_security_groups(const std::vector<std::string>& names) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& n : names) out.push_back({{"name", n}});
  if (out.empty()) out.push_back({{"name", "default"}});
  return out;
}

}  // namespace stratus::core::api
