// StuckInstanceSweeper: "never stuck, never lost" (issue #15). A periodic
// pass of a conductor (the lease holder, below) over instances whose record
// has not changed for longer than a bound (ConductorOptions), so that no
// message lost with a killed process leaves an instance in a task state
// forever:
//
//   building/scheduling, no host, older than lost_build_timeout
//       the API's build_instances cast reached no conductor: schedule and
//       build it again from the instance record (flavor, image, zone, server
//       group; scheduler hints, a forced host and injected files are not
//       kept, so the retry goes without them)
//   building/scheduling on a host whose compute service is up, older than
//   lost_build_timeout, and its cast lost with the conductor that placed it
//       cast to that host again, with the same claim and attempt number
//       (ComputeTaskManager::resend_build; a kResendBuildEvent event on the
//       create action), up to max_build_resends times for that host; then
//       taken from the host and scheduled again (reschedule_from_host). The
//       cast counts as lost when the build's system metadata does not name
//       this host (its conductor died between the placement and the
//       recording of its cast), or names a conductor process that is gone:
//       every conductor holds a presence lease "conductor.presence.<host>"
//       (renewed by this periodic thread, lease_time long) as "<host>:<pid>",
//       and the process named is gone once the lease has expired or another
//       process (a restart) holds it. A host that got both casts builds once
//       (ComputeManager keeps the (instance, attempt) pairs it accepted).
//   building on a host whose compute service is down, not yet spawning
//   (the host never started it, or had not reached the driver), unchanged
//   for service_down_time
//       taken from that host and scheduled again elsewhere, up to
//       max_attempts (ComputeTaskManager::reschedule_from_host); judged only
//       once this conductor has swept for service_down_time and while some
//       compute service is up (when every host looks down, the silence is
//       more likely this conductor's or the router's than theirs)
//   building, older than instance_build_timeout
//       ERROR with a fault naming the step and host (Nova's
//       instance_build_timeout)
//   deleting, older than task_timeout
//       the delete again: cast to the host when its service is up, else done
//       here (instance, allocation, ports), as the API's local delete
//   a power action (stop, start, reboot, pause, suspend, their undos,
//   soft delete, restore), older than task_timeout
//       cast again once; still there a task_timeout later (or the host is
//       down): ERROR with a fault
//   any other task (rebuilding, ...), older than task_timeout
//       ERROR with a fault
//
// Each instance is first claimed: an update guarded by the updated_at it was
// read with (and its task state), so of two conductors sweeping at once only
// one acts on an instance, and an instance that moved meanwhile is left alone.
// The retried messages are idempotent at their receivers (a second delete,
// a second build of a placed instance do nothing twice).
//
// Several conductors (several controllers on one PostgreSQL) sweep one at a
// time: the periodic thread sweeps only while this conductor holds the lease
// kLeaseName (db/periodic_lease.h), taken or renewed before each pass and
// given up by stop(); the others keep trying and take it over once its
// holder stops renewing it. The claims above still guard each instance, so
// a holder that overran its lease and the next one never act twice.
//
// Thread-safety: sweep() may run on any thread; start()/stop() own one
// thread that calls it every stuck_check_interval. No method throws.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/conductor/compute_task_manager.h"
#include "core/conductor/conductor_manager.h"
#include "core/conductor/conductor_options.h"
#include "core/db/database.h"
#include "core/db/instance_repository.h"
#include "core/db/periodic_lease.h"
#include "core/rpcapi/compute_rpcapi.h"
#include "stratus/sdk/request_context.h"

namespace stratus::core::conductor {

class StuckInstanceSweeper {
 public:
  // What one pass did, for the log and for tests.
  struct Outcome {
    int rescheduled = 0;  // lost builds sent to the scheduler again
    int retried = 0;      // deletes and power actions sent again (or a delete done here)
    int errored = 0;      // set to ERROR with a fault
    int moved = 0;        // builds taken from a host that is down and scheduled again (or ERROR: no attempt left)
                          // (or from a live host that never started them after max_build_resends casts)
    int resent = 0;       // placed builds whose cast was lost with their conductor, cast to their host again
    bool operator==(const Outcome&) const = default;
  };

