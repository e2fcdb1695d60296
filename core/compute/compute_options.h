// ComputeOptions: the compute service's tunables, taken from the caller (the
// service reads them from [compute] in its config; tests set them directly).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/compute/image_fetcher.h"
#include "stratus/sdk/version.h"

namespace stratus::core {
struct Config;
}

namespace stratus::core::compute {

struct ComputeOptions {
  // Builds run at once on this host; more wait in a queue, in arrival order
  // (Nova's max_concurrent_builds). Values below 1 act as 1.
  std::size_t max_concurrent_builds = 10;

  // Period of the service heartbeat to the conductor (Nova's report_interval).
  // Zero or less: no periodic heartbeat (only the one start() sends).
  std::chrono::milliseconds heartbeat_interval{10'000};

  // Period of the full resource report (Nova's update_resources_interval). A
  // build or a delete also reports at once. Zero or less: only those reports.
  std::chrono::milliseconds resource_report_interval{60'000};

  // Period of the power-state sync with the driver (Nova's
  // sync_power_state_interval). Zero or less: disabled.
  std::chrono::milliseconds sync_power_state_interval{600'000};

  // How long a soft-deleted instance is kept before the reclaim task
  // destroys it, and the period of that task (Nova's
  // reclaim_instance_interval). Zero or less: no reclaim (delete is
  // immediate; the API never soft-deletes).
  std::chrono::milliseconds reclaim_instance_interval{0};

  // How long stop() waits for running builds before it tells the driver to
  // give up (cleanup_host) (oslo.service's graceful_shutdown_timeout).
  std::chrono::milliseconds graceful_shutdown_timeout{30'000};

  // How long an instance update waits for a conductor when none is
  // reachable (kUnavailable: the message was never delivered, so sending it
  // again is safe): a conductor restarting does not fail the builds and
  // actions in flight. Zero: no retry. From rpc.call_timeout.
  std::chrono::milliseconds conductor_retry_window{60'000};

  // Downloads image data before each spawn; null: the driver reads none (the
  // fake driver) and nothing is downloaded. The node sets it when [compute]
  // image_download_path (or the driver's image_source_path) is set.
  std::shared_ptr<const ImageFetcher> image_fetcher;
  // The plugin ABI the driver was built for (its descriptor's abi_version):
  // the manager never calls a driver method newer than that. In-process
  // drivers are built with this SDK.
  std::uint32_t driver_abi_version = sdk::kAbiVersion;

  // The [compute] section of `config` (seconds there, milliseconds here);
  // what the config does not have keeps the defaults above.
  static ComputeOptions from_config(const Config& config);
};

}  // namespace stratus::core::compute
