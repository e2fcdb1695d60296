// PowerState: what the hypervisor says a guest is doing.
//
// The numeric values are Nova's (nova/compute/power_state.py) because they are
// shown to users as OS-EXT-STS:power_state and must mean the same thing.
#pragma once

#include <cstdint>
#include <string_view>

namespace stratus::sdk {

enum class PowerState : std::uint8_t {
  kNoState = 0,    // unknown, or the guest does not exist (yet)
  kRunning = 1,
  kPaused = 3,     // vCPUs stopped, memory kept in place
  kShutdown = 4,   // powered off; disks kept
  kCrashed = 6,
  kSuspended = 7,  // memory saved to disk, guest not running
};

constexpr std::string_view power_state_name(PowerState state) noexcept {
  switch (state) {
    case PowerState::kNoState: return "pending";
    case PowerState::kRunning: return "running";
    case PowerState::kPaused: return "paused";
    case PowerState::kShutdown: return "shutdown";
    case PowerState::kCrashed: return "crashed";
    case PowerState::kSuspended: return "suspended";
  }
  return "unknown";
}

}  // namespace stratus::sdk
