// InstanceInfo: what get_info reports about one guest, fresh from the hypervisor.
#pragma once

#include <cstdint>
#include <string>

#include "stratus/sdk/power_state.h"

namespace stratus::sdk {

struct InstanceInfo {
  PowerState state = PowerState::kNoState;
  std::int64_t max_mem_kb = 0;
  std::int64_t mem_kb = 0;
  std::int32_t num_cpu = 0;
  std::uint64_t cpu_time_ns = 0;
  std::string internal_id;  // the hypervisor's own id for the guest
};

}  // namespace stratus::sdk
