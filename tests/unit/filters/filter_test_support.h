// Builders shared by the filter tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "stratus/plugins/filters/filters.h"
#include "stratus/sdk/host_state.h"
#include "stratus/sdk/request_spec.h"

namespace stratus::plugins::filters::testing {

// Unwraps a factory result, failing the test if the factory refused.
inline std::unique_ptr<sdk::SchedulerFilter> must(FilterResult result) {
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) return nullptr;
  return std::move(result).value();
}

inline std::unique_ptr<sdk::SchedulerFilter> make(FilterResult (*factory)(const sdk::PluginConfig&)) {
  return must(factory(sdk::PluginConfig("[filter.test]")));
}

inline sdk::HostState host_named(std::string name) {
  sdk::HostState h;
  h.host = name;
  h.nodename = name;
  h.hypervisor_hostname = std::move(name);
  return h;
}

// The hosts of `hosts` that pass one at a time, in order.
inline std::vector<const sdk::HostState*> passing_one_by_one(const sdk::SchedulerFilter& filter,
                                                             const std::vector<const sdk::HostState*>& hosts,
                                                             const sdk::RequestSpec& spec) {
  std::vector<const sdk::HostState*> out;
  for (const sdk::HostState* h : hosts) {
    if (h != nullptr && filter.host_passes(*h, spec)) out.push_back(h);
  }
  return out;
}

inline std::vector<const sdk::HostState*> pointers(const std::vector<sdk::HostState>& hosts) {
  std::vector<const sdk::HostState*> out;
  for (const auto& h : hosts) out.push_back(&h);
  return out;
}

}  // namespace stratus::plugins::filters::testing
