// ComputeAPI::Action: one instance action as ComputeAPI::run_action takes
// it (the state it may start from, the task it sets, the cast). Private to
// the compute_api*.cpp files.
#pragma once

#include <functional>
#include <string_view>

#include "core/compute/api/compute_api.h"
#include "core/compute/api/instance_state_check.h"

namespace stratus::core::compute {

struct ComputeAPI::Action {
  const char* name;  // Nova's word in its messages; also the recorded instance action
  StateCheck check;
  std::string_view new_task_state;
  std::function<sdk::Status(const rpcapi::InstanceMsg&)> cast;
  // Further changes made with the task_state (rebuild: image and name), and undone if the cast fails.
  std::function<void(db::InstanceUpdate&)> change;
  // A locked instance refuses the action (409) but to an admin; Nova's
  // snapshot and backup ignore the lock.
  bool checks_lock = true;
};

}  // namespace stratus::core::compute
