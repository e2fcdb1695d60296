// NetworkProxiesController: the compute API's nova-network era resources as
// Nova answers them since nova-network was removed.
//  - os-networks and os-tenant-networks: list and show proxied to the
//    network service (Nova: to Neutron), up to microversion 2.35 (404 from
//    2.36); their create/delete/add/disassociate calls are 410 Gone.
//  - os-virtual-interfaces (servers/{id}/os-virtual-interfaces), os-fixed-ips
//    and os-floating-ips-bulk: 410 Gone, until they fail with 404 from 2.44,
//    2.28 and 2.36 respectively, as in Nova.
#pragma once

#include "core/db/database.h"
#include "core/http/api_server.h"

namespace stratus::core::api {

void add_network_proxy_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
