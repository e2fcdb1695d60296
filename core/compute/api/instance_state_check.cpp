#include "core/compute/api/instance_state_check.h"

#include <algorithm>

namespace stratus::core::compute {

sdk::Status invalid_state(std::string_view action, const std::string& uuid, std::string_view attr,
                          const std::optional<std::string>& state) {
  return sdk::Status::InvalidState("Cannot '" + std::string(action) + "' instance " + uuid + " while it is in " +
                                   std::string(attr) + " " + state.value_or("None"));
}

sdk::Status check_instance_state(const db::InstanceRecord& instance, const StateCheck& check, std::string_view action) {
  if (!check.vm_states.empty() &&
      std::find(check.vm_states.begin(), check.vm_states.end(), instance.vm_state) == check.vm_states.end()) {
    return invalid_state(action, instance.uuid, "vm_state", instance.vm_state);
  }
  if (check.task_states) {
    const auto& allowed = *check.task_states;
    const bool ok = std::any_of(allowed.begin(), allowed.end(), [&](const std::optional<std::string_view>& t) {
      if (!t) return !instance.task_state.has_value();
      return instance.task_state.has_value() && *instance.task_state == *t;
    });
    if (!ok) return invalid_state(action, instance.uuid, "task_state", instance.task_state);
  }
  if (check.must_have_launched && !instance.launched_at) {
    return invalid_state(action, instance.uuid, "launched_at", std::nullopt);
  }
  return sdk::Status::OK();
}

}  // namespace stratus::core::compute
