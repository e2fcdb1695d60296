// LifecycleEvent: a change of a guest's power state that the hypervisor
// reports by itself (Nova's virt.event.LifecycleEvent), so the compute
// service can sync that instance at once instead of at its next periodic
// power-state sync. Added in ABI 2 (docs/sdk.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace stratus::sdk {

enum class LifecycleTransition : std::uint8_t {
  kStarted = 0,    // the guest runs (started, restored, rebooted hard)
  kStopped = 1,    // the guest is off (powered off, destroyed, crashed and stopped)
  kPaused = 2,     // its vCPUs are stopped (paused, or being saved)
  kResumed = 3,    // its vCPUs run again
  kSuspended = 4,  // suspended (to memory by the guest, or saved to disk)
};

inline std::string_view lifecycle_transition_name(LifecycleTransition t) {
  switch (t) {
    case LifecycleTransition::kStarted: return "started";
    case LifecycleTransition::kStopped: return "stopped";
    case LifecycleTransition::kPaused: return "paused";
    case LifecycleTransition::kResumed: return "resumed";
    case LifecycleTransition::kSuspended: return "suspended";
  }
  return "unknown";
}

struct LifecycleEvent {
  std::string instance_uuid;  // lower case, as the core stores it
  LifecycleTransition transition = LifecycleTransition::kStarted;
};

// Called by a driver on a thread of its own (its event loop). It must return
// quickly and must not call back into the driver; the core only queues the
// event there. Events may come late, twice, or not at all (the periodic sync
// still runs): they are hints to look, never the state itself.
using LifecycleListener = std::function<void(const LifecycleEvent&)>;

}  // namespace stratus::sdk
