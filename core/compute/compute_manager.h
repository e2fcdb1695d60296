// ComputeManager: the compute service of one host (Nova's
// nova/compute/manager.py ComputeManager). It serves compute.<host>, drives
// the host's VirtDriver, and reports every change through the conductor:
// a compute host never opens the database.
//
// What it does:
//  - build_and_run_instance: queues the build on a pool of
//    max_concurrent_builds threads (the RPC worker returns at once), then
//    walks Nova's states through conductor.instance_update, each step guarded
//    by the task state it expects: building/None (from scheduling or None),
//    networking, block_device_mapping, spawning, driver->spawn, then
//    active/None with the driver's power state and launched_at. A failed
//    spawn destroys what the driver left and asks the conductor to
//    reschedule (the conductor picks the next alternate or sets ERROR). A
//    guard that fails (NotFound, or InvalidState because the API moved the
//    instance to `deleting`) means the instance was deleted meanwhile: the
//    build stops and destroys the guest.
//  - the instance actions (terminate, reboot, stop, start, pause, unpause,
//    suspend, resume, soft delete, restore, rebuild): each moves the task
//    state, calls the driver, and sets the resulting vm_state and power
//    state. A driver failure puts the instance back to its vm_state with no
//    task, records a fault, and finishes the action event with "Error".
//  - periodic tasks on a PeriodicTimer (its own one-thread timer, or one
//    shared by the hosts of the process): heartbeat, resource report,
//    power-state sync (the driver's state wins, as Nova's
//    _sync_instance_power_state), reclaim of old soft-deleted instances.
//    With a ReportBatcher (options.report_batcher) the heartbeats and
//    reports go out in batches with the other hosts'.
//  - start(): driver->init_host, then reconciles this host's instances left
//    mid-operation by a restart (Nova's init_host / _init_instance).
//
// Two operations never touch one instance at once (a per-instance lock): a
// delete that arrives during a build waits for it, and the build, seeing
// the delete, destroys the guest.
//
// Lifecycle and ownership: construct, register_on(endpoint) before
// endpoint.start(), start() after it, stop() before endpoint.stop(). The
// endpoint's handlers call into this object, so it must outlive the
// endpoint's serving: stop the endpoint before destroying the manager. The
// conductor client (on the same endpoint, usually) must outlive it too.
//
// Thread-safety: the RPC methods and periodic tasks may run concurrently
// from any thread. start() and stop() are not called concurrently with each
// other. No method throws; every failure is logged with the request id.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/compute/accepted_builds.h"
#include "core/compute/build_pool.h"
#include "core/compute/compute_options.h"
#include "core/compute/instance_locks.h"
#include "core/compute/periodic_timer.h"
#include "core/compute/report_batcher.h"
#include "core/rpcapi/conductor_rpcapi.h"
#include "core/rpcapi/messages.h"
#include "core/rpcapi/topics.h"
#include "stratus/rpc/endpoint.h"
#include "stratus/sdk/request_context.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/virt_driver.h"

namespace stratus::core::compute {

// The action event name of a build (Nova's wrap_instance_event on
// _do_build_and_run_instance).
inline constexpr std::string_view kBuildEvent = "compute__do_build_and_run_instance";

class ComputeManager {
 public:
  // `driver` is this host's driver (not yet init_host'ed); `conductor` is
  // the client every update goes through. Cheap: starts no thread.
  ComputeManager(std::string host, std::shared_ptr<sdk::VirtDriver> driver, rpcapi::ConductorRpcApi& conductor,
                 ComputeOptions options);
  // stop().
  ~ComputeManager();
  ComputeManager(const ComputeManager&) = delete;
  ComputeManager& operator=(const ComputeManager&) = delete;

  // Serves topic "compute", server `host`, with every compute_method of
  // rpcapi/topics.h, up to version `serve_up_to` (kComputeVersion; the
  // mixed-version tests start a double that serves only 1.0), the version
  // its heartbeats then report. Before endpoint.start(). Errors from
  // Endpoint::serve (kInvalidArgument: already started, ...) or for a
  // version this code cannot serve.
  sdk::Status register_on(rpc::Endpoint& endpoint, std::string_view serve_up_to = rpcapi::kComputeVersion);

