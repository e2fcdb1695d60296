// HostsController: /v2.1/os-hosts, Nova's deprecated host API (2.1 to 2.42;
// 404 from 2.43, as Nova): the list of service hosts with their zones, a
// compute host's resources (total, used now, used by instances, per
// project), and the update/startup/shutdown/reboot calls, which no Stratus
// driver supports, so they answer Nova's 501 once the host is found.
#pragma once

#include "core/db/database.h"
#include "core/http/api_server.h"

namespace stratus::core::api {

void add_hosts_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
