// ComputeManager: construction, RPC registration, start/stop, and the
// helpers every operation shares. The operations live in build_and_run.cpp,
// instance_actions.cpp, periodic_tasks.cpp and reconcile.cpp.
#include "core/compute/compute_manager.h"

#include "core/compute/host_uptime.h"

#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/common/error_table.h"
#include "core/rpcapi/rpc_status.h"
#include "core/rpcapi/topics.h"
#include "stratus/rpc/dispatcher.h"

namespace stratus::core::compute {

namespace {

// How long an action that arrives before start() has finished waits for it.
constexpr std::chrono::seconds kReadyWait{30};
// Between two tries of an instance update that found no conductor.
constexpr std::chrono::milliseconds kConductorRetryPause{250};

// A handler's answer: nil on success, the status as a remote error otherwise.
rpc::Result<rpc::Payload> answer(const sdk::Status& status) {
  if (status.ok()) return rpc::Payload();
  return rpcapi::to_rpc_error(status);
}

// Wraps a method body so that no exception leaves the handler.
template <class Args, class F>
rpc::Status add_method(rpc::Dispatcher& d, std::string_view version, std::string_view method, F body) {
  return d.add_typed<Args>(
      std::string(method), version,
      [body = std::move(body), name = std::string(method)](const rpc::CallInfo& info,
                                                           Args args) -> rpc::Result<rpc::Payload> {
        const sdk::RequestContext ctx = rpcapi::to_sdk_context(info.context);
        try {
          return body(ctx, std::move(args));
        } catch (const std::exception& e) {
          spdlog::error("[{}] compute.{} threw: {}", ctx.request_id, name, e.what());
          return rpcapi::to_rpc_error(sdk::Status::Internal("compute." + name + ": " + e.what()));
        } catch (...) {
          spdlog::error("[{}] compute.{} threw", ctx.request_id, name);
          return rpcapi::to_rpc_error(sdk::Status::Internal("compute." + name + " failed"));
        }
      });
}

}  // namespace

ComputeManager::ComputeManager(std::string host, std::shared_ptr<sdk::VirtDriver> driver,
                               rpcapi::ConductorRpcApi& conductor, ComputeOptions options)
    : host_(std::move(host)),
      driver_(std::move(driver)),
      conductor_(conductor),
      options_(options),
      own_builds_(options.build_pool ? nullptr : std::make_unique<BuildPool>(options.max_concurrent_builds)),
      builds_(options.build_pool ? *options.build_pool : *own_builds_) {}

ComputeManager::~ComputeManager() { stop(); }

sdk::Status ComputeManager::register_on(rpc::Endpoint& endpoint, std::string_view serve_up_to) {
  namespace m = rpcapi::compute_method;
  using rpcapi::InstanceActionRequest;
  auto served = rpc::Version::parse(serve_up_to);
  auto newest = rpc::Version::parse(rpcapi::kComputeVersion);
  if (!served.ok() || !newest.ok() || served->major != newest->major || newest.value() < served.value()) {
    return sdk::Status::InvalidArgument("compute " + host_ + " cannot serve RPC version " + std::string(serve_up_to) +
                                        " (this code serves up to " + std::string(rpcapi::kComputeVersion) + ")");
  }
  served_version_ = served->to_string();
  // Every method is served up to the same version, as one API; a 1.0
  // message decodes into the newest struct with the later fields defaulted.
  const std::string_view v = served_version_;
  rpc::Dispatcher d;
  std::vector<rpc::Status> added;
  added.push_back(add_method<rpcapi::BuildAndRunRequest>(
      d, v, m::kBuildAndRunInstance, [this](const sdk::RequestContext& ctx, rpcapi::BuildAndRunRequest r) {
        return answer(build_and_run_instance(ctx, std::move(r)));
      }));
  // The actions that carry only the instance.
  using Action = sdk::Status (ComputeManager::*)(const sdk::RequestContext&, const rpcapi::InstanceMsg&);
  const std::pair<std::string_view, Action> actions[] = {
      {m::kTerminateInstance, &ComputeManager::terminate_instance},
      {m::kStopInstance, &ComputeManager::stop_instance},
      {m::kStartInstance, &ComputeManager::start_instance},
      {m::kPauseInstance, &ComputeManager::pause_instance},
      {m::kUnpauseInstance, &ComputeManager::unpause_instance},
      {m::kSuspendInstance, &ComputeManager::suspend_instance},
      {m::kResumeInstance, &ComputeManager::resume_instance},
      {m::kSoftDeleteInstance, &ComputeManager::soft_delete_instance},
      {m::kRestoreInstance, &ComputeManager::restore_instance},
  };
  for (const auto& [name, fn] : actions) {
    added.push_back(add_method<InstanceActionRequest>(
        d, v, name, [this, fn](const sdk::RequestContext& ctx, InstanceActionRequest r) {
          return answer((this->*fn)(ctx, r.instance));
        }));
  }
  added.push_back(add_method<rpcapi::RebootRequest>(
      d, v, m::kRebootInstance, [this](const sdk::RequestContext& ctx, rpcapi::RebootRequest r) {
        return answer(reboot_instance(ctx, r.instance, r.reboot_type));
      }));
  added.push_back(add_method<rpcapi::RebuildRequest>(
      d, v, m::kRebuildInstance, [this](const sdk::RequestContext& ctx, rpcapi::RebuildRequest r) {
        return answer(rebuild_instance(ctx, r.instance, r.image, r.injection));
      }));
  // 1.2: createImage and shelving. A host serving less has no such methods
  // (the client refuses them under a lower cap).
  if (rpc::Version{1, 2} <= served.value()) {
    added.push_back(add_method<rpcapi::SnapshotRequest>(
        d, v, m::kSnapshotInstance, [this](const sdk::RequestContext& ctx, rpcapi::SnapshotRequest r) {
          // 1.4: a backup rides on the snapshot message (compute_version::kBackup).
          if (r.backup) return answer(backup_instance(ctx, r.instance, r.image, r.backup_type, r.rotation));
          return answer(snapshot_instance(ctx, r.instance, r.image));
        }));
    added.push_back(add_method<rpcapi::SnapshotRequest>(
        d, v, m::kShelveInstance, [this](const sdk::RequestContext& ctx, rpcapi::SnapshotRequest r) {
          return answer(shelve_instance(ctx, r.instance, r.image));
        }));
    added.push_back(add_method<rpcapi::UnshelveOnHostRequest>(
        d, v, m::kUnshelveInstance, [this](const sdk::RequestContext& ctx, rpcapi::UnshelveOnHostRequest r) {
          return answer(unshelve_instance(ctx, r));
        }));
    added.push_back(add_method<InstanceActionRequest>(
        d, v, m::kShelveOffloadInstance, [this](const sdk::RequestContext& ctx, InstanceActionRequest r) {
          return answer(shelve_offload_instance(ctx, r.instance));
        }));
  }
  // 1.3: port hot-plug and crash dumps (calls).
  if (rpc::Version{1, 3} <= served.value()) {
    added.push_back(add_method<rpcapi::InterfaceRequest>(
        d, v, m::kAttachInterface, [this](const sdk::RequestContext& ctx, rpcapi::InterfaceRequest r) {
          return answer(attach_interface(ctx, r));
        }));
    added.push_back(add_method<rpcapi::InterfaceRequest>(
        d, v, m::kDetachInterface, [this](const sdk::RequestContext& ctx, rpcapi::InterfaceRequest r) {
          return answer(detach_interface(ctx, r));
        }));
    added.push_back(add_method<InstanceActionRequest>(
        d, v, m::kTriggerCrashDump, [this](const sdk::RequestContext& ctx, InstanceActionRequest r) {
          return answer(trigger_crash_dump(ctx, r.instance));
        }));
  }
  // 1.4: rescue.
  if (rpc::Version{1, 4} <= served.value()) {
    added.push_back(add_method<rpcapi::RescueRequest>(
        d, v, m::kRescueInstance, [this](const sdk::RequestContext& ctx, rpcapi::RescueRequest r) {
          return answer(rescue_instance(ctx, r));
        }));
    added.push_back(add_method<InstanceActionRequest>(
        d, v, m::kUnrescueInstance, [this](const sdk::RequestContext& ctx, InstanceActionRequest r) {
          return answer(unrescue_instance(ctx, r.instance));
        }));
  }
  added.push_back(add_method<rpcapi::ConsoleOutputRequest>(
      d, v, m::kGetConsoleOutput,
      [this](const sdk::RequestContext& ctx, rpcapi::ConsoleOutputRequest r) -> rpc::Result<rpc::Payload> {
        auto out = get_console_output(ctx, r.instance, r.tail_length);
        if (!out.ok()) return rpcapi::to_rpc_error(out.status());
        auto payload = rpc::Payload::of(out.value());
        if (!payload.ok()) return std::move(payload).error();
        return std::move(payload).value();
      }));
  added.push_back(add_method<rpcapi::DiagnosticsRequest>(
      d, v, m::kGetDiagnostics,
      [this](const sdk::RequestContext& ctx, rpcapi::DiagnosticsRequest r) -> rpc::Result<rpc::Payload> {
        auto out = get_diagnostics(ctx, r.instance);
        if (!out.ok()) return rpcapi::to_rpc_error(out.status());
        auto payload = rpc::Payload::of(out.value());
        if (!payload.ok()) return std::move(payload).error();
        return std::move(payload).value();
      }));
  added.push_back(add_method<rpcapi::HostUptimeRequest>(
      d, v, m::kGetHostUptime,
      [](const sdk::RequestContext&, rpcapi::HostUptimeRequest) -> rpc::Result<rpc::Payload> {
        auto out = read_host_uptime();
        if (!out.ok()) return rpcapi::to_rpc_error(out.status());
        auto payload = rpc::Payload::of(out.value());
        if (!payload.ok()) return std::move(payload).error();
        return std::move(payload).value();
      }));
  added.push_back(add_method<rpcapi::RefreshSecurityGroupsRequest>(
      d, v, m::kRefreshSecurityGroups,
      [this](const sdk::RequestContext& ctx, rpcapi::RefreshSecurityGroupsRequest r) {
        return answer(refresh_security_groups(ctx, r.instance_uuid, r.ports));
      }));
  for (const rpc::Status& s : added) {
    if (!s.ok()) return sdk::Status::Internal("registering a compute method: " + s.error().to_string());
  }
  if (rpc::Status s = endpoint.serve(std::string(rpcapi::kComputeTopic), host_, std::move(d)); !s.ok()) {
    return rpcapi::from_rpc_error(s.error(), "serving compute." + host_);
  }
  return sdk::Status::OK();
}

sdk::Status ComputeManager::start() {
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::kNew) return sdk::Status::InvalidState("compute " + host_ + " was already started");
    state_ = State::kStarting;
  }
  const sdk::RequestContext ctx{rpc::RequestContext::new_request_id(), "", "", {}};
  spdlog::info("[{}] compute {} starting", ctx.request_id, host_);
  if (sdk::Status st = driver_->init_host(host_); !st.ok()) {
    spdlog::error("[{}] compute {}: driver init_host failed: {}", ctx.request_id, host_, st.to_string());
    std::lock_guard lock(mutex_);
    if (state_ == State::kStarting) state_ = State::kNew;
    return st;
  }
  init_instances(ctx);
  builds_.start();
  update_available_resource();
  send_heartbeat();
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::kStarting) return sdk::Status::Unavailable("compute " + host_ + " was stopped while starting");
    state_ = State::kRunning;
    timer_ = options_.periodic_timer ? options_.periodic_timer : std::make_shared<PeriodicTimer>("compute " + host_);
    const auto now = PeriodicTimer::Clock::now();
    init_schedules(now);
    timer_id_ = timer_->add([this](PeriodicTimer::Clock::time_point at) { return periodic_tick(at); },
                            now + std::chrono::milliseconds(1));
  }
  cv_.notify_all();
  // Lifecycle events (ABI 2): a power change is synced when it happens, not
  // at the next periodic sync. Never asked of a plugin built for ABI 1.
  if (options_.driver_abi_version >= 2) {
    sdk::Status st = driver_->register_lifecycle_listener(
        [this](const sdk::LifecycleEvent& event) { on_lifecycle_event(event); });
    listening_ = st.ok();
    if (st.ok()) {
      spdlog::info("[{}] compute {}: the driver reports lifecycle events", ctx.request_id, host_);
    } else if (!st.is(sdk::StatusCode::kNotSupported)) {
      spdlog::warn("[{}] compute {}: no lifecycle events (periodic power sync only): {}", ctx.request_id, host_,
                   st.to_string());
    }
  }
  spdlog::info("[{}] compute {} started ({} concurrent builds)", ctx.request_id, host_,
               options_.max_concurrent_builds);
  return sdk::Status::OK();
}