  // After the endpoint is started: driver->init_host(host), reconcile the
  // host's instances, a first resource report and heartbeat, then the build
  // threads and the periodic thread. Messages that arrive before then wait:
  // builds in the queue, actions (bounded) for start() to finish.
  // Errors: the driver's init_host error (nothing started; may be retried);
  // kInvalidState if already started or stopped. A conductor that does not
  // answer is logged, not an error: the host comes up and keeps reporting.
  sdk::Status start();

  // Stops the periodic thread; hands builds still queued back to the
  // conductor (reschedule); waits up to graceful_shutdown_timeout for
  // running builds, then asks the driver to give up (cleanup_host ends a
  // hung call) and joins every thread. Idempotent; later RPCs are refused.
  void stop();

  // ---- RPC methods (the handlers call these; callable directly too) --------
  // Each returns what happened, for tests and in-process callers; over RPC
  // the casts' results are dropped (and logged here).

  // Queues the build; OK once queued. kUnavailable when stopped (the build
  // is handed back to the conductor for a reschedule).
  sdk::Status build_and_run_instance(const sdk::RequestContext& ctx, rpcapi::BuildAndRunRequest request);
  // driver->destroy (a missing guest is fine), then conductor.instance_destroy.
  // On a driver failure the instance goes to ERROR with a fault.
  sdk::Status terminate_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance);
  // reboot_type "SOFT" or "HARD" (anything else: kInvalidArgument, refused).
  sdk::Status reboot_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance,
                              const std::string& reboot_type);
  sdk::Status stop_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance);
  sdk::Status start_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance);
  sdk::Status pause_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance);
  sdk::Status unpause_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance);
  sdk::Status suspend_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance);
  sdk::Status resume_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance);
  sdk::Status soft_delete_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance);
  sdk::Status restore_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance);
  // `injection`: the personality files and admin password for the driver.
  sdk::Status rebuild_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance,
                               const sdk::ImageMeta& image, const rpcapi::GuestInjection& injection = {});
  // ---- shelve.cpp: snapshots and shelving (Nova's snapshot_instance,
  // shelve_instance, shelve_offload_instance, unshelve_instance) ----------
  // Fills the queued image `image` with the guest's disk: task
  // image_snapshot -> image_pending_upload -> driver->snapshot ->
  // image_uploading -> upload -> None. On failure the image is deleted, the
  // task cleared and a fault recorded. kNotSupported on a plugin before ABI 5.
  sdk::Status snapshot_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance,
                                const sdk::ImageMeta& image);
  // ---- backup.cpp: createBackup (Nova's backup_instance, compute RPC 1.4)
  // As snapshot_instance from task image_backup; once the image is
  // uploaded, the instance's images with image_type backup and this
  // `backup_type` beyond the `rotation` newest are deleted (Nova's
  // _rotate_backups; rotation 0 deletes them all, the new one included).
  // An image that cannot be deleted is logged and skipped; a listing that
  // fails is a fault and fails the action event.
  sdk::Status backup_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance,
                              const sdk::ImageMeta& image, const std::string& backup_type, std::int64_t rotation);
  // shelving: power off, snapshot into `image` (shelving_image_pending_upload,
  // shelving_image_uploading), SHELVED; then offloaded at once when
  // shelved_offload_time is 0. On failure: back to the old vm_state (a guest
  // that ran is powered on again), the image deleted, a fault.
  sdk::Status shelve_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance,
                              const sdk::ImageMeta& image);
  // SHELVED (task shelving_offloading or None) -> the guest destroyed, host
  // and node cleared, SHELVED_OFFLOADED (the conductor frees the claim).
  sdk::Status shelve_offload_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance);
  // unshelving -> spawning -> spawn from the snapshot -> ACTIVE, and the
  // snapshot is deleted. A SHELVED instance (still here) is powered on
  // instead. A failed spawn leaves it SHELVED_OFFLOADED with a fault.
  sdk::Status unshelve_instance(const sdk::RequestContext& ctx, const rpcapi::UnshelveOnHostRequest& request);
  // Offloads this host's instances shelved longer than shelved_offload_time
  // (> 0) ago (Nova's _poll_shelved_instances).
  void offload_shelved_instances();

  // ---- interfaces.cpp: port hot-plug and crash dumps (compute RPC 1.3, calls)
  // Applies request.port_security, then driver->attach_interface(vif).
  // kNotSupported from a plugin built before ABI 6 (never called) or a
  // driver without it; the driver's errors otherwise (a fault is recorded).
  sdk::Status attach_interface(const sdk::RequestContext& ctx, const rpcapi::InterfaceRequest& request);
  // driver->detach_interface(vif), then the remaining ports' rules.
  sdk::Status detach_interface(const sdk::RequestContext& ctx, const rpcapi::InterfaceRequest& request);
  // driver->trigger_crash_dump; no state changes.
  sdk::Status trigger_crash_dump(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance);

  // ---- rescue.cpp: rescue and unrescue (compute RPC 1.4, casts) -----------
  // rescuing -> the rescue image fetched -> driver->rescue -> RESCUED (Nova's
  // rescue_instance); unrescuing -> driver->unrescue -> ACTIVE. On failure
  // the task clears, the vm_state stays and a fault is recorded;
  // kNotSupported on a plugin built before ABI 7 (never called).
  sdk::Status rescue_instance(const sdk::RequestContext& ctx, const rpcapi::RescueRequest& request);
  sdk::Status unrescue_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance);

  // The driver's console log; the last `tail_length` lines when > 0.
  sdk::Result<std::string> get_console_output(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance,
                                              std::int32_t tail_length);

  // The driver's diagnostics of the guest (diagnostics.cpp). kNotSupported
  // on a plugin built before ABI 4 (never asked) or one that cannot tell.
  sdk::Result<sdk::Diagnostics> get_diagnostics(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance);
  // New rules for the instance's ports (security_groups.cpp): the driver
  // enforces `ports` from now on. Not serialised with the instance's other
  // operations beyond the instance lock; the last refresh wins.
  sdk::Status refresh_security_groups(const sdk::RequestContext& ctx, const std::string& instance_uuid,
                                      const std::vector<sdk::PortSecurity>& ports);

  // A driver's lifecycle event (sdk::LifecycleListener): queues a power sync
  // of that one instance for the periodic thread, which runs it at once (the
  // same checks as the periodic sync: instances with a task are left alone).
  // Returns at once; never calls the driver. Ignored unless running.
  void on_lifecycle_event(const sdk::LifecycleEvent& event);
  // The power sync of the instances queued by events (the periodic thread
  // runs it; callable directly).
  void sync_power_states_from_events();

  // ---- Periodic tasks (run by the periodic thread; callable directly) ------
  void send_heartbeat();
  // driver->get_available_resource (or, for a driver without it, the host's
  // own inventory: host_default_resources.h) + list_instances ->
  // compute_node_update. Until a conductor has answered one, the report is a
  // call (and the periodic thread repeats it with backoff); then a cast.
  // True when the report was sent (and, the first time, heard).
  bool update_available_resource();
  // Whether a conductor has answered a resource report of this host.
  bool report_heard() const { return report_heard_; }
  // Asks the periodic thread for a resource report soon: the changes of many
  // builds that finish together go out in one report, and no build waits
  // for a report to be sent. Before start() and after stop(): nothing.
  void request_resource_report();
  // For each instance of this host with no task: the driver's power state
  // wins (Nova's _sync_power_states). Skips instances an operation holds.
  void sync_power_states();
  // Destroys soft-deleted instances (no task) last updated longer ago than
  // reclaim_instance_interval. Does nothing when that is zero or less.
  void reclaim_queued_deletes();

  const std::string& host() const { return host_; }
  BuildPool::Stats build_stats() const { return builds_.stats(); }

 private:
  enum class State { kNew, kStarting, kRunning, kStopped };

  // One instance action: the event name, the task states it walks while the
  // driver works, and where it ends.
  struct ActionSpec {
    std::string_view method;                    // "stop_instance"; the event is "compute_" + method
    std::vector<std::string_view> accepted;     // task states the API may have set (None always accepted)
    std::vector<std::string_view> tasks;        // walked in order before the driver call
    std::string_view done_vm_state;
    bool set_launched_at = false;
  };
  using DriverOp = std::function<sdk::Status(const sdk::Instance&)>;

  // build_and_run.cpp
  void do_build_and_run_instance(const sdk::RequestContext& ctx, const rpcapi::BuildAndRunRequest& request);
  void reschedule(const sdk::RequestContext& ctx, const rpcapi::BuildAndRunRequest& request,
                  const sdk::Status& failure, bool retry_elsewhere);
  // The conductor's reschedule_instance; without alternates when the
  // failure would recur on any host (the conductor then sets ERROR).
  void send_reschedule(const sdk::RequestContext& ctx, const rpcapi::BuildAndRunRequest& request,
                       const std::string& why, bool offer_alternates);

  // security_groups.cpp: driver->apply_security_groups on ABI 4 plugins. A
  // driver that enforces nothing (kNotSupported) is logged once per host and
  // is not an error; other failures are returned.
  sdk::Status apply_security_groups(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                    const std::vector<sdk::PortSecurity>& ports);

  // instance_actions.cpp
  sdk::Status run_action(const sdk::RequestContext& ctx, const ActionSpec& spec, const rpcapi::InstanceMsg& msg,
                         const DriverOp& op);
  // Destroys the guest and the instance; `record_events`: an action event
  // (terminate) or none (reclaim, reconcile). Caller holds the instance lock.
  sdk::Status delete_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg, bool record_events);

  // periodic_tasks.cpp
  // The periodic tasks' schedules (periodic_tick's), set by start().
  struct Schedule {
    std::chrono::milliseconds interval{0};
    PeriodicTimer::Clock::time_point next{};
    bool enabled() const { return interval.count() > 0; }
    bool due(PeriodicTimer::Clock::time_point now) const { return enabled() && now >= next; }
    // Runs `task` when due. The next run is an interval after this one
    // ends, so a slow run never makes the next ones bunch up.
    template <class Task>
    void run_if_due(Task&& task) {
      if (!due(PeriodicTimer::Clock::now())) return;
      task();
      next = PeriodicTimer::Clock::now() + interval;
    }
  };
  struct Schedules {
    Schedule heartbeat, report, sync, reclaim, shelved;
    std::chrono::milliseconds retry_wait{0};  // until a report is heard
    PeriodicTimer::Clock::time_point retry_next{};
  };
  void init_schedules(PeriodicTimer::Clock::time_point now);
  // Runs what is due (on the timer's thread); returns when next to run.
  PeriodicTimer::Clock::time_point periodic_tick(PeriodicTimer::Clock::time_point now);
  // Caller holds the instance lock.
  void sync_instance_power_state(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg);

  // reconcile.cpp
  void init_instances(const sdk::RequestContext& ctx);
  void init_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg);

  // shelve.cpp. Caller holds the instance lock. The guest's disk into
  // `image` through the driver and the uploader, walking `pending` then
  // `uploading` from `from_task`; the image is deleted on failure.
  sdk::Status snapshot_guest(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg,
                             const sdk::ImageMeta& image, std::string_view from_task, std::string_view pending,
                             std::string_view uploading);
  // shelve.cpp: snapshot_guest from `task` for createImage and createBackup
  // under the instance lock and the action `event`; the task ends whatever
  // happens; `after_upload` (may be null) runs once the image is uploaded.
  sdk::Status image_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg,
                             const sdk::ImageMeta& image, std::string_view task, std::string_view event,
                             const std::function<sdk::Status()>& after_upload);
  // backup.cpp: deletes the backups beyond `rotation` (see backup_instance).
  sdk::Status rotate_backups(const sdk::RequestContext& ctx, const std::string& uuid, const std::string& backup_type,
                             std::int64_t rotation);
  sdk::Status offload_locked(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg,
                             std::string_view from_task);
  void delete_image(const sdk::RequestContext& ctx, const std::string& image_id);

  // interfaces.cpp: `op` under the instance lock with its action event
  // ("compute_" + method), refused without calling on a plugin before ABI 6.
  sdk::Status driver_call(const sdk::RequestContext& ctx, std::string_view method, const std::string& uuid,
                          const std::function<sdk::Status()>& op);

  // compute_manager.cpp: shared helpers.
  sdk::Status wait_until_running(const sdk::RequestContext& ctx, std::string_view what);
  bool stopping() const;
  sdk::Result<rpcapi::InstanceMsg> update(const sdk::RequestContext& ctx, const rpcapi::InstanceUpdateMsg& update);
  // The steps of one instance that follow each other with no work between
  // them (a build's walk up to spawning; active and the finish event), in
  // one message and one conductor transaction (conductor RPC 1.3), or one by
  // one through update() and record_event() when the conductor is older
  // (learned from its first refusal, or the cap). Sent again, as update()
  // is, while no conductor answers. OK when every step was applied; else
  // the first refused update's status (the steps after it not applied; the
  // events after it not recorded) or the transport's.
  sdk::Status send_steps(const sdk::RequestContext& ctx, const rpcapi::InstanceStepsMsg& steps);
  // Whether a failed call may be sent again (no conductor answered) and, if
  // so, waits a pause first; false once `give_up` has passed or on stop().
  bool pause_before_retry(const sdk::Status& failure, std::chrono::steady_clock::time_point give_up);
  rpcapi::ActionEventMsg event_msg(const sdk::RequestContext& ctx, const std::string& uuid, std::string_view event,
                                   bool finish, const sdk::Status& result = sdk::Status::OK()) const;
  void send_event(const sdk::RequestContext& ctx, const rpcapi::ActionEventMsg& event);
  void record_event(const sdk::RequestContext& ctx, const std::string& uuid, std::string_view event, bool finish,
                    const sdk::Status& result = sdk::Status::OK());
  void record_fault(const sdk::RequestContext& ctx, const std::string& uuid, const sdk::Status& failure);
  // The guest's power state from the driver; kNoState if it has none.
  sdk::PowerState power_state_of(const sdk::Instance& instance);
  // driver->destroy with the disks; logs a failure.
  sdk::Status destroy_guest(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg);

  const std::string host_;
  std::string served_version_{rpcapi::kComputeVersion};  // set by register_on, read by heartbeats
  const std::shared_ptr<sdk::VirtDriver> driver_;
  rpcapi::ConductorRpcApi& conductor_;
  const ComputeOptions options_;

  InstanceLocks locks_;
  std::unique_ptr<BuildPool> own_builds_;  // null when options.build_pool is shared
  BuildPool& builds_;                      // own_builds_ or the shared pool
  AcceptedBuilds accepted_builds_;  // a build cast twice (the conductor sweep's re-send) runs once
  std::mutex report_mutex_;  // one resource report at a time, sent in the order taken

  mutable std::mutex mutex_;
  std::condition_variable cv_;  // state_ changes
  bool report_requested_ = false;  // GUARDED_BY(mutex_)
  std::set<std::string> event_syncs_;  // GUARDED_BY(mutex_): uuids a lifecycle event asked to sync
  std::atomic<bool> security_groups_unsupported_logged_{false};
  std::atomic<bool> steps_unsupported_{false};  // the conductor has no instance_steps (RPC < 1.3)
  std::atomic<bool> report_heard_{false};             // a conductor answered a resource report
  std::atomic<int> first_report_attempts_{0};
  std::atomic<bool> default_resources_logged_{false};  // the driver has no get_available_resource
  bool listening_ = false;             // the driver forwards lifecycle events (start() .. stop())
  State state_ = State::kNew;
  std::shared_ptr<PeriodicTimer> timer_;  // options.periodic_timer, or one of its own made by start()
  PeriodicTimer::Id timer_id_ = 0;         // GUARDED_BY(mutex_); 0: not on the timer
  Schedules schedules_;                   // the timer's thread only (after start())
};

}  // namespace stratus::core::compute
