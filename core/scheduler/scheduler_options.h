// SchedulerOptions: the scheduler's tunables, taken from the caller (the
// scheduler service reads them from its config; tests set them directly).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace stratus::core::scheduler {

struct SchedulerOptions {
  // Pick at random among this many best-weighed hosts (Nova's
  // [filter_scheduler] host_subset_size). Values below 1 act as 1; above the
  // number of candidates, as that number.
  int host_subset_size = 1;

  // Destinations per instance: the chosen host plus up to max_attempts - 1
  // alternates for a reschedule (Nova's [scheduler] max_attempts). Values
  // below 1 act as 1.
  int max_attempts = 3;

  // A host whose last report or heartbeat is older than this is down
  // (Nova's service_down_time). Given to HostStateCache's constructor.
  std::chrono::seconds service_down_time{60};

  // Rank hosts with the best-first walk over the host state cache's indexes
  // when the weighers allow it (best_first.h); false always weighs every
  // host. The ranking is the same either way (up to ties); tests compare them.
  bool best_first = true;

  // Seed of the random pick among the top host_subset_size hosts; unset draws
  // one from std::random_device. Tests set it to get a reproducible sequence.
  std::optional<std::uint64_t> rng_seed;
};

}  // namespace stratus::core::scheduler
