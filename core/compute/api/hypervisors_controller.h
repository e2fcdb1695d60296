// HypervisorsController: /v2.1/os-hypervisors in Nova's shapes at
// microversion 2.1 (admin only, as Nova's default policy has it):
//   GET /os-hypervisors                     id, hypervisor_hostname, state, status
//   GET /os-hypervisors/detail              the same plus inventory, usage, service
//   GET /os-hypervisors/{id}                one node's detail; 404 for an unknown id
//   GET /os-hypervisors/statistics          sums over the nodes of enabled compute services
//   GET /os-hypervisors/{pattern}/search    brief view of the nodes whose name contains it
//   GET /os-hypervisors/{pattern}/servers   the same, with each node's servers
//   GET /os-hypervisors/{id}/uptime         the node's host's uptime line (before 2.88;
//                                           in the show view from 2.88)
// Microversions: 2.28 cpu_info as an object, 2.33 limit/marker, 2.53 uuid ids,
// with_servers and hypervisor_hostname_pattern (search/servers routes gone),
// 2.88 no inventory/usage fields and no statistics.
//
// A hypervisor is a compute node (ComputeNodeRepository); its state (up/down)
// and status (enabled/disabled) are those of its host's "stratus-compute"
// service record. As in Nova, a node whose service record is gone is left out
// of lists and is not found by id. At 2.1 ids are integers (uuids from 2.53)
// and cpu_info is the JSON text the driver reported (an object from 2.28).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/http/api_server.h"
#include "core/db/database.h"
#include "stratus/sdk/request_context.h"
#include "stratus/sdk/result.h"

namespace stratus::core::api {

struct HypervisorsOptions {
  // Nova's service_down_time: a service whose last heartbeat is older is "down".
  std::chrono::seconds service_down_time{60};
  // What every hypervisor shows as host_ip (Nova's my_ip of the compute host;
  // the compute node records do not carry it yet).
  std::string host_ip = "127.0.0.1";
  // Asks compute host `host` for its uptime line (an RPC call); empty: the
  // uptime route answers 501, as Nova does for a driver without it.
  std::function<sdk::Result<std::string>(const sdk::RequestContext& ctx, const std::string& host)> host_uptime;
};

// Registers the hypervisor routes on `server`; `db` must outlive it.
void add_hypervisor_routes(ApiServer& server, db::Database& db, HypervisorsOptions options = {});

}  // namespace stratus::core::api
