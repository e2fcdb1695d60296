// best_first: the first hosts of a full filter-and-weigh pass, found without
// filtering and weighing every host.
//
// A full pass runs every filter on every host and weighs every survivor:
// with 10,000 hosts that is 10,000 plugin calls per filter for every
// instance placed, while the instance needs one host (plus a few alternates).
// When every weigher weighs the host alone (WeigherChain::host_only), the
// host state cache keeps the hosts ordered by each weigher's raw value
// (HostStateCache::set_rank_keys), and the walk here reads those orders:
//
//   1. Normalisation needs each weigher's lowest and highest raw value among
//      the hosts that pass the filters: walk each order from the top and from
//      the bottom to the first host that passes.
//   2. A host's weight is sum(m * (raw - lo) / (hi - lo)) over the weighers,
//      monotone in each raw value, so the lists are walked together, best
//      end first (Fagin's threshold algorithm): the weight the current
//      positions would give bounds every host not yet seen, and a seen host
//      at or above that bound is next in the ranking.
//
// Hosts are filtered in small batches through the caller's filter, so each
// filter keeps its bulk entry point and sees only the hosts the walk reaches.
// The weights are computed with the same operations as WeigherChain::weigh,
// so they are equal to the full pass's, bit for bit; hosts of equal weight
// may come in another order (Nova does not order ties either). A walk that
// meets hosts that all fail costs what the full pass costs, no more.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/scheduler/host_state_cache.h"
#include "core/scheduler/weigher_chain.h"
#include "stratus/sdk/host_state.h"

namespace stratus::core::scheduler {

// Removes from the batch every host that does not pass (keeping the order).
using BatchFilter = std::function<void(std::vector<const sdk::HostState*>&)>;

struct BestFirstRanking {
  std::vector<WeighedHost> hosts;  // best first; valid while `owners` lives
  std::vector<std::shared_ptr<const sdk::HostState>> owners;
  bool complete = false;    // `hosts` holds every host that passes
  std::size_t passed = 0;   // hosts the walk saw pass (all of them when complete)
  std::size_t examined = 0; // hosts the walk ran through the filter
};

// The best `wanted` hosts (or all, if fewer pass) that pass `filter`, ranked
// as WeigherChain::weigh ranks them with `weighers` (the chain's host_only(),
// whose names must be the view's key names). nullopt when the walk cannot
// answer: no host passes (the caller's full pass then says which filter
// removed them), a raw value is not finite, or the view's keys differ.
std::optional<BestFirstRanking> best_first(const HostStateCache::RankedView& view,
                                           const std::vector<HostOnlyWeigher>& weighers, const BatchFilter& filter,
                                           std::size_t wanted);

}  // namespace stratus::core::scheduler