void ComputeManager::stop() {
  // First, so that no event calls into this object while it stops (the
  // driver waits for a call in flight).
  if (std::exchange(listening_, false)) {
    if (sdk::Status st = driver_->register_lifecycle_listener({}); !st.ok()) {
      spdlog::warn("compute {}: driver register_lifecycle_listener(none): {}", host_, st.to_string());
    }
  }
  bool was_started = false;
  PeriodicTimer::Id timer_id = 0;
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::kStopped) return;
    was_started = state_ != State::kNew;
    state_ = State::kStopped;
    timer_id = std::exchange(timer_id_, 0);
  }
  cv_.notify_all();
  if (timer_ && timer_id != 0) timer_->remove(timer_id);  // waits for a tick in progress
  if (timer_ && !options_.periodic_timer) timer_->stop();
  bool driver_cleaned = false;
  // A shared pool is closed by its owner, before the hosts stop (it hands
  // the queued builds back); a host's own is closed here.
  if (own_builds_) builds_.close();
  if (own_builds_ &&
      !builds_.wait_idle(std::chrono::steady_clock::now() + options_.graceful_shutdown_timeout)) {
    spdlog::warn("compute {}: {} build(s) still running after {} ms; asking the driver to give up", host_,
                 builds_.stats().running, options_.graceful_shutdown_timeout.count());
    if (sdk::Status st = driver_->cleanup_host(host_); !st.ok()) {
      spdlog::warn("compute {}: driver cleanup_host: {}", host_, st.to_string());
    }
    driver_cleaned = true;
  }
  if (own_builds_) builds_.join();
  if (was_started && !driver_cleaned) {
    if (sdk::Status st = driver_->cleanup_host(host_); !st.ok()) {
      spdlog::warn("compute {}: driver cleanup_host: {}", host_, st.to_string());
    }
  }
  spdlog::info("compute {} stopped", host_);
}

