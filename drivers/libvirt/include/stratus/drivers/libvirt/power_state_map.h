// How a libvirt domain state becomes the SDK's PowerState, as Nova maps it
// (nova/virt/libvirt/guest.py LIBVIRT_POWER_STATE), with one addition: a shut
// off domain with a managed-save image is kSuspended, because that is what
// this driver's suspend leaves behind and the SDK reports it so.
#pragma once

#include "stratus/drivers/libvirt/connection.h"
#include "stratus/sdk/power_state.h"

namespace stratus::drivers::libvirt {

constexpr sdk::PowerState to_power_state(const DomainInfo& info) noexcept {
  switch (info.state) {
    case DomainState::kRunning:
    case DomainState::kBlocked: return sdk::PowerState::kRunning;  // blocked: idle on I/O, still running
    case DomainState::kPaused: return sdk::PowerState::kPaused;
    case DomainState::kShuttingDown: return sdk::PowerState::kShutdown;
    case DomainState::kShutoff:
      return info.has_managed_save ? sdk::PowerState::kSuspended : sdk::PowerState::kShutdown;
    case DomainState::kCrashed: return sdk::PowerState::kCrashed;
    case DomainState::kPMSuspended: return sdk::PowerState::kSuspended;
    case DomainState::kNoState: break;
  }
  return sdk::PowerState::kNoState;
}

}  // namespace stratus::drivers::libvirt
