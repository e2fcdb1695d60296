// ReportBatcher: the heartbeats and resource reports of the many compute
// hosts of one process (the fake hosts of `stratus aio --fake-hosts N`),
// sent to the conductor together: one service_heartbeat_batch cast and one
// compute_node_update_batch call per flush and up to max_batch hosts,
// rather than one message (and one conductor wake-up) per host. At 10,000
// hosts that is 1,000 heartbeats a second as a few messages.
//
// Liveness is unchanged: each host still reports every heartbeat_interval;
// a report or heartbeat waits in the queue at most one flush period (the
// caller flushes, from a PeriodicTimer client).
//
// An older conductor (RPC below 1.2) has no batch methods: the first batch
// call that it refuses (or a cap below 1.2) switches the batcher to one
// message per host, as a lone host sends; heartbeats go per host too until
// a batch call has been answered, since a batch cast an old conductor drops
// would go unnoticed.
//
// Thread-safety: every method may be called from any thread; flush() runs
// one at a time (a second caller waits).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/rpcapi/conductor_rpcapi.h"
#include "core/rpcapi/messages.h"

namespace stratus::core::compute {

class ReportBatcher {
 public:
  struct Options {
    std::size_t max_batch = 1000;                  // hosts per message
    std::chrono::milliseconds call_timeout{5000};  // of a report batch call
  };
  // Told whether the conductor recorded the host's report.
  using Heard = std::function<void(bool heard)>;

  // `conductor` must outlive the batcher.
  ReportBatcher(const rpcapi::ConductorRpcApi& conductor, Options options);

  // Queue until the next flush().
  void heartbeat(rpcapi::ServiceMsg service);
  // `heard` (may be empty) is called from flush() once the conductor has
  // answered (true) or not (false). A newer report of the same host queued
  // before the flush replaces the older (whose `heard` is told false).
  void report(rpcapi::NodeReportMsg report, Heard heard);

  // Sends what is queued. Returns the number of hosts' messages sent.
  std::size_t flush();

  // Whether batches are used (false once the conductor proved older).
  bool batching() const;
  std::size_t queued() const;

 private:
  struct PendingReport {
    rpcapi::NodeReportMsg report;
    Heard heard;
  };
  void send_reports_one_by_one(std::vector<PendingReport>& reports);

  const rpcapi::ConductorRpcApi& conductor_;
  Options options_;
  mutable std::mutex mutex_;
  std::vector<rpcapi::ServiceMsg> heartbeats_;  // GUARDED_BY(mutex_)
  std::vector<PendingReport> reports_;          // GUARDED_BY(mutex_)
  std::unordered_map<std::string, std::size_t> report_index_;  // GUARDED_BY(mutex_): host -> its place in reports_
  enum class Mode { kUnknown, kBatches, kOneByOne };
  Mode mode_ = Mode::kUnknown;  // GUARDED_BY(mutex_)
  std::mutex flush_mutex_;      // one flush at a time, in order
};

}  // namespace stratus::core::compute