sdk::Status ComputeManager::wait_until_running(const sdk::RequestContext& ctx, std::string_view what) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, kReadyWait, [this] { return state_ == State::kRunning || state_ == State::kStopped; });
  if (state_ == State::kRunning) return sdk::Status::OK();
  spdlog::warn("[{}] compute {} is not running; {} refused", ctx.request_id, host_, what);
  return sdk::Status::Unavailable("compute " + host_ + " is not running");
}

bool ComputeManager::stopping() const {
  std::lock_guard lock(mutex_);
  return state_ == State::kStopped;
}

bool ComputeManager::pause_before_retry(const sdk::Status& failure, std::chrono::steady_clock::time_point give_up) {
  // A timeout may hide a change that was applied and whose reply was lost
  // (the router restarted): sending it again is safe because a transition
  // already in place succeeds (InstanceRepository::update, and
  // instance_steps for a walk already done).
  if (!failure.is(sdk::StatusCode::kUnavailable) && !failure.is(sdk::StatusCode::kTimeout)) return false;
  if (std::chrono::steady_clock::now() >= give_up || stopping()) return false;
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, kConductorRetryPause, [this] { return state_ == State::kStopped; });
  return true;
}

sdk::Result<rpcapi::InstanceMsg> ComputeManager::update(const sdk::RequestContext& ctx,
                                                        const rpcapi::InstanceUpdateMsg& u) {
  auto r = conductor_.instance_update(ctx, u);
  // No conductor reachable (one restarting): the update was not delivered,
  // so it is sent again, for a bounded time, rather than failing the build
  // or action it belongs to.
  const auto give_up = std::chrono::steady_clock::now() + options_.conductor_retry_window;
  while (!r.ok() && pause_before_retry(r.status(), give_up)) r = conductor_.instance_update(ctx, u);
  if (r.ok()) {
    spdlog::debug("[{}] instance {}: vm_state={} task_state={}", ctx.request_id, u.instance_uuid, r->vm_state,
                  r->task_state.value_or("None"));
  } else {
    spdlog::info("[{}] instance {}: update refused: {}", ctx.request_id, u.instance_uuid, r.status().to_string());
  }
  return r;
}

