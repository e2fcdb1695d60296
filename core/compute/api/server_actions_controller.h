// ServerActionsController: POST /v2.1/servers/{id}/action at microversion
// 2.1: reboot, os-start, os-stop, pause, unpause, suspend, resume, rebuild,
// os-getConsoleOutput, restore, forceDelete. One action per body, its
// argument checked against Nova's schema; 409 from a state that forbids it.
#pragma once

#include "core/compute/api/compute_api.h"
#include "core/compute/api/server_action_table.h"
#include "core/db/database.h"

namespace stratus::core::api {

// Registers the life-cycle actions above in `actions`.
void add_server_lifecycle_actions(ServerActionTable& actions, compute::ComputeAPI& compute, db::Database& db);

}  // namespace stratus::core::api