  // Not owned; all must outlive the sweeper.
  StuckInstanceSweeper(db::Database& db, ComputeTaskManager& tasks, ConductorManager& manager,
                       const rpcapi::ComputeRpcApi& compute, ConductorOptions options);
  ~StuckInstanceSweeper();  // stop()
  StuckInstanceSweeper(const StuckInstanceSweeper&) = delete;
  StuckInstanceSweeper& operator=(const StuckInstanceSweeper&) = delete;

  // One pass with `now` as the time (tests pass a clock of their own).
  Outcome sweep(const sdk::RequestContext& ctx, std::chrono::system_clock::time_point now);

  // The lease the periodic thread sweeps under.
  static constexpr const char* kLeaseName = "conductor.stuck-instance-sweep";
  // The presence lease of the conductors on `host` ("conductor.presence.<host>").
  static std::string presence_lease_name(const std::string& host);

  // The periodic thread (nothing when stuck_check_interval <= 0): every
  // stuck_check_interval, sweep() if the lease is held. Idempotent.
  void start();
  // Ends the thread and releases the lease (another conductor takes it at
  // its next try).
  void stop();

  // This conductor's lease (for tests and logs).
  const db::PeriodicLease& lease() const noexcept { return lease_; }
  // This conductor's presence lease, held while its periodic thread runs.
  const db::PeriodicLease& presence() const noexcept { return presence_; }

 private:
  bool claim(const sdk::RequestContext& ctx, const db::InstanceRecord& r);
  void reschedule_lost_build(const sdk::RequestContext& ctx, const db::InstanceRecord& r);
  void retry_delete(const sdk::RequestContext& ctx, const db::InstanceRecord& r);
  // False when the action could not be sent (the caller sets ERROR).
  bool retry_action(const sdk::RequestContext& ctx, const db::InstanceRecord& r);
  // Claims `r` (as read), records the fault, sets ERROR; false when `r` moved.
  bool set_error(const sdk::RequestContext& ctx, const db::InstanceRecord& r, const std::string& message);
  bool host_is_up(const std::string& host);
  // Whether the cast of `r` (placed, not started) was lost with the
  // conductor that placed it (the rule above). False when the database does
  // not answer: no verdict, nothing done.
  bool cast_lost_with_conductor(const db::InstanceRecord& r, std::chrono::system_clock::time_point now);
  // Casts the claimed `r` to its host again, or moves it once the re-sends
  // to that host are used up; true when it was moved.
  bool resend_placed_build(const sdk::RequestContext& ctx, const db::InstanceRecord& r);
  // Whether the pass may act on one more instance: always, unless the
  // periodic thread runs it under the lease and the lease ran out (it is
  // renewed on the way once half its time has passed).
  bool lease_kept(const sdk::RequestContext& ctx);
  // Whether this conductor can tell a host that is down from its own
  // blindness: it has swept for service_down_time, and some compute is up.
  bool liveness_is_known(std::chrono::system_clock::time_point now);

  db::Database& db_;
  ComputeTaskManager& tasks_;
  ConductorManager& manager_;
  const rpcapi::ComputeRpcApi& compute_;
  const ConductorOptions options_;

  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  // uuid -> the task an action was sent again for: a second time, it ends in
  // ERROR. In memory: a restarted conductor retries once more.
  std::map<std::string, std::string> retried_;  // GUARDED_BY(mutex_)
  // The first sweep's time: host liveness is judged from service_down_time after it.
  std::optional<std::chrono::system_clock::time_point> first_sweep_;  // GUARDED_BY(mutex_)
  db::PeriodicLease lease_;  // used by the periodic thread only
  db::PeriodicLease presence_;  // start(), then the periodic thread, then stop()
  // kNone: a pass called directly (tests); kHeld: the periodic thread's
  // pass under the lease; kLost: that lease ran out during the pass.
  enum class LeaseState { kNone, kHeld, kLost };
  std::atomic<LeaseState> lease_state_{LeaseState::kNone};
  std::thread thread_;
};

}  // namespace stratus::core::conductor
