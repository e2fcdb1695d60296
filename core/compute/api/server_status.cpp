#include "core/compute/api/server_status.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace stratus::core::api {

namespace {

// vm_state -> {task_state (or "default") -> status}, as Nova's _STATE_MAP.
const std::map<std::string, std::map<std::string, std::string>>& state_map() {
  static const std::map<std::string, std::map<std::string, std::string>> map = {
      {"active",
       {{"default", "ACTIVE"},
        {"rebooting", "REBOOT"},
        {"reboot_pending", "REBOOT"},
        {"reboot_started", "REBOOT"},
        {"rebooting_hard", "HARD_REBOOT"},
        {"reboot_pending_hard", "HARD_REBOOT"},
        {"reboot_started_hard", "HARD_REBOOT"},
        {"updating_password", "PASSWORD"},
        {"rebuilding", "REBUILD"},
        {"rebuild_block_device_mapping", "REBUILD"},
        {"rebuild_spawning", "REBUILD"},
        {"migrating", "MIGRATING"},
        {"resize_prep", "RESIZE"},
        {"resize_migrating", "RESIZE"},
        {"resize_migrated", "RESIZE"},
        {"resize_finish", "RESIZE"}}},
      {"building", {{"default", "BUILD"}}},
      {"stopped",
       {{"default", "SHUTOFF"},
        {"resize_prep", "RESIZE"},
        {"resize_migrating", "RESIZE"},
        {"resize_migrated", "RESIZE"},
        {"resize_finish", "RESIZE"},
        {"rebuilding", "REBUILD"},
        {"rebuild_block_device_mapping", "REBUILD"},
        {"rebuild_spawning", "REBUILD"}}},
      {"resized", {{"default", "VERIFY_RESIZE"}, {"resize_reverting", "REVERT_RESIZE"}}},
      {"paused", {{"default", "PAUSED"}, {"migrating", "MIGRATING"}}},
      {"suspended", {{"default", "SUSPENDED"}}},
      {"rescued", {{"default", "RESCUE"}}},
      {"error",
       {{"default", "ERROR"},
        {"rebuilding", "REBUILD"},
        {"rebuild_block_device_mapping", "REBUILD"},
        {"rebuild_spawning", "REBUILD"}}},
      {"deleted", {{"default", "DELETED"}}},
      {"soft-delete", {{"default", "SOFT_DELETED"}}},
      {"shelved", {{"default", "SHELVED"}}},
      {"shelved_offloaded", {{"default", "SHELVED_OFFLOADED"}}},
  };
  return map;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::string server_status(const std::string& vm_state, const std::optional<std::string>& task_state) {
  auto vm = state_map().find(vm_state);
  if (vm == state_map().end()) return "UNKNOWN";
  if (task_state) {
    auto t = vm->second.find(*task_state);
    if (t != vm->second.end()) return t->second;
  }
  return vm->second.at("default");
}

StatusFilter states_for_status(const std::string& status) {
  const std::string wanted = lower(status);
  std::set<std::string> vms, tasks;
  bool any = false;
  for (const auto& [vm, tasks_map] : state_map()) {
    for (const auto& [task, name] : tasks_map) {
      if (lower(name) != wanted) continue;
      vms.insert(vm);
      if (task == "default") {
        any = true;
      } else {
        tasks.insert(task);
      }
    }
  }
  return StatusFilter{{vms.begin(), vms.end()}, {tasks.begin(), tasks.end()}, any};
}

}  // namespace stratus::core::api
