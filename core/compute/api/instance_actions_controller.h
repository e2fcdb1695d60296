// InstanceActionsController: /v2.1/servers/{id}/os-instance-actions[/{request_id}]
// at microversion 2.1: what was done to a server, by whom, and (admins only,
// Nova's default policy) the events of each action.
#pragma once

#include "core/http/api_server.h"
#include "core/compute/api/compute_api.h"
#include "core/db/database.h"

namespace stratus::core::api {

void add_instance_action_routes(ApiServer& server, compute::ComputeAPI& compute, db::Database& db);

}  // namespace stratus::core::api
