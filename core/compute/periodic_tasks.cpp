// The periodic tasks (Nova's @periodic_task methods): heartbeat, resource
// report, power-state sync and reclaim, run by a PeriodicTimer (the host's
// own, or one the hosts of the process share).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/compute/compute_manager.h"
#include "core/compute/host_default_resources.h"
#include "core/compute/instance_states.h"
#include "core/common/time_util.h"
#include "core/rpcapi/topics.h"

namespace stratus::core::compute {

namespace {

namespace vs = vm_state;
using Clock = std::chrono::steady_clock;

sdk::RequestContext periodic_context() { return {rpc::RequestContext::new_request_id(), "", "", {}}; }

// "now - age" in the database's timestamp form, which sorts as time does.
std::string utc_before(std::chrono::milliseconds age) {
  const auto then = std::chrono::system_clock::now() - age;
  const std::time_t secs = std::chrono::system_clock::to_time_t(then);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(then.time_since_epoch()).count() % 1'000'000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(micros < 0 ? 0 : micros));
  return buf;
}

}  // namespace

void ComputeManager::init_schedules(Clock::time_point now) {
  // A host sharing its timer with others starts at its own phase of each
  // interval (options_.periodic_phase), so that their tasks spread out.
  const double phase = options_.periodic_phase > 0 && options_.periodic_phase <= 1 ? options_.periodic_phase : 1.0;
  auto first = [&](std::chrono::milliseconds interval) {
    return now + std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(interval.count()) * phase));
  };
  schedules_.heartbeat = {options_.heartbeat_interval, first(options_.heartbeat_interval)};
  schedules_.report = {options_.resource_report_interval, first(options_.resource_report_interval)};
  schedules_.sync = {options_.sync_power_state_interval, first(options_.sync_power_state_interval)};
  schedules_.reclaim = {options_.reclaim_instance_interval, first(options_.reclaim_instance_interval)};
  // Shelved instances are looked at as often as they may become due.
  schedules_.shelved = {options_.shelved_offload_time, first(options_.shelved_offload_time)};
  // Until a conductor has answered a report, it is repeated with a doubling
  // wait (bounded by first_report_retry_max), whatever the report interval.
  schedules_.retry_wait = std::max(options_.first_report_retry_min, std::chrono::milliseconds(1));
  schedules_.retry_next = now + schedules_.retry_wait;
}

Clock::time_point ComputeManager::periodic_tick(Clock::time_point now) {
  Schedules& s = schedules_;
  bool report_asked = false;
  bool events = false;
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::kStopped) return now + std::chrono::hours(1);
    report_asked = std::exchange(report_requested_, false);
    events = !event_syncs_.empty();
  }
  if (events) sync_power_states_from_events();
  if (report_asked) {
    update_available_resource();
    if (s.report.enabled()) s.report.next = Clock::now() + s.report.interval;
  }
  s.heartbeat.run_if_due([&] { send_heartbeat(); });
  s.report.run_if_due([&] { update_available_resource(); });
  if (!report_heard_ && Clock::now() >= s.retry_next) {
    update_available_resource();
    s.retry_wait = std::min(s.retry_wait * 2, std::max(options_.first_report_retry_max, s.retry_wait));
    s.retry_next = Clock::now() + s.retry_wait;
  }
  s.sync.run_if_due([&] { sync_power_states(); });
  s.reclaim.run_if_due([&] { reclaim_queued_deletes(); });
  s.shelved.run_if_due([&] { offload_shelved_instances(); });
  // Nothing due: sleep long; request_resource_report and lifecycle events wake the timer.
  Clock::time_point wake = Clock::now() + std::chrono::hours(1);
  for (const Schedule* each : {&s.heartbeat, &s.report, &s.sync, &s.reclaim, &s.shelved}) {
    if (each->enabled()) wake = std::min(wake, each->next);
  }
  if (!report_heard_) wake = std::min(wake, s.retry_next);
  return wake;
}

void ComputeManager::request_resource_report() {
  PeriodicTimer::Id id = 0;
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::kRunning) return;
    report_requested_ = true;
    id = timer_id_;
  }
  if (id != 0) timer_->wake(id);
}

void ComputeManager::send_heartbeat() {
  const sdk::RequestContext ctx = periodic_context();
  rpcapi::ServiceMsg service{host_, std::string(rpcapi::kComputeBinary), std::string(rpcapi::kComputeTopic), false,
                             served_version_};
  if (options_.report_batcher) {
    options_.report_batcher->heartbeat(std::move(service));
    return;
  }
  if (sdk::Status st = conductor_.service_heartbeat(ctx, service); !st.ok()) {
    spdlog::warn("[{}] compute {}: heartbeat not sent: {}", ctx.request_id, host_, st.to_string());
  }
}

