// SchedulerFilter: decides whether a host can take a request.
//
// The scheduler runs the enabled filters in the configured order (cheap ones
// first); a host that any filter rejects is out. A filter sees one host at a
// time through host_passes(), or all of them at once through filter_all() when
// it can do better in bulk (one pass over a server group, say).
//
// Thread-safety: both methods are const and may be called from several
// scheduler threads at once; a filter keeps no per-request state. They must not
// block. No exception escapes: a filter that cannot decide rejects the host.
#pragma once

#include <memory>
#include <vector>

#include "stratus/sdk/host_state.h"
#include "stratus/sdk/log.h"
#include "stratus/sdk/request_spec.h"
#include "stratus/sdk/version.h"

namespace stratus::sdk {

class SchedulerFilter {
 public:
  virtual ~SchedulerFilter() = default;

  // True if `host` can take `spec`.
  virtual bool host_passes(const HostState& host, const RequestSpec& spec) const = 0;

  // The hosts of `hosts` that pass, in their original order. The default asks
  // host_passes for each; override it when a batch is cheaper.
  virtual std::vector<const HostState*> filter_all(const std::vector<const HostState*>& hosts,
                                                   const RequestSpec& spec) const {
    std::vector<const HostState*> out;
    out.reserve(hosts.size());
    for (const HostState* h : hosts) {
      if (h != nullptr && host_passes(*h, spec)) out.push_back(h);
    }
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
