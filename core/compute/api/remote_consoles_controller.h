// POST /v2.1/servers/{id}/remote-consoles (Nova's os-remote-consoles, 2.6+)
// in a cloud without console proxies: no compute host serves a VNC, SPICE,
// serial or MKS console, so every request a schema accepts is answered as
// Nova answers when the compute host has that console type switched off
// (ConsoleTypeUnavailable, 400 "Unavailable console type novnc."). Before
// that: 404 for a server the caller cannot see, 403 by policy
// (os_compute_api:os-remote-consoles, member), 400 for a body Nova's schema
// refuses, 409 "Instance S is not ready" without a host. `openstack
// console url show` then prints Nova's message instead of a 404.
#pragma once

#include "core/compute/api/compute_api.h"
#include "core/http/api_server.h"

namespace stratus::core::api {

void add_remote_console_routes(ApiServer& server, compute::ComputeAPI& compute);

}  // namespace stratus::core::api