bool ComputeManager::update_available_resource() {
  const sdk::RequestContext ctx = periodic_context();
  std::lock_guard lock(report_mutex_);
  auto resources = driver_->get_available_resource(host_);
  if (!resources.ok() && resources.status().is(sdk::StatusCode::kNotSupported)) {
    // The method is optional: a driver without it reports the machine itself.
    if (!default_resources_logged_.exchange(true)) {
      spdlog::info("[{}] compute {}: the driver has no get_available_resource ({}); reporting the host's own "
                   "CPUs, memory and the disk of {}",
                   ctx.request_id, host_, resources.status().message(),
                   options_.state_path.empty() ? std::string(".") : options_.state_path.string());
    }
    resources = host_default_resources(host_, options_.state_path);
  }
  if (!resources.ok()) {
    spdlog::warn("[{}] compute {}: no resource report: {}", ctx.request_id, host_, resources.status().to_string());
    return false;
  }
  rpcapi::NodeReportMsg report;
  report.host = host_;
  report.resources = std::move(resources).value();
  report.capabilities = driver_->capabilities();
  if (auto uuids = driver_->list_instances(); uuids.ok()) {
    report.instance_uuids = std::move(uuids).value();
  } else {
    spdlog::warn("[{}] compute {}: list_instances: {}", ctx.request_id, host_, uuids.status().to_string());
  }
  if (options_.report_batcher) {
    // With the other hosts' reports; until one is heard, the batch is a
    // call whose answer says so (and the periodic tick repeats it).
    ReportBatcher::Heard heard;
    if (!report_heard_) {
      ++first_report_attempts_;
      heard = [this, vcpus = report.resources.vcpus, memory = report.resources.memory_mb](bool ok) {
        if (ok && !report_heard_.exchange(true)) {
          spdlog::debug("compute {}: resource report heard by the conductor (attempt {}); {} vcpus, {} MB", host_,
                        first_report_attempts_.load(), vcpus, memory);
        }
      };
    }
    options_.report_batcher->report(std::move(report), std::move(heard));
    return true;
  }
  if (!report_heard_) {
    // A call, not a cast: a cast to a conductor that is not up yet is lost,
    // and this host would be unknown until the next periodic report.
    const int attempt = ++first_report_attempts_;
    sdk::Status st = conductor_.compute_node_update_acked(ctx, report, options_.first_report_timeout);
    if (!st.ok()) {
      if (attempt == 1) {
        spdlog::warn("[{}] compute {}: first resource report not heard ({}); retrying until a conductor answers",
                     ctx.request_id, host_, st.to_string());
      } else {
        spdlog::debug("[{}] compute {}: first resource report, attempt {}: {}", ctx.request_id, host_, attempt,
                      st.to_string());
      }
      return false;
    }
    report_heard_ = true;
    spdlog::info("[{}] compute {}: resource report heard by the conductor (attempt {}); {} vcpus, {} MB",
                 ctx.request_id, host_, attempt, report.resources.vcpus, report.resources.memory_mb);
    return true;
  }
  if (sdk::Status st = conductor_.compute_node_update(ctx, report); !st.ok()) {
    spdlog::warn("[{}] compute {}: resource report not sent: {}", ctx.request_id, host_, st.to_string());
    return false;
  }
  spdlog::debug("[{}] compute {}: reported {} vcpus used of {}, {} guests", ctx.request_id, host_,
                report.resources.vcpus_used, report.resources.vcpus, report.instance_uuids.size());
  return true;
}

void ComputeManager::sync_power_states() {
  const sdk::RequestContext ctx = periodic_context();
  auto instances = conductor_.instance_get_all_by_host(ctx, host_);
  if (!instances.ok()) {
    spdlog::warn("[{}] compute {}: power sync skipped: {}", ctx.request_id, host_, instances.status().to_string());
    return;
  }
  for (const rpcapi::InstanceMsg& msg : instances.value()) {
    if (stopping()) return;
    // An instance with a task is being changed; that task sets its state.
    if (msg.task_state || msg.vm_state == vs::kBuilding) continue;
    auto guard = locks_.try_lock(msg.instance.uuid);
    if (!guard) continue;
    sync_instance_power_state(ctx, msg);
  }
}

void ComputeManager::on_lifecycle_event(const sdk::LifecycleEvent& event) {
  PeriodicTimer::Id id = 0;
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::kRunning) return;
    event_syncs_.insert(event.instance_uuid);
    id = timer_id_;
  }
  spdlog::debug("compute {}: instance {}: lifecycle event '{}'", host_, event.instance_uuid,
                sdk::lifecycle_transition_name(event.transition));
  if (id != 0) timer_->wake(id);
}

