// SchedulerWeigher: ranks the hosts that passed the filters.
//
// A weigher returns a raw weight per host (free RAM in MB, say). The scheduler
// normalises each weigher's raw weights to [0, 1] across the candidate hosts,
// multiplies them by multiplier() and sums over weighers; the highest total
// wins. A negative multiplier turns "more is better" into "less is better"
// (spread versus stack).
//
// Thread-safety: const, called concurrently, must not block. No exception escapes.
#pragma once

#include <memory>
#include <vector>

#include "stratus/sdk/host_state.h"
#include "stratus/sdk/log.h"
#include "stratus/sdk/request_spec.h"
#include "stratus/sdk/version.h"

namespace stratus::sdk {

class SchedulerWeigher {
 public:
  virtual ~SchedulerWeigher() = default;

  // The raw, unnormalised weight of `host` for `spec`.
  virtual double weigh(const HostState& host, const RequestSpec& spec) const = 0;

  // How much this weigher counts; usually set from the plugin's "multiplier" key.
  virtual double multiplier() const { return 1.0; }

  // Raw weights of all `hosts`, in order. The default asks weigh() for each.
  virtual std::vector<double> weigh_all(const std::vector<const HostState*>& hosts,
                                        const RequestSpec& spec) const {
    std::vector<double> out;
    out.reserve(hosts.size());
    for (const HostState* h : hosts) out.push_back(h != nullptr ? weigh(*h, spec) : 0.0);
    return out;
  }

#if STRATUS_SDK_TARGET_ABI >= 5
  // ---- ABI 5: set_logger ------------------------------------------------------
  // The logger to write through (log.h); called once, right after the factory
  // returns, only on plugins built for ABI 5 or later. The default ignores it.
  virtual void set_logger(std::shared_ptr<Logger> logger) { (void)logger; }
#endif  // ABI 5: set_logger
};

}  // namespace stratus::sdk
