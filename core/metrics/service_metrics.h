// The metrics of Stratus' services, defined in one place so that their names
// and help texts match docs/operations.md ("Metrics"): build outcomes
// (conductor and compute), the scheduler's select_destinations.
// Each function is one relaxed atomic update after the first call (which
// defines the family in default_registry()); thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "core/metrics/registry.h"

namespace stratus::core::metrics {

// stratus_builds_total{outcome}: active (counted by the compute host that
// spawned it), error (by the conductor that set ERROR: no valid host, no
// alternate left), rescheduled (by the conductor, each alternate tried).
enum class BuildOutcome { kActive, kError, kRescheduled };
void count_build(BuildOutcome outcome) noexcept;

// stratus_scheduler_select_duration_seconds{outcome}: one select_destinations
// request; outcome ok, no_valid_host or error.
enum class SelectOutcome { kOk, kNoValidHost, kError };
void observe_select(double seconds, SelectOutcome outcome) noexcept;

// stratus_scheduler_hosts_considered and _hosts_passed_filters: per instance
// placed, the compute nodes the scheduler knew and those left after
// ignore/force hosts, driver requirements and the filters.
void observe_hosts(std::size_t considered, std::size_t passed) noexcept;

// stratus_compute_builds_running / _queued{host}: a compute host's builds in
// progress and waiting (max_concurrent_builds), read at scrape time through
// `stats`, which must stay valid while the handle lives.
struct BuildQueue {
  std::size_t running = 0;
  std::size_t queued = 0;
};
[[nodiscard]] CollectorHandle add_build_queue_collector(Registry& registry, std::string host,
                                                        std::function<BuildQueue()> stats);

}  // namespace stratus::core::metrics