void ComputeManager::sync_power_states_from_events() {
  std::set<std::string> uuids;
  {
    std::lock_guard lock(mutex_);
    uuids.swap(event_syncs_);
  }
  if (uuids.empty()) return;
  const sdk::RequestContext ctx = periodic_context();
  auto instances = conductor_.instance_get_all_by_host(ctx, host_);
  if (!instances.ok()) {
    spdlog::warn("[{}] compute {}: event power sync skipped: {}", ctx.request_id, host_,
                 instances.status().to_string());
    return;
  }
  for (const rpcapi::InstanceMsg& msg : instances.value()) {
    if (uuids.count(msg.instance.uuid) == 0) continue;  // not ours (any more)
    if (stopping()) return;
    // As the periodic sync: an instance with a task is being changed (our own
    // stop or reboot caused the event), and that task sets its state.
    if (msg.task_state || msg.vm_state == vs::kBuilding) continue;
    auto guard = locks_.try_lock(msg.instance.uuid);
    if (!guard) continue;
    spdlog::info("[{}] instance {}: lifecycle event from the driver; syncing its power state", ctx.request_id,
                 msg.instance.uuid);
    sync_instance_power_state(ctx, msg);
  }
}

void ComputeManager::sync_instance_power_state(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg) {
  using sdk::PowerState;
  const std::string& uuid = msg.instance.uuid;
  auto info = driver_->get_info(msg.instance);
  PowerState driver_state = PowerState::kNoState;
  if (info.ok()) {
    driver_state = info->state;
  } else if (!info.status().is(sdk::StatusCode::kNotFound)) {
    // The hypervisor cannot tell; acting on that would be a guess.
    spdlog::warn("[{}] instance {}: power sync: {}", ctx.request_id, uuid, info.status().to_string());
    return;
  }
  const bool off = driver_state == PowerState::kShutdown || driver_state == PowerState::kCrashed;
  rpcapi::InstanceUpdateMsg u;
  u.instance_uuid = uuid;
  u.expected_task_state = {std::string(task_state::kNone)};
  u.expected_vm_state = {msg.vm_state};
  bool force_stop = false;
  if (msg.vm_state == vs::kActive && off) {
    spdlog::warn("[{}] instance {}: shut down by itself ({}); stopping it", ctx.request_id, uuid,
                 sdk::power_state_name(driver_state));
    force_stop = true;
  } else if (msg.vm_state == vs::kActive && driver_state == PowerState::kNoState) {
    spdlog::warn("[{}] instance {}: the guest is gone from {}; marking it stopped", ctx.request_id, uuid, host_);
    u.vm_state = std::string(vs::kStopped);
  } else if (msg.vm_state == vs::kStopped && !off && driver_state != PowerState::kNoState) {
    spdlog::warn("[{}] instance {}: running although stopped; stopping it", ctx.request_id, uuid);
    force_stop = true;
  } else if (msg.vm_state == vs::kPaused && off) {
    spdlog::warn("[{}] instance {}: shut down while paused; stopping it", ctx.request_id, uuid);
    force_stop = true;
  }
  if (force_stop) {
    // Nova's force_stop: a hard power-off (a crashed guest does not answer
    // ACPI), and the instance is stopped whatever the driver says.
    if (sdk::Status st = driver_->power_off(ctx, msg.instance, 0, 0); !st.ok()) {
      spdlog::warn("[{}] instance {}: power off: {}", ctx.request_id, uuid, st.to_string());
    }
    u.vm_state = std::string(vs::kStopped);
    driver_state = power_state_of(msg.instance);
  }
  if (driver_state != msg.instance.power_state) u.power_state = driver_state;
  if (!u.vm_state && !u.power_state) return;
  if (auto r = update(ctx, u); r.ok()) {
    spdlog::info("[{}] instance {}: power sync: vm_state {} -> {}, power {} -> {}", ctx.request_id, uuid,
                 msg.vm_state, r->vm_state, sdk::power_state_name(msg.instance.power_state),
                 sdk::power_state_name(driver_state));
  }
}

void ComputeManager::reclaim_queued_deletes() {
  if (options_.reclaim_instance_interval.count() <= 0) return;
  const sdk::RequestContext ctx = periodic_context();
  auto instances = conductor_.instance_get_all_by_host(ctx, host_);
  if (!instances.ok()) {
    spdlog::warn("[{}] compute {}: reclaim skipped: {}", ctx.request_id, host_, instances.status().to_string());
    return;
  }
  const std::string cutoff = utc_before(options_.reclaim_instance_interval);
  for (const rpcapi::InstanceMsg& msg : instances.value()) {
    if (stopping()) return;
    if (msg.vm_state != vs::kSoftDeleted || msg.task_state) continue;
    // Stored timestamps sort as time does; normalise anything else first.
    auto updated = common::parse_timestamp(msg.updated_at);
    if (!updated.ok() || updated.value() >= cutoff) continue;
    auto guard = locks_.try_lock(msg.instance.uuid);
    if (!guard) continue;
    spdlog::info("[{}] instance {}: soft-deleted since {}; reclaiming", ctx.request_id, msg.instance.uuid,
                 msg.updated_at);
    (void)delete_instance(ctx, msg, false);
  }
}

}  // namespace stratus::core::compute
