// /v2.1/servers/{id}/os-server-password (Nova's os-server-password): GET the
// password the guest posted, encrypted with its key pair ("" when none), and
// DELETE it (204). The server's owner or an admin; another project's server
// is 404 as everywhere.
#pragma once

#include "core/compute/api/compute_api.h"
#include "core/http/api_server.h"

namespace stratus::core::api {

void add_server_password_routes(ApiServer& server, compute::ComputeAPI& compute);

}  // namespace stratus::core::api
