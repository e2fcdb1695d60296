// ServiceReporter: the services-table row of a role that holds the database
// itself (conductor, scheduler), kept alive as Nova's servicegroup DB driver
// keeps nova-conductor's and nova-scheduler's: registered on start, one
// heartbeat (report_count + 1, last_seen_up = now) every report interval.
// So `openstack compute service list` shows them beside nova-compute, and
// [upgrade_levels] "auto" reads the RPC version they serve
// (service_version_repository.h). A compute host reports through the
// conductor instead (ConductorManager::service_heartbeat), having no database.
//
// As in Nova, a row deleted through os-services is not written again by the
// running process: its heartbeats log once that the record is gone (stop the
// service, or restart it to register again), and resume when it is back.
//
// Thread-safety: start()/stop() from the owning thread; report_once() may
// run on any thread. No method throws.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "core/db/database.h"
#include "stratus/sdk/result.h"

namespace stratus::core::node {

struct ServiceIdentity {
  std::string host;
  std::string binary;       // rpcapi::kConductorBinary, kSchedulerBinary
  std::string topic;        // rpcapi::kConductorTopic, kSchedulerTopic
  std::string rpc_version;  // the newest version of its RPC API it serves
};

class ServiceReporter {
 public:
  ServiceReporter(db::Database& db, ServiceIdentity identity, std::chrono::milliseconds report_interval);
  ~ServiceReporter();
  ServiceReporter(const ServiceReporter&) = delete;
  ServiceReporter& operator=(const ServiceReporter&) = delete;

  // Registers the row (a restarted service keeps its disabled state),
  // records the RPC version, sends the first heartbeat, and starts the
  // thread that sends the others (none when report_interval <= 0). A
  // database failure here is the caller's to report: the role cannot say
  // it is up.
  sdk::Status start();
  // Idempotent.
  void stop();
  // One heartbeat. kNotFound once the row is gone (logged on the first
  // miss only).
  sdk::Status report_once();

 private:
  db::Database& db_;
  ServiceIdentity id_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool record_gone_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace stratus::core::node