sdk::Status ComputeManager::send_steps(const sdk::RequestContext& ctx, const rpcapi::InstanceStepsMsg& steps) {
  if (!steps_unsupported_.load(std::memory_order_relaxed)) {
    sdk::Status st = conductor_.instance_steps(ctx, steps);
    const auto give_up = std::chrono::steady_clock::now() + options_.conductor_retry_window;
    while (!st.ok() && pause_before_retry(st, give_up)) st = conductor_.instance_steps(ctx, steps);
    if (!st.is(sdk::StatusCode::kNotSupported)) {
      if (!st.ok()) {
        spdlog::info("[{}] instance {}: steps refused: {}", ctx.request_id, steps.instance_uuid, st.to_string());
      }
      return st;
    }
    // Nothing was applied: an older conductor (or the cap) has no such method.
    if (!steps_unsupported_.exchange(true)) {
      spdlog::info("[{}] the conductor has no instance_steps ({}); {} sends each step alone", ctx.request_id,
                   st.message(), host_);
    }
  }
  for (const auto& step : steps.steps) {
    if (step.is_event) {
      send_event(ctx, step.event);
      continue;
    }
    if (auto r = update(ctx, step.update); !r.ok()) return r.status();
  }
  return sdk::Status::OK();
}

rpcapi::ActionEventMsg ComputeManager::event_msg(const sdk::RequestContext& ctx, const std::string& uuid,
                                                 std::string_view event, bool finish,
                                                 const sdk::Status& result) const {
  rpcapi::ActionEventMsg e;
  e.instance_uuid = uuid;
  e.request_id = ctx.request_id;
  e.event = std::string(event);
  e.finish = finish;
  if (finish) e.result = result.ok() ? "Success" : "Error";
  if (!result.ok()) e.details = result.message();
  e.host = host_;
  return e;
}

