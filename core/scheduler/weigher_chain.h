// WeigherChain: ranks the hosts that passed the filters (Nova's weight handler).
//
// For each weigher: raw weights of all candidates, normalised to [0, 1]
// across them (normalize() below), times the weigher's multiplier; a host's
// weight is the sum over weighers. Hosts are returned best first; equal
// weights keep the input order (host then node name), so ties are stable.
//
// Thread-safety: immutable once built; weigh() may be called from any number
// of threads at once.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/plugin/plugin_registry.h"
#include "core/scheduler/filter_chain.h"
#include "stratus/sdk/host_state.h"
#include "stratus/sdk/request_spec.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/scheduler_weigher.h"

namespace stratus::core::scheduler {

struct WeighedHost {
  const sdk::HostState* host = nullptr;
  double weight = 0.0;
};

// Nova's normalize(): (w - min) / (max - min); all equal (or fewer than two
// values) gives 0 for each. A non-finite raw weight counts as the minimum and
// is left out of min and max, so one broken value cannot flatten the rest.
std::vector<double> normalize(std::span<const double> raw);

// One weigher of a chain whose raw weight is a function of the host alone.
struct HostOnlyWeigher {
  std::string name;
  double multiplier = 0.0;
  std::function<double(const sdk::HostState&)> raw;
};

class WeigherChain {
 public:
  // Creates each weigher named in `names`, in order, with its config table.
  // Fails with the registry's message for a plugin that is missing or refuses
  // its config; kInvalidArgument for a name listed twice or a multiplier that
  // is not a finite number. The multiplier is read once, here.
  static sdk::Result<WeigherChain> create(const PluginRegistry& registry, const std::vector<std::string>& names,
                                          const PluginConfigLookup& config);

  // create() with config.scheduler.weighers and the [weigher.<name>] tables.
  static sdk::Result<WeigherChain> from_config(const PluginRegistry& registry, const Config& config);

  // `hosts` with their total weights, best first. With fewer than two hosts
  // no weigher is asked (there is nothing to rank; the weight is 0), and a
  // weigher whose multiplier is 0 is skipped. A weigher that throws or
  // returns the wrong number of weights counts 0 for every host, and is logged.
  std::vector<WeighedHost> weigh(const std::vector<const sdk::HostState*>& hosts, const sdk::RequestSpec& spec) const;

  const std::vector<std::string>& names() const { return names_; }

  // The weighers with a nonzero multiplier, in chain order, when every one of
  // them weighs the host alone, whatever the request: the built-in ram, cpu,
  // disk and num_instances weighers of libstratus_weighers.so (a plugin of
  // another library gets the request and may use it). nullopt otherwise.
  // What the scheduler's best-first walk (best_first.h) needs to rank hosts
  // from indexes kept in the host state cache.
  std::optional<std::vector<HostOnlyWeigher>> host_only() const;

 private:
  WeigherChain() = default;

  std::vector<std::string> names_;
  std::vector<std::shared_ptr<sdk::SchedulerWeigher>> weighers_;
  std::vector<double> multipliers_;
  std::vector<bool> host_only_;  // per weigher: weigh() never reads the request
};

}  // namespace stratus::core::scheduler
