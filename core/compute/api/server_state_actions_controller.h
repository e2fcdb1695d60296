// Server actions that change who may act on a server or which state it is
// in, without a guest operation (Nova's lock_server.py, admin_actions.py),
// trigger_crash_dump (2.17), snapshots and shelving (Nova's servers.py
// _action_create_image, shelve.py), and the actions of features Stratus
// does not deploy (resize, migration, backups, evacuate, password):
//   lock       {"lock": null | {"locked_reason": "..."} (2.73)}  202; owner or admin
//   unlock     {"unlock": null}  202; a lock an admin took needs an admin (403)
//   os-resetState {"os-resetState": {"state": "active"|"error"}}  202; admin
//   trigger_crash_dump (2.17): 409 by lock or state (ACTIVE, PAUSED,
//              RESCUED, RESIZED, ERROR, no task), then a call to the host:
//              202 once the NMI is in, 400 "Triggering crash dump is not
//              supported" when its driver cannot, 409 when the guest is not
//              running (ComputeAPI::trigger_crash_dump)
//   createImage {"createImage": {"name", "metadata"}}  202 with Location
//              (before 2.45) or {"image_id"} (2.45); owner or admin
//   shelve     {"shelve": null}  202; owner or admin
//   shelveOffload {"shelveOffload": null}  202; admin
//   unshelve   {"unshelve": null | {"availability_zone"} (2.77) |
//              {"availability_zone": str|null, "host"} (2.91)}  202; owner
//              or admin, a host admin only
//   changePassword, createBackup, resize, confirmResize, revertResize,
//   migrate, os-migrateLive, evacuate: 404 for a server
//   the caller cannot see, 403 for the admin-only ones, 409 when locked,
//   else 501 naming the feature.
#pragma once

#include "core/compute/api/compute_api.h"
#include "core/compute/api/server_action_table.h"

namespace stratus::core::api {

void add_server_state_actions(ServerActionTable& actions, compute::ComputeAPI& compute);

// rescue and unrescue (server_rescue_actions.cpp):
//   rescue     {"rescue": null | {"adminPass", "rescue_image_ref"}}  200
//              {"adminPass": <given or generated>}; owner or admin; 409 by
//              lock or state (ACTIVE, STOPPED, ERROR, no task); 400 for an
//              image that cannot be used
//   unrescue   {"unrescue": <anything>}  202; 409 unless RESCUED with no task
void add_rescue_actions(ServerActionTable& actions, compute::ComputeAPI& compute);

}  // namespace stratus::core::api
