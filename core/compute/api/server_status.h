// ServerStatus: the "status" the API shows for a vm_state / task_state pair,
// and back (the status filter of GET /servers), from Nova's _STATE_MAP in
// nova/api/openstack/common.py.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace stratus::core::api {

// "ACTIVE", "REBOOT", "HARD_REBOOT", "BUILD", "SHUTOFF", "SOFT_DELETED", ...;
// "UNKNOWN" for a vm_state Nova does not know.
std::string server_status(const std::string& vm_state, const std::optional<std::string>& task_state);

// The states a status filter selects (Nova's task_and_vm_state_from_status).
struct StatusFilter {
  std::vector<std::string> vm_states;    // empty: the status is unknown
  std::vector<std::string> task_states;  // meaningful only when !any_task_state
  bool any_task_state = false;           // a status that is some vm_state's default
};
StatusFilter states_for_status(const std::string& status);

}  // namespace stratus::core::api
