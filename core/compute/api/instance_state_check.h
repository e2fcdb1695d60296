// InstanceStateCheck: the vm_state / task_state an action may start from
// (Nova's @check_instance_state decorator), and the 409 message Nova's API
// gives when it may not:
//   Cannot 'reboot' instance <uuid> while it is in vm_state stopped
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/db/instance_repository.h"
#include "stratus/sdk/status.h"

namespace stratus::core::compute {

struct StateCheck {
  std::vector<std::string_view> vm_states;  // empty: any vm_state
  // nullopt: any task_state; otherwise one of these (nullopt element: None).
  // Nova's default is "no task".
  std::optional<std::vector<std::optional<std::string_view>>> task_states =
      std::vector<std::optional<std::string_view>>{std::nullopt};
  // The instance must have launched once (launched_at set).
  bool must_have_launched = true;
};

// OK, or kInvalidState with Nova's message naming the first attribute that
// fails (vm_state, then task_state, then launched_at). `action` is Nova's
// word for it in that message ("reboot", "stop", "forceDelete", "update metadata").
sdk::Status check_instance_state(const db::InstanceRecord& instance, const StateCheck& check, std::string_view action);

// "Cannot '<action>' instance <uuid> while it is in <attr> <state>".
sdk::Status invalid_state(std::string_view action, const std::string& uuid, std::string_view attr,
                          const std::optional<std::string>& state);

}  // namespace stratus::core::compute
