#include "core/conductor/stuck_instances.h"

#include <algorithm>
#include <charconv>
#include <exception>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/common/time_util.h"
#include "core/conductor/spec_from_record.h"
#include "core/compute/instance_states.h"
#include "core/db/allocation_repository.h"
#include "core/db/instance_fault_repository.h"
#include "core/db/periodic_lease_repository.h"
#include "core/db/service_liveness.h"
#include "core/db/service_repository.h"
#include "core/db/system_metadata_repository.h"
#include "core/rpcapi/instance_message.h"
#include "core/rpcapi/topics.h"
#include "stratus/rpc/context.h"

namespace stratus::core::conductor {
namespace {

namespace ts = compute::task_state;
namespace vs = compute::vm_state;
namespace method = rpcapi::compute_method;

// A power action the API casts, and how it is sent again.
using Cast = sdk::Status (rpcapi::ComputeRpcApi::*)(const sdk::RequestContext&, const rpcapi::InstanceMsg&) const;
struct Retry {
  std::string_view method;       // the compute method, for the log
  Cast cast = nullptr;           // null: reboot_instance with reboot_type
  std::string_view reboot_type;
};

std::optional<Retry> retry_of(const std::string& task) {
  using C = rpcapi::ComputeRpcApi;
  static const std::vector<std::pair<std::string_view, Retry>> kRetries = {
      {ts::kPoweringOff, {method::kStopInstance, &C::stop_instance, ""}},
      {ts::kPoweringOn, {method::kStartInstance, &C::start_instance, ""}},
      {ts::kRebooting, {method::kRebootInstance, nullptr, "SOFT"}},
      {ts::kRebootPending, {method::kRebootInstance, nullptr, "SOFT"}},
      {ts::kRebootStarted, {method::kRebootInstance, nullptr, "SOFT"}},
      {ts::kRebootingHard, {method::kRebootInstance, nullptr, "HARD"}},
      {ts::kRebootPendingHard, {method::kRebootInstance, nullptr, "HARD"}},
      {ts::kRebootStartedHard, {method::kRebootInstance, nullptr, "HARD"}},
      {ts::kPausing, {method::kPauseInstance, &C::pause_instance, ""}},
      {ts::kUnpausing, {method::kUnpauseInstance, &C::unpause_instance, ""}},
      {ts::kSuspending, {method::kSuspendInstance, &C::suspend_instance, ""}},
      {ts::kResuming, {method::kResumeInstance, &C::resume_instance, ""}},
      {ts::kSoftDeleting, {method::kSoftDeleteInstance, &C::soft_delete_instance, ""}},
      {ts::kRestoring, {method::kRestoreInstance, &C::restore_instance, ""}},
  };
  for (const auto& [name, retry] : kRetries) {
    if (task == name) return retry;
  }
  return std::nullopt;
}

// Every task state but the build's own (those are found by vm_state).
std::vector<std::string> action_task_states() {
  std::vector<std::string> out;
  for (std::string_view t : {ts::kRebooting, ts::kRebootPending, ts::kRebootStarted, ts::kRebootingHard,
                             ts::kRebootPendingHard, ts::kRebootStartedHard, ts::kPoweringOff, ts::kPoweringOn,
                             ts::kPausing, ts::kUnpausing, ts::kSuspending, ts::kResuming, ts::kSoftDeleting,
                             ts::kRestoring, ts::kRebuilding, ts::kRebuildSpawning, ts::kDeleting, ts::kScheduling,
                             ts::kNetworking, ts::kBlockDeviceMapping, ts::kSpawning}) {
    out.emplace_back(t);
  }
  return out;
}

bool older(const db::InstanceRecord& r, const std::string& cutoff) { return r.updated_at <= cutoff; }

// A build step before the driver is called: nothing of the guest exists on
// the host yet, so the build can go elsewhere without leaving anything behind.
bool before_spawn(const std::optional<std::string>& task) {
  return !task || *task == ts::kScheduling || *task == ts::kNetworking || *task == ts::kBlockDeviceMapping;
}

std::string cutoff(std::chrono::system_clock::time_point now, std::chrono::seconds bound) {
  return common::utc_at(now - bound);
}

// The system metadata key counting the sweep's re-sends of a placed build:
// "<host> <count>", the count applying to that host only.
constexpr const char* kBuildResendsKey = "build_resends";

std::string metadata_value(const std::map<std::string, std::string>& sys, const char* key) {
  auto it = sys.find(key);
  return it == sys.end() ? std::string() : it->second;
}

// The re-sends already made to `host` from a kBuildResendsKey value.
int resends_to(const std::string& value, const std::string& host) {
  const auto space = value.rfind(' ');
  if (space == std::string::npos || value.compare(0, space, host) != 0) return 0;
  int n = 0;
  const char* first = value.data() + space + 1;
  const char* last = value.data() + value.size();
  const auto [end, ec] = std::from_chars(first, last, n);
  return ec == std::errc() && end == last && n > 0 ? n : 0;
}

std::chrono::milliseconds lease_time(const ConductorOptions& o) {
  if (o.lease_time.count() > 0) return o.lease_time;
  return std::max(o.stuck_check_interval * 3, std::chrono::milliseconds(1000));
}

}  // namespace

StuckInstanceSweeper::StuckInstanceSweeper(db::Database& db, ComputeTaskManager& tasks, ConductorManager& manager,
                                           const rpcapi::ComputeRpcApi& compute, ConductorOptions options)
    : db_(db),
      tasks_(tasks),
      manager_(manager),
      compute_(compute),
      options_(std::move(options)),
      lease_(db, kLeaseName, db::lease_holder_name(options_.host), lease_time(options_)),
      presence_(db, presence_lease_name(options_.host), db::lease_holder_name(options_.host), lease_time(options_)) {}

std::string StuckInstanceSweeper::presence_lease_name(const std::string& host) {
  return "conductor.presence." + host;
}

StuckInstanceSweeper::~StuckInstanceSweeper() { stop(); }

StuckInstanceSweeper::Outcome StuckInstanceSweeper::sweep(const sdk::RequestContext& ctx,
                                                          std::chrono::system_clock::time_point now) {
  Outcome out;
  db::InstanceRepository instances(db_);
  const auto lost = options_.lost_build_timeout;
  const auto build = options_.instance_build_timeout;
  const auto task = options_.task_timeout;
  const auto down = std::chrono::duration_cast<std::chrono::seconds>(options_.service_down_time);
  const bool liveness = down.count() > 0 && liveness_is_known(now);

  // Builds: the lost ones first, then the ones that stopped moving.
  std::vector<std::chrono::seconds> build_bounds;
  for (auto b : {lost, build, liveness ? down : std::chrono::seconds(0)}) {
    if (b.count() > 0) build_bounds.push_back(b);
  }
  if (!build_bounds.empty()) {
    db::InstanceFilter f;
    f.project_id = std::nullopt;
    f.vm_states = {std::string(vs::kBuilding)};
    f.changes_before = cutoff(now, *std::min_element(build_bounds.begin(), build_bounds.end()));
    auto building = instances.list(f);
    if (!building.ok()) {
      spdlog::warn("[{}] stuck-instance sweep: listing builds: {}", ctx.request_id, building.status().message());
    } else {
      for (const db::InstanceRecord& r : *building) {
        if (!lease_kept(ctx)) break;
        if (r.task_state == std::optional<std::string>(ts::kDeleting)) continue;  // the delete rule's
        if (lost.count() > 0 && r.host.empty() && r.task_state == std::optional<std::string>(ts::kScheduling) &&
            older(r, cutoff(now, lost))) {
          if (claim(ctx, r)) {
            reschedule_lost_build(ctx, r);
            ++out.rescheduled;
          }
        } else if (liveness && !r.host.empty() && before_spawn(r.task_state) && older(r, cutoff(now, down)) &&
                   !host_is_up(r.host)) {
          (void)tasks_.reschedule_from_host(ctx, r.uuid, r.host,
                                            "compute host " + r.host + " is down (no heartbeat for " +
                                                std::to_string(down.count()) + " seconds) and had not started it");
          ++out.moved;
        } else if (lost.count() > 0 && options_.max_build_resends > 0 && !r.host.empty() &&
                   r.task_state == std::optional<std::string>(ts::kScheduling) && older(r, cutoff(now, lost)) &&
                   host_is_up(r.host) && cast_lost_with_conductor(r, now)) {
          if (claim(ctx, r)) {
            if (resend_placed_build(ctx, r)) {
              ++out.moved;
            } else {
              ++out.resent;
            }
          }
        } else if (build.count() > 0 && older(r, cutoff(now, build))) {
          if (set_error(ctx, r,
                        "Build of instance " + r.uuid + " timed out: no progress for " +
                            std::to_string(build.count()) + " seconds (task_state " + r.task_state.value_or("None") +
                            (r.host.empty() ? std::string(", no host") : ", host " + r.host) + ")")) {
            ++out.errored;
          }
        }
      }
    }
  }

  if (task.count() > 0) {
    db::InstanceFilter f;
    f.project_id = std::nullopt;
    f.task_states = action_task_states();
    f.changes_before = cutoff(now, task);
    auto busy = instances.list(f);
    if (!busy.ok()) {
      spdlog::warn("[{}] stuck-instance sweep: listing tasks: {}", ctx.request_id, busy.status().message());
    } else {
      for (const db::InstanceRecord& r : *busy) {
        if (!lease_kept(ctx)) break;
        if (r.vm_state == vs::kBuilding && r.task_state != std::optional<std::string>(ts::kDeleting)) continue;
        const std::string t = r.task_state.value_or("");
        const std::string waited = "task_state " + t + " did not complete within " + std::to_string(task.count()) +
                                   " seconds" + (r.host.empty() ? std::string() : " on host " + r.host);
        if (t == ts::kDeleting) {
          if (claim(ctx, r)) {
            retry_delete(ctx, r);
            ++out.retried;
          }
          continue;
        }
        bool retried_before = false;
        {
          std::lock_guard lock(mutex_);
          auto it = retried_.find(r.uuid);
          retried_before = it != retried_.end() && it->second == t;
        }
        db::InstanceRecord current = r;
        if (retry_of(t) && !retried_before && !r.host.empty() && host_is_up(r.host)) {
          if (!claim(ctx, r)) continue;  // moved, or another conductor has it
          if (retry_action(ctx, r)) {
            std::lock_guard lock(mutex_);
            retried_[r.uuid] = t;
            ++out.retried;
            continue;
          }
          auto fresh = instances.get(r.uuid);  // the claim changed updated_at
          if (!fresh.ok()) continue;
          current = std::move(fresh.value());
        }
        if (set_error(ctx, current, retried_before ? waited + ", sent again once" : waited)) ++out.errored;
      }
    }
  }

  // Forget the retries whose instance has left that task (or is gone).
  std::map<std::string, std::string> retried;
  {
    std::lock_guard lock(mutex_);
    retried = retried_;
  }
  for (const auto& [uuid, t] : retried) {
    auto r = instances.get(uuid);
    if (!r.ok() || r->task_state != std::optional<std::string>(t)) {
      std::lock_guard lock(mutex_);
      retried_.erase(uuid);
    }
  }
  if (out != Outcome{}) {
    spdlog::info("[{}] stuck-instance sweep: {} lost build(s) rescheduled, {} placed build(s) sent to their host "
                 "again, {} build(s) taken from their host, {} task(s) sent again, {} set to ERROR",
                 ctx.request_id, out.rescheduled, out.resent, out.moved, out.retried, out.errored);
  }
  return out;
}

bool StuckInstanceSweeper::claim(const sdk::RequestContext& ctx, const db::InstanceRecord& r) {
  db::InstanceUpdate u;  // changes nothing but updated_at
  u.expected_updated_at = r.updated_at;
  u.expected_vm_state = std::vector<std::string>{r.vm_state};
  u.expected_task_state = std::vector<std::optional<std::string>>{r.task_state};
  u.expected_host = r.host;
  auto claimed = db::InstanceRepository(db_).update(r.uuid, u);
  if (!claimed.ok()) {
    spdlog::debug("[{}] stuck-instance sweep: instance {} moved or taken: {}", ctx.request_id, r.uuid,
                  claimed.status().message());
  }
  return claimed.ok();
}

void StuckInstanceSweeper::reschedule_lost_build(const sdk::RequestContext& ctx, const db::InstanceRecord& r) {
  spdlog::warn("[{}] instance {}: waiting for a host since {}; its build request was lost, scheduling it again",
               ctx.request_id, r.uuid, r.updated_at);
  // A claim it holds is the lost attempt's (no host was ever set): the
  // scheduler would refuse a new one beside it.
  if (sdk::Status s = db::AllocationRepository(db_).release(r.uuid); !s.ok()) {
    spdlog::warn("[{}] instance {}: releasing the lost attempt's claim: {}", ctx.request_id, r.uuid, s.message());
  }
  rpcapi::BuildInstancesRequest request;
  request.instance_uuids = {r.uuid};
  request.spec = spec_from_record(db_, r);
  (void)tasks_.build_instances(ctx, request);
}

void StuckInstanceSweeper::retry_delete(const sdk::RequestContext& ctx, const db::InstanceRecord& r) {
  if (r.host.empty() || !host_is_up(r.host)) {
    spdlog::warn("[{}] instance {}: delete stuck since {} and {}; deleting it here", ctx.request_id, r.uuid,
                 r.updated_at, r.host.empty() ? "no host" : "host " + r.host + " is down");
    if (sdk::Status s = manager_.instance_destroy(ctx, r.uuid); !s.ok()) {
      spdlog::error("[{}] instance {}: delete: {}", ctx.request_id, r.uuid, s.to_string());
    }
    return;
  }
  auto msg = rpcapi::load_instance_msg(db_, r.uuid);
  if (!msg.ok()) return;  // deleted meanwhile
  spdlog::warn("[{}] instance {}: delete stuck since {}; sending it to {} again", ctx.request_id, r.uuid,
               r.updated_at, r.host);
  if (sdk::Status s = compute_.terminate_instance(ctx, *msg); !s.ok()) {
    spdlog::warn("[{}] instance {}: terminate_instance to {}: {}", ctx.request_id, r.uuid, r.host, s.to_string());
  }
}

bool StuckInstanceSweeper::retry_action(const sdk::RequestContext& ctx, const db::InstanceRecord& r) {
  const std::optional<Retry> retry = retry_of(r.task_state.value_or(""));
  auto msg = rpcapi::load_instance_msg(db_, r.uuid);
  if (!retry || !msg.ok()) return false;
  spdlog::warn("[{}] instance {}: {} stuck since {}; sending {} to {} again", ctx.request_id, r.uuid,
               r.task_state.value_or(""), r.updated_at, retry->method, r.host);
  const sdk::Status s = retry->cast ? (compute_.*(retry->cast))(ctx, *msg)
                                    : compute_.reboot_instance(ctx, *msg, std::string(retry->reboot_type));
  if (!s.ok()) {
    spdlog::warn("[{}] instance {}: {} to {}: {}", ctx.request_id, r.uuid, retry->method, r.host, s.to_string());
  }
  return s.ok();
}

bool StuckInstanceSweeper::cast_lost_with_conductor(const db::InstanceRecord& r,
                                                    std::chrono::system_clock::time_point now) {
  auto sys = db::SystemMetadataRepository(db_).get(r.uuid);
  if (!sys.ok()) return false;
  // Recorded before each cast: another host's record is an earlier attempt's,
  // so this placement's conductor died before it got as far as its cast.
  if (metadata_value(*sys, kBuildHostKey) != r.host) return true;
  const std::string owner = metadata_value(*sys, kBuildConductorKey);
  if (owner == presence_.holder()) return false;  // this process: alive, and it cast it
  const auto colon = owner.rfind(':');
  if (colon == std::string::npos) return true;  // no owner named: not one that is alive
  auto lease = db::PeriodicLeaseRepository(db_).get(presence_lease_name(owner.substr(0, colon)));
  if (!lease.ok()) return false;
  return !lease->has_value() || (*lease)->holder != owner || (*lease)->expires_at <= common::utc_at(now);
}

bool StuckInstanceSweeper::resend_placed_build(const sdk::RequestContext& ctx, const db::InstanceRecord& r) {
  auto sys = db::SystemMetadataRepository(db_).get(r.uuid);
  const int resends = sys.ok() ? resends_to(metadata_value(*sys, kBuildResendsKey), r.host) : 0;
  if (resends >= options_.max_build_resends) {
    (void)tasks_.reschedule_from_host(ctx, r.uuid, r.host,
                                      "build_and_run_instance was sent to host " + r.host + " " +
                                          std::to_string(resends + 1) + " times and never started");
    return true;
  }
  spdlog::warn("[{}] instance {}: placed on {} since {} and never started, its conductor gone; sending it again "
               "({} of {})",
               ctx.request_id, r.uuid, r.host, r.updated_at, resends + 1, options_.max_build_resends);
  if (sdk::Status s = db::SystemMetadataRepository(db_).update(
          r.uuid, {{kBuildResendsKey, r.host + " " + std::to_string(resends + 1)}});
      !s.ok()) {
    spdlog::warn("[{}] instance {}: counting the re-send: {}", ctx.request_id, r.uuid, s.message());
  }
  (void)tasks_.resend_build(ctx, r);
  return false;
}

bool StuckInstanceSweeper::set_error(const sdk::RequestContext& ctx, const db::InstanceRecord& r,
                                     const std::string& message) {
  // Claimed first, so that the fault is written only by the one conductor
  // that sets ERROR, and before ERROR shows (whoever sees ERROR finds it).
  if (!claim(ctx, r)) return false;
  auto claimed = db::InstanceRepository(db_).get(r.uuid);
  if (!claimed.ok()) return false;
  if (auto f = db::InstanceFaultRepository(db_).add(r.uuid, 500, message, message, r.host); !f.ok()) {
    spdlog::error("[{}] instance {}: recording the fault: {}", ctx.request_id, r.uuid, f.status().message());
  }
  db::InstanceUpdate u;
  u.vm_state = std::string(vs::kError);
  u.task_state = std::optional<std::string>();
  u.expected_updated_at = claimed->updated_at;
  if (auto s = db::InstanceRepository(db_).update(r.uuid, u); !s.ok()) {
    spdlog::info("[{}] instance {} moved meanwhile; not set to ERROR: {}", ctx.request_id, r.uuid,
                 s.status().message());
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    retried_.erase(r.uuid);
  }
  spdlog::warn("[{}] instance {}: ERROR: {}", ctx.request_id, r.uuid, message);
  return true;
}

bool StuckInstanceSweeper::lease_kept(const sdk::RequestContext& ctx) {
  const LeaseState state = lease_state_.load();
  if (state == LeaseState::kNone) return true;
  if (state == LeaseState::kLost) return false;
  if (lease_.keep(ctx.request_id)) return true;
  spdlog::warn("[{}] stuck-instance sweep stopped half way: this conductor no longer holds its lease", ctx.request_id);
  lease_state_ = LeaseState::kLost;  // the rest of this pass acts on nothing more
  return false;
}

bool StuckInstanceSweeper::host_is_up(const std::string& host) {
  auto service = db::ServiceRepository(db_).get(host, std::string(rpcapi::kComputeBinary));
  return service.ok() && db::service_is_up(*service, options_.service_down_time);
}

bool StuckInstanceSweeper::liveness_is_known(std::chrono::system_clock::time_point now) {
  {
    std::lock_guard lock(mutex_);
    if (!first_sweep_) first_sweep_ = now;
    if (now - *first_sweep_ < options_.service_down_time) return false;
  }
  auto computes = db::ServiceRepository(db_).list(std::nullopt, std::string(rpcapi::kComputeBinary));
  if (!computes.ok()) return false;
  return std::any_of(computes->begin(), computes->end(), [&](const db::ServiceRecord& s) {
    return db::service_is_up(s, options_.service_down_time);
  });
}

void StuckInstanceSweeper::start() {
  if (options_.stuck_check_interval.count() <= 0 || thread_.joinable()) return;
  // Present from the start: the builds this conductor places are its own.
  (void)presence_.hold(rpc::RequestContext::new_request_id());
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, options_.stuck_check_interval, [this] { return stopping_; })) {
      lock.unlock();
      const sdk::RequestContext ctx{rpc::RequestContext::new_request_id(), "", "", {}};
      try {
        (void)presence_.hold(ctx.request_id);
        if (lease_.hold(ctx.request_id)) {
          lease_state_ = LeaseState::kHeld;
          (void)sweep(ctx, std::chrono::system_clock::now());
        }
      } catch (const std::exception& e) {
        spdlog::error("[{}] stuck-instance sweep failed: {}", ctx.request_id, e.what());
      }
      lease_state_ = LeaseState::kNone;
      lock.lock();
    }
  });
}

void StuckInstanceSweeper::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
    lease_.release(rpc::RequestContext::new_request_id());
    presence_.release(rpc::RequestContext::new_request_id());
  }
}

}  // namespace stratus::core::conductor
