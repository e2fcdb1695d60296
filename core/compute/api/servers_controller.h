// ServersController: /v2.1/servers at microversion 2.1 (Nova's
// nova/api/openstack/compute/servers.py): create, list (brief and detail,
// with Nova's filters, sorting and pagination), show, update (name), delete.
//
// add_server_routes() also registers the sub-resources: actions
// (server_actions_controller.h), metadata (server_metadata_controller.h) and
// instance actions (instance_actions_controller.h).
//
// Non-admins see only their project's servers; another project's server is
// answered 404 as if it did not exist. A rejected request changes nothing.
#pragma once

#include "core/http/api_server.h"
#include "core/compute/api/compute_api.h"
#include "core/db/database.h"

namespace stratus::core::api {

// Registers every servers route on `server`; `compute` and `db` must outlive it.
void add_server_routes(ApiServer& server, compute::ComputeAPI& compute, db::Database& db);

}  // namespace stratus::core::api
