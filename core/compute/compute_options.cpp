#include "core/compute/compute_options.h"

#include <cmath>

#include "core/config/config.h"

namespace stratus::core::compute {

namespace {

std::chrono::milliseconds from_seconds(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

}  // namespace

ComputeOptions ComputeOptions::from_config(const Config& config) {
  const ComputeSection& c = config.compute;
  ComputeOptions o;
  o.max_concurrent_builds = c.max_concurrent_builds < 1 ? 1 : static_cast<std::size_t>(c.max_concurrent_builds);
  o.heartbeat_interval = from_seconds(c.heartbeat_interval);
  o.resource_report_interval = from_seconds(c.resource_report_interval);
  o.sync_power_state_interval = from_seconds(c.sync_power_state_interval);
  o.reclaim_instance_interval = from_seconds(c.reclaim_instance_interval);
  o.shelved_offload_time = c.shelved_offload_time < 0 ? std::chrono::milliseconds(-1)
                                                      : from_seconds(c.shelved_offload_time);
  o.state_path = config.data_dir;
  o.conductor_retry_window = from_seconds(config.rpc.call_timeout);
  return o;
}

}  // namespace stratus::core::compute
