#include "core/scheduler/filter_chain.h"

#include <algorithm>
#include <exception>

#include <spdlog/spdlog.h>

namespace stratus::core::scheduler {

std::string_view FilterRun::emptied_by() const {
  if (!hosts.empty() || hosts_in == 0 || steps.empty()) return {};
  return steps.back().filter;
}

std::string FilterRun::failure_reason() const {
  if (!hosts.empty()) return {};
  if (hosts_in == 0) return "There are no hosts to filter";
  const Step& last = steps.back();
  std::string out = "Filter ";
  out.append(last.filter);
  out += " removed the last " + std::to_string(last.removed) + (last.removed == 1 ? " host (" : " hosts (");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (i != 0) out += ", ";
    out.append(steps[i].filter);
    out += ": " + std::to_string(steps[i].removed) + " removed";
  }
  out += ")";
  return out;
}

sdk::Result<FilterChain> FilterChain::create(const PluginRegistry& registry, const std::vector<std::string>& names,
                                             const PluginConfigLookup& config) {
  FilterChain chain;
  for (const std::string& name : names) {
    if (std::find(chain.names_.begin(), chain.names_.end(), name) != chain.names_.end()) {
      return sdk::Status::InvalidArgument("scheduler filter '" + name + "' is enabled twice");
    }
    auto filter = registry.create<sdk::SchedulerFilter>(
        name, config ? config(sdk::PluginKind::kSchedulerFilter, name) : sdk::PluginConfig());
    if (!filter.ok()) return filter.status();
    if (*filter == nullptr) return sdk::Status::Internal("scheduler filter '" + name + "' was created as null");
    chain.names_.push_back(name);
    chain.filters_.push_back(std::move(*filter));
  }
  return chain;
}

sdk::Result<FilterChain> FilterChain::from_config(const PluginRegistry& registry, const Config& config) {
  return create(registry, config.scheduler.enabled_filters,
                [&config](sdk::PluginKind kind, const std::string& name) { return config.plugin_config(kind, name); });
}

FilterRun FilterChain::run(std::vector<const sdk::HostState*> hosts, const sdk::RequestSpec& spec) const {
  FilterRun result;
  result.hosts_in = hosts.size();
  result.steps.reserve(filters_.size());
  for (std::size_t i = 0; i < filters_.size() && !hosts.empty(); ++i) {
    const std::size_t before = hosts.size();
    try {
      hosts = filters_[i]->filter_all(hosts, spec);
    } catch (const std::exception& e) {
      spdlog::error("scheduler filter {} threw ({}); it rejects every host for instance {}", names_[i], e.what(),
                    spec.instance_uuid);
      hosts.clear();
    } catch (...) {
      spdlog::error("scheduler filter {} threw; it rejects every host for instance {}", names_[i],
                    spec.instance_uuid);
      hosts.clear();
    }
    // A filter may only remove hosts; never count one that invented some.
    const std::size_t after = std::min(hosts.size(), before);
    result.steps.push_back({names_[i], before - after});
    if (hosts.empty()) {
      spdlog::debug("scheduler filter {} returned 0 hosts for instance {}", names_[i], spec.instance_uuid);
    }
  }
  result.hosts = std::move(hosts);
  return result;
}

}  // namespace stratus::core::scheduler
