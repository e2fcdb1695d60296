// ServerMetadataController: /v2.1/servers/{id}/metadata[/{key}] (Nova's
// server_metadata.py): list, replace all (PUT), merge (POST), and one key's
// show, set and delete.
#pragma once

#include "core/http/api_server.h"
#include "core/compute/api/compute_api.h"

namespace stratus::core::api {

void add_server_metadata_routes(ApiServer& server, compute::ComputeAPI& compute);

}  // namespace stratus::core::api
