// DriverCapabilityCheck: refuses, before anything is cast or changed, an
// action that the virt driver of the instance's host declared it cannot do
// (sdk::DriverCapabilities, as the node last reported them to the conductor
// and compute_nodes.capabilities keeps them).
//
// The answer is the one Nova gives for that action when the driver does not
// implement it (the table is in docs/compute.md, "Driver capabilities"):
//   pause, unpause, get_console_output       kNotSupported (501): Nova's
//       controllers turn the driver's NotImplementedError into
//       HTTPNotImplemented "The requested functionality is not supported."
//   reboot, stop, start, suspend, resume, rebuild   kInvalidState (409): their
//       Nova controllers expect no 501 (the work is cast, the driver fails on
//       the host); a request the instance's host cannot serve now is a
//       conflict, as the state checks answer it.
// A node whose capabilities are not known (no report since migration 13) is
// not refused here: its host answers as before.
#pragma once

#include <string_view>

#include "core/db/database.h"
#include "core/db/instance_repository.h"
#include "stratus/sdk/driver_capabilities.h"
#include "stratus/sdk/status.h"

namespace stratus::core::compute {

// OK when the action needs no optional capability, when the node's
// capabilities are unknown, or when its driver has the one `action` needs.
// `action` is Nova's word, as in the state messages ("reboot", "stop",
// "start", "pause", "unpause", "suspend", "resume", "rebuild",
// "get_console_output").
sdk::Status check_driver_capability(db::Database& db, const db::InstanceRecord& instance, std::string_view action);

// The same decision on given capabilities (no database): the unit of the
// table above, also used by tests.
sdk::Status check_driver_capability(const sdk::DriverCapabilities& caps, const db::InstanceRecord& instance,
                                    std::string_view action);

}  // namespace stratus::core::compute
