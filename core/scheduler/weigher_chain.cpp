#include "core/scheduler/weigher_chain.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

#include <spdlog/spdlog.h>

namespace stratus::core::scheduler {
namespace {

// The built-in weighers (plugins/weighers) whose weigh() reads only the host.
bool is_builtin_host_weigher(const PluginRegistry& registry, const std::string& name) {
  if (name != "ram" && name != "cpu" && name != "disk" && name != "num_instances") return false;
  auto info = registry.find(sdk::PluginKind::kSchedulerWeigher, name);
  return info.ok() && info->path.filename() == "libstratus_weighers.so";
}

}  // namespace

std::vector<double> normalize(std::span<const double> raw) {
  std::vector<double> out(raw.size(), 0.0);
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  for (double w : raw) {
    if (!std::isfinite(w)) continue;
    lo = std::min(lo, w);
    hi = std::max(hi, w);
  }
  const double range = hi - lo;
  // Also covers "no finite value": range is then -inf or NaN, never > 0.
  if (!(range > 0.0) || !std::isfinite(range)) return out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (std::isfinite(raw[i])) out[i] = (raw[i] - lo) / range;
  }
  return out;
}

sdk::Result<WeigherChain> WeigherChain::create(const PluginRegistry& registry, const std::vector<std::string>& names,
                                               const PluginConfigLookup& config) {
  WeigherChain chain;
  for (const std::string& name : names) {
    if (std::find(chain.names_.begin(), chain.names_.end(), name) != chain.names_.end()) {
      return sdk::Status::InvalidArgument("scheduler weigher '" + name + "' is enabled twice");
    }
    auto weigher = registry.create<sdk::SchedulerWeigher>(
        name, config ? config(sdk::PluginKind::kSchedulerWeigher, name) : sdk::PluginConfig());
    if (!weigher.ok()) return weigher.status();
    if (*weigher == nullptr) return sdk::Status::Internal("scheduler weigher '" + name + "' was created as null");
    const double multiplier = (*weigher)->multiplier();
    if (!std::isfinite(multiplier)) {
      return sdk::Status::InvalidArgument("scheduler weigher '" + name +
                                          "' has a multiplier that is not a finite number");
    }
    chain.names_.push_back(name);
    chain.weighers_.push_back(std::move(*weigher));
    chain.multipliers_.push_back(multiplier);
    chain.host_only_.push_back(is_builtin_host_weigher(registry, name));
  }
  return chain;
}

std::optional<std::vector<HostOnlyWeigher>> WeigherChain::host_only() const {
  std::vector<HostOnlyWeigher> out;
  for (std::size_t i = 0; i < weighers_.size(); ++i) {
    if (multipliers_[i] == 0.0) continue;  // skipped by weigh() too
    if (!host_only_[i]) return std::nullopt;
    std::shared_ptr<sdk::SchedulerWeigher> weigher = weighers_[i];
    out.push_back({names_[i], multipliers_[i], [weigher](const sdk::HostState& host) {
                     static const sdk::RequestSpec kNoRequest;
                     try {
                       return weigher->weigh(host, kNoRequest);
                     } catch (...) {
                       // Never thrown by the built-ins; NaN makes the index unusable
                       // and the scheduler falls back to weighing every host.
                       return std::numeric_limits<double>::quiet_NaN();
                     }
                   }});
  }
  return out;
}

sdk::Result<WeigherChain> WeigherChain::from_config(const PluginRegistry& registry, const Config& config) {
  return create(registry, config.scheduler.weighers,
                [&config](sdk::PluginKind kind, const std::string& name) { return config.plugin_config(kind, name); });
}

std::vector<WeighedHost> WeigherChain::weigh(const std::vector<const sdk::HostState*>& hosts,
                                             const sdk::RequestSpec& spec) const {
  std::vector<WeighedHost> out;
  out.reserve(hosts.size());
  for (const sdk::HostState* h : hosts) out.push_back({h, 0.0});
  if (hosts.size() < 2) return out;

  for (std::size_t i = 0; i < weighers_.size(); ++i) {
    if (multipliers_[i] == 0.0) continue;  // contributes nothing; spare the call
    std::vector<double> raw;
    try {
      raw = weighers_[i]->weigh_all(hosts, spec);
    } catch (const std::exception& e) {
      spdlog::error("scheduler weigher {} threw ({}); it counts 0 for every host", names_[i], e.what());
      continue;
    } catch (...) {
      spdlog::error("scheduler weigher {} threw; it counts 0 for every host", names_[i]);
      continue;
    }
    if (raw.size() != hosts.size()) {
      spdlog::error("scheduler weigher {} returned {} weights for {} hosts; it counts 0 for every host", names_[i],
                    raw.size(), hosts.size());
      continue;
    }
    const std::vector<double> norm = normalize(raw);
    for (std::size_t j = 0; j < out.size(); ++j) out[j].weight += multipliers_[i] * norm[j];
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const WeighedHost& a, const WeighedHost& b) { return a.weight > b.weight; });
  return out;
}

}  // namespace stratus::core::scheduler
