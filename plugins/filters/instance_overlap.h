// Whether a host holds any of a list of instances (same_host, different_host).
#pragma once

#include <string>
#include <vector>

#include "stratus/sdk/host_state.h"

namespace stratus::plugins::filters::detail {

inline bool holds_any(const sdk::HostState& host, const std::vector<std::string>& instance_uuids) {
  for (const std::string& uuid : instance_uuids) {
    if (host.instance_uuids.count(uuid) != 0) return true;
  }
  return false;
}

}  // namespace stratus::plugins::filters::detail