void ComputeManager::record_event(const sdk::RequestContext& ctx, const std::string& uuid, std::string_view event,
                                  bool finish, const sdk::Status& result) {
  send_event(ctx, event_msg(ctx, uuid, event, finish, result));
}

void ComputeManager::send_event(const sdk::RequestContext& ctx, const rpcapi::ActionEventMsg& e) {
  if (sdk::Status st = conductor_.action_event(ctx, e); !st.ok()) {
    spdlog::info("[{}] instance {}: could not record event {}: {}", ctx.request_id, e.instance_uuid, e.event,
                 st.to_string());
  }
}

void ComputeManager::record_fault(const sdk::RequestContext& ctx, const std::string& uuid,
                                  const sdk::Status& failure) {
  rpcapi::InstanceFaultMsg f;
  f.instance_uuid = uuid;
  // Nova stores its exception's HTTP code with a fault: the error table's.
  f.code = common::http_status_for(failure);
  f.message = failure.message().empty() ? std::string(sdk::status_code_name(failure.code())) : failure.message();
  f.details = failure.to_string();
  f.host = host_;
  if (sdk::Status st = conductor_.instance_fault_create(ctx, f); !st.ok()) {
    spdlog::warn("[{}] instance {}: could not record fault: {}", ctx.request_id, uuid, st.to_string());
  }
}

sdk::PowerState ComputeManager::power_state_of(const sdk::Instance& instance) {
  auto info = driver_->get_info(instance);
  return info.ok() ? info->state : sdk::PowerState::kNoState;
}

sdk::Status ComputeManager::destroy_guest(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg) {
  sdk::Status st = driver_->destroy(ctx, msg.instance, msg.network_info, {}, true);
  if (!st.ok()) {
    spdlog::error("[{}] instance {}: driver destroy failed: {}", ctx.request_id, msg.instance.uuid, st.to_string());
  }
  return st;
}

}  // namespace stratus::core::compute
