#include "core/compute/api/driver_capability_check.h"

#include <string>
#include <utility>
#include <vector>

#include "core/db/compute_node_repository.h"

namespace stratus::core::compute {
namespace {

using Flag = bool sdk::DriverCapabilities::*;

struct Need {
  std::string_view action;
  Flag flag;
  sdk::StatusCode answer;  // kNotSupported (501) or kInvalidState (409)
};

// The actions that need an optional capability, and Nova's answer without it.
constexpr Need kNeeds[] = {
    {"reboot", &sdk::DriverCapabilities::supports_reboot, sdk::StatusCode::kInvalidState},
    {"stop", &sdk::DriverCapabilities::supports_power_off, sdk::StatusCode::kInvalidState},
    {"start", &sdk::DriverCapabilities::supports_power_off, sdk::StatusCode::kInvalidState},
    {"suspend", &sdk::DriverCapabilities::supports_suspend, sdk::StatusCode::kInvalidState},
    {"resume", &sdk::DriverCapabilities::supports_suspend, sdk::StatusCode::kInvalidState},
    {"rebuild", &sdk::DriverCapabilities::supports_rebuild, sdk::StatusCode::kInvalidState},
    {"pause", &sdk::DriverCapabilities::supports_pause, sdk::StatusCode::kNotSupported},
    {"unpause", &sdk::DriverCapabilities::supports_pause, sdk::StatusCode::kNotSupported},
    {"get_console_output", &sdk::DriverCapabilities::supports_console_output, sdk::StatusCode::kNotSupported},
};

const Need* need_of(std::string_view action) {
  for (const Need& n : kNeeds) {
    if (n.action == action) return &n;
  }
  return nullptr;
}

}  // namespace

sdk::Status check_driver_capability(const sdk::DriverCapabilities& caps, const db::InstanceRecord& instance,
                                    std::string_view action) {
  const Need* need = need_of(action);
  if (need == nullptr || caps.*(need->flag)) return sdk::Status::OK();
  const std::string why =
      "the virt driver of host " + instance.host + " does not support '" + std::string(action) + "'";
  if (need->answer == sdk::StatusCode::kNotSupported) {
    return sdk::Status::NotSupported("The requested functionality is not supported: " + why + ".");
  }
  return sdk::Status::InvalidState("Cannot '" + std::string(action) + "' instance " + instance.uuid + ": " + why);
}

sdk::Status check_driver_capability(db::Database& db, const db::InstanceRecord& instance, std::string_view action) {
  if (need_of(action) == nullptr || instance.host.empty()) return sdk::Status::OK();
  // The instance's node when it has one, else every node of its host (a
  // driver serves all nodes of its host, so they agree).
  db::ComputeNodeRepository nodes(db);
  std::vector<db::ComputeNodeRecord> found;
  if (!instance.node.empty()) {
    auto node = nodes.get(instance.node);
    if (node.ok()) {
      found.push_back(std::move(node).value());
    } else if (!node.status().is(sdk::StatusCode::kNotFound)) {
      return node.status();
    }
  }
  if (found.empty()) {
    auto all = nodes.list(instance.host);
    if (!all.ok()) return all.status();
    found = std::move(all).value();
  }
  for (const auto& node : found) {
    if (!node.capabilities) continue;  // unknown: the host answers
    if (sdk::Status s = check_driver_capability(*node.capabilities, instance, action); !s.ok()) return s;
  }
  return sdk::Status::OK();
}

}  // namespace stratus::core::compute
