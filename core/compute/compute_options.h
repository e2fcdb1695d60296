// ComputeOptions: the compute service's tunables, taken from the caller (the
// service reads them from [compute] in its config; tests set them directly).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "core/compute/image_fetcher.h"
#include "core/compute/image_uploader.h"
#include "stratus/sdk/version.h"

namespace stratus::core {
struct Config;
}

namespace stratus::core::compute {

class BuildPool;
class PeriodicTimer;
class ReportBatcher;

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

  // How long a shelved instance keeps its host before the periodic task
  // offloads it (Nova's shelved_offload_time, checked on the reclaim
  // task's thread each heartbeat). Zero: shelve offloads at once (Nova's
  // default); negative: never (only shelveOffload does).
  std::chrono::milliseconds shelved_offload_time{0};

  // Sends snapshot data to the image service and deletes a shelved
  // server's image after unshelve; null: snapshots fail with kUnavailable.
  std::shared_ptr<const ImageUploader> image_uploader;
  // Where a snapshot is written before it is uploaded (removed after);
  // empty: the system's temporary directory.
  std::filesystem::path snapshot_directory;

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

  // The node's data directory: whose file system a host reports as its disk
  // when its driver has no get_available_resource (host_default_resources.h).
  std::filesystem::path state_path;

  // The first resource report is a call, repeated until the conductor
  // answers it (a compute started before the conductor, or before the
  // router, is heard as soon as they are up): waits start at
  // first_report_retry_min and double up to first_report_retry_max; each
  // attempt waits at most first_report_timeout for the answer.
  std::chrono::milliseconds first_report_retry_min{200};
  std::chrono::milliseconds first_report_retry_max{5'000};
  std::chrono::milliseconds first_report_timeout{5'000};

  // Machinery shared by the hosts of one process (the fake hosts of `aio
  // --fake-hosts N`, see Node): null gives the host its own, as a lone host
  // has. build_pool: the build threads (max_concurrent_builds is then the
  // pool's, shared by the hosts; the owner closes and joins it after
  // stopping the hosts' builds); periodic_timer: the thread that runs the
  // periodic tasks; report_batcher: heartbeats and resource reports go out
  // in batches with the other hosts' (the owner flushes it).
  std::shared_ptr<BuildPool> build_pool;
  std::shared_ptr<PeriodicTimer> periodic_timer;
  std::shared_ptr<ReportBatcher> report_batcher;
  // Where in its interval each periodic task first runs, as a fraction in
  // (0, 1] of the interval (1: one interval after start). Hosts sharing a
  // timer get different phases, so that 10,000 heartbeats spread over the
  // interval instead of coming at once.
  double periodic_phase = 1.0;

  // The [compute] section of `config` (seconds there, milliseconds here);
  // what the config does not have keeps the defaults above.
  static ComputeOptions from_config(const Config& config);
};

}  // namespace stratus::core::compute
