// FilterChain: the enabled scheduler filters, in the configured order.
//
// Built once from the config through the PluginRegistry; run once per
// instance to place. Each filter sees the hosts its predecessors let through
// (Nova's filter handler), so cheap filters first means less work for the
// rest. The run records how many hosts each filter removed, and when no host
// is left, which filter removed the last ones: the operator's first question
// after "No valid host was found".
//
// Thread-safety: immutable once built; run() may be called from any number of
// threads at once (the SDK requires filters to be reentrant).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "core/plugin/plugin_registry.h"
#include "stratus/sdk/host_state.h"
#include "stratus/sdk/request_spec.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/scheduler_filter.h"

namespace stratus::core::scheduler {

// The plugin config table for a plugin of a kind, e.g. Config::plugin_config.
using PluginConfigLookup = std::function<sdk::PluginConfig(sdk::PluginKind, const std::string&)>;

// What one run of the chain did.
struct FilterRun {
  struct Step {
    std::string_view filter;  // a name owned by the chain that produced the run
    std::size_t removed = 0;
  };

  std::vector<const sdk::HostState*> hosts;  // the hosts that passed, in input order
  std::size_t hosts_in = 0;
  std::vector<Step> steps;  // the filters that ran, in order; the chain stops at an empty list

  // The filter that removed the last hosts; empty when hosts are left or
  // none came in.
  std::string_view emptied_by() const;

  // "Filter ram removed the last 3 hosts (compute: 0 removed, ram: 3 removed)",
  // or "" when hosts are left.
  std::string failure_reason() const;
};

class FilterChain {
 public:
  // Creates each filter named in `names`, in order, with its config table.
  // Fails with the registry's message for a plugin that is missing or
  // refuses its config, and kInvalidArgument for a name listed twice.
  static sdk::Result<FilterChain> create(const PluginRegistry& registry, const std::vector<std::string>& names,
                                         const PluginConfigLookup& config);

  // create() with config.scheduler.enabled_filters and the [filter.<name>] tables.
  static sdk::Result<FilterChain> from_config(const PluginRegistry& registry, const Config& config);

  // Runs the filters over `hosts` for `spec`. A filter that throws (the SDK
  // forbids it) is taken as rejecting every host it was shown, and logged.
  // The returned run refers to the chain's names: keep the chain alive.
  FilterRun run(std::vector<const sdk::HostState*> hosts, const sdk::RequestSpec& spec) const;

  const std::vector<std::string>& names() const { return names_; }

 private:
  FilterChain() = default;

  std::vector<std::string> names_;
  std::vector<std::shared_ptr<sdk::SchedulerFilter>> filters_;
};

}  // namespace stratus::core::scheduler
