// FilterScheduler: Nova's FilterScheduler.select_destinations, in memory.
//
// For each instance of a request, in order:
//   1. take a snapshot of the HostStateCache (no database read);
//   2. drop ignore_hosts; with force_hosts keep only those and skip the
//      filters (Nova does: forcing a host is an admin override), otherwise
//      run the FilterChain;
//   3. rank the survivors with the WeigherChain and move a random one of the
//      best host_subset_size to the front (Nova's _get_sorted_hosts);
//   (2 and 3, when every weigher weighs the host alone and no host is
//    forced, are one best-first walk over the cache's rank indexes that
//    filters and weighs only the hosts it needs: best_first.h. It ranks as
//    the full pass does, up to the order of equal weights);
//   4. claim through the Claimer in that order until one claim succeeds; a
//      host refused with kConflict (or kNotFound: the claimer has no
//      inventory for it yet) is skipped, so a race lost to another scheduler
//      costs a retry, never an overfilled host;
//   5. consume the flavor from the chosen node in the cache and add the node's
//      host to the request's server group hosts, so the next instance of the
//      same request sees both (Nova's consume_from_request and
//      instance_group.hosts.append).
// A request is all or nothing, as in Nova: when one instance finds no host,
// the claims already made for the request are released and the whole request
// fails with NoValidHost.
//
// Thread-safety: select_destinations and release may be called from any
// number of threads at once; the cache and claimer do their own locking.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/scheduler/claimer.h"
#include "core/scheduler/filter_chain.h"
#include "core/scheduler/host_state_cache.h"
#include "core/scheduler/scheduler_options.h"
#include "core/scheduler/selection.h"
#include "core/scheduler/weigher_chain.h"
#include "stratus/sdk/request_spec.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::core::scheduler {

// Every NoValidHost message starts with this (Nova's wording); it is shown,
// never parsed: the status carries StatusReason::kNoValidHost.
inline constexpr std::string_view kNoValidHost = "No valid host was found.";

// True if `status` is select_destinations' NoValidHost: the instance goes to
// ERROR with the message as its fault; retrying the same request is pointless
// until the cloud changes.
bool is_no_valid_host(const sdk::Status& status);

class FilterScheduler {
 public:
  // `cache` and `claimer` are not owned and must outlive the scheduler.
  FilterScheduler(HostStateCache& cache, FilterChain filters, WeigherChain weighers, Claimer& claimer,
                  SchedulerOptions options = {});

  // Builds the filter and weigher chains from config.scheduler and the
  // [filter.<name>] / [weigher.<name>] tables, failing as FilterChain::create
  // and WeigherChain::create do (the message names the plugin).
  static sdk::Result<std::unique_ptr<FilterScheduler>> from_config(const PluginRegistry& registry,
                                                                   const Config& config, HostStateCache& cache,
                                                                   Claimer& claimer, SchedulerOptions options = {});

  // Places one instance per uuid of `instance_uuids` (Nova passes them the
  // same way; spec.instance_uuid and spec.num_instances are ignored).
  // Returns one Selection per instance, in the same order; each is claimed.
  // `max_attempts` overrides options().max_attempts for this request.
  // Failure, with nothing left claimed or consumed by this request:
  //  - kNotFound, message starting with kNoValidHost: no host could take an
  //    instance, e.g. "No valid host was found. Filter ram removed the last 3
  //    hosts (compute: 0 removed, ram: 3 removed)", plus which instance of
  //    the request it was when there are several;
  //  - kInvalidArgument: no uuids, or a uuid listed twice;
  //  - the claimer's status when it fails otherwise than kConflict/kNotFound.
  sdk::Result<std::vector<Selection>> select_destinations(const sdk::RequestSpec& spec,
                                                          const std::vector<std::string>& instance_uuids,
                                                          std::optional<int> max_attempts = std::nullopt);

  // Claims `destination` for an instance outside select_destinations (a
  // reschedule to an alternate) and, on success, consumes the flavor there in
  // the cache as select_destinations would. The claimer's status otherwise
  // (kConflict: no room left; try the next alternate).
  sdk::Status claim(const Destination& destination, std::string_view instance_uuid, const sdk::Flavor& flavor);

  // Gives back an instance's claim and its consumption in the cache (a build
  // failed and will be rescheduled, or the instance was deleted). Idempotent.
  sdk::Status release(std::string_view instance_uuid);

  // Drops an instance's consumption from this scheduler's cache only, for a
  // claim its sender has already released in the database (the scheduler
  // service's fanout "release"). Deleting the claim here too would race the
  // sender's next claim of the same instance: a reschedule releases, then
  // claims another host, and a late release would delete that new claim.
  void forget(std::string_view instance_uuid);

  const SchedulerOptions& options() const { return options_; }
  HostStateCache& host_state_cache() { return cache_; }

 private:
  struct Candidates {
    std::vector<const sdk::HostState*> hosts;
    std::string reason;  // why there are none
    bool forced = false;
  };
  // The hosts for one instance, best first.
  struct Ranking {
    std::vector<WeighedHost> hosts;
    HostSnapshot snapshot;                                      // keeps a full pass's hosts alive
    std::vector<std::shared_ptr<const sdk::HostState>> owners;  // keeps a best-first walk's hosts alive
    bool complete = true;  // false: `hosts` is a prefix, more hosts pass
    bool forced = false;
    std::string reason;    // why there are none
  };
  Candidates candidates(const HostSnapshot& snapshot, const sdk::RequestSpec& spec) const;
  // The full pass: every host filtered and weighed.
  Ranking rank_all(const sdk::RequestSpec& spec) const;
  // The first `wanted` hosts of the full pass's ranking from the cache's rank
  // indexes (best_first.h); nullopt when the walk cannot answer.
  std::optional<Ranking> rank_best_first(const sdk::RequestSpec& spec, std::size_t wanted) const;
  std::size_t pick_index(std::size_t subset_size);
  void roll_back(const std::vector<std::string>& placed);

  HostStateCache& cache_;
  const FilterChain filters_;
  const WeigherChain weighers_;
  Claimer& claimer_;
  const SchedulerOptions options_;
  // The weighers, when they all weigh the host alone: then the cache keeps
  // rank indexes for them and a request walks hosts best-first.
  const std::optional<std::vector<HostOnlyWeigher>> host_only_;

  std::mutex rng_mu_;
  std::mt19937_64 rng_;  // GUARDED_BY(rng_mu_)
};

}  // namespace stratus::core::scheduler
