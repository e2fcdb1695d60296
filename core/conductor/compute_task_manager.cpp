#include "core/conductor/compute_task_manager.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <system_error>
#include <chrono>
#include <thread>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/conductor/block_device_info.h"
#include "core/conductor/spec_from_record.h"
#include "core/conductor/test_hooks.h"
#include "core/db/aggregate_repository.h"
#include "core/db/allocation_repository.h"
#include "core/db/image_repository.h"
#include "core/db/instance_action_repository.h"
#include "core/db/instance_fault_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/periodic_lease.h"
#include "core/db/service_repository.h"
#include "core/db/system_metadata_repository.h"
#include "core/rpcapi/instance_message.h"
#include "core/rpcapi/topics.h"
#include "core/db/service_liveness.h"
#include "core/metrics/service_metrics.h"

namespace stratus::core::conductor {
namespace {

// The task states of a build in progress, None included: a reschedule may
// take the instance over from any of them, but not from "deleting".
std::vector<std::optional<std::string>> build_task_states() {
  return {std::string("scheduling"), std::nullopt, std::string("networking"), std::string("block_device_mapping"),
          std::string("spawning")};
}

// Between two select_destinations that found no scheduler.
constexpr std::chrono::milliseconds kSchedulerRetryPause{250};

bool deleted_meanwhile(const sdk::Status& s) {
  return s.is(sdk::StatusCode::kNotFound) || s.is(sdk::StatusCode::kInvalidState);
}

void add_ignored(sdk::RequestSpec& spec, const std::string& host) {
  if (!host.empty() && std::find(spec.ignore_hosts.begin(), spec.ignore_hosts.end(), host) == spec.ignore_hosts.end()) {
    spec.ignore_hosts.push_back(host);
  }
}

// Nova's wording for a build that has nowhere left to go:
//  - max_attempts 1: the compute host gives up at once (BuildAbortException);
//  - the attempts are used up (populate_retry's MaxRetriesExceeded);
//  - the alternates ran out first (the conductor's MaxRetriesExceeded).
// Nova leaves the driver's message out of the last; it is kept here, since
// it is the one thing the user needs to know.
std::string no_more_hosts_message(const std::string& uuid, int max_attempts, int attempts, const std::string& why) {
  if (max_attempts <= 1) return "Build of instance " + uuid + " aborted: " + why;
  std::string out = "Exceeded maximum number of retries. ";
  if (attempts >= max_attempts) {
    out += "Exceeded max scheduling attempts " + std::to_string(max_attempts) + " for instance " + uuid + ".";
  } else {
    out += "Exhausted all hosts available for retrying build failures for instance " + uuid + ".";
  }
  return out + " Last exception: " + why;
}

// The request id of the instance's create action, nullopt without one.
std::optional<std::string> create_request_id(db::Database& db, const std::string& uuid) {
  auto list = db::InstanceActionRepository(db).list(uuid);
  if (!list.ok()) return std::nullopt;
  const auto create = std::find_if(list->begin(), list->end(),
                                   [](const db::InstanceActionRecord& a) { return a.action == "create"; });
  if (create == list->end()) return std::nullopt;
  return create->request_id;
}

}  // namespace

ComputeTaskManager::ComputeTaskManager(db::Database& db, const rpcapi::SchedulerRpcApi& scheduler,
                                       const rpcapi::ComputeRpcApi& compute, ConductorOptions options)
    : db_(db), scheduler_(scheduler), compute_(compute), options_(std::move(options)) {}

sdk::Status ComputeTaskManager::build_instances(const sdk::RequestContext& ctx,
                                                const rpcapi::BuildInstancesRequest& request) {
  return schedule_and_build(ctx, request, 1);
}

sdk::Status ComputeTaskManager::schedule_and_build(const sdk::RequestContext& ctx,
                                                   const rpcapi::BuildInstancesRequest& request,
                                                   std::int32_t attempt) {
  const std::string& rid = ctx.request_id;
  rpcapi::SelectDestinationsRequest select{request.spec, request.instance_uuids, options_.max_attempts};
  auto selections = scheduler_.select_destinations(ctx, select);
  // No scheduler connected (one restarting): the call was never delivered,
  // so it is made again, for up to call_timeout, before the build fails.
  const auto give_up = std::chrono::steady_clock::now() + options_.call_timeout;
  while (!selections.ok() && selections.status().is(sdk::StatusCode::kUnavailable) &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(kSchedulerRetryPause);
    selections = scheduler_.select_destinations(ctx, select);
  }
  if (selections.ok() && selections->size() != request.instance_uuids.size()) {
    selections = sdk::Status::Internal("scheduler.select_destinations returned " +
                                       std::to_string(selections->size()) + " destinations for " +
                                       std::to_string(request.instance_uuids.size()) + " instances");
  }
  if (!selections.ok()) {
    const std::string& message = selections.status().message();
    spdlog::warn("[{}] build_instances: scheduling {} instance(s) failed: {}", rid, request.instance_uuids.size(),
                 message);
    for (const auto& uuid : request.instance_uuids) {
      // Placed already by another delivery of this request (the scheduler
      // refuses a second claim): that build goes on.
      if (auto r = db::InstanceRepository(db_).get(uuid); r.ok() && !r->host.empty()) {
        spdlog::info("[{}] instance {} was placed on {} meanwhile; left to that build", rid, uuid, r->host);
        continue;
      }
      set_error(ctx, uuid, message, selections.status().to_string(), "", kScheduleAndBuildEvent);
    }
    return selections.status();
  }

  for (std::size_t i = 0; i < request.instance_uuids.size(); ++i) {
    const std::string& uuid = request.instance_uuids[i];
    const rpcapi::SelectionMsg& selection = (*selections)[i];
    const rpcapi::DestinationMsg& dest = selection.destination;

    db::InstanceUpdate update;
    update.host = dest.host;
    update.node = dest.nodename;
    // An instance asked for no zone lands in its host's: the zone an
    // aggregate gives the host, else Nova's default_availability_zone "nova".
    if (request.spec.availability_zone.empty()) {
      std::string zone = "nova";
      if (auto zones = db::AggregateRepository(db_).zones_by_host(); zones.ok()) {
        if (auto it = zones->find(dest.host); it != zones->end()) zone = it->second;
      } else {
        spdlog::warn("[{}] reading host zones: {}", rid, zones.status().message());
      }
      update.availability_zone = zone;
    }
    update.expected_task_state = std::vector<std::optional<std::string>>{std::string("scheduling")};
    update.expected_vm_state = std::vector<std::string>{"building"};
    // Not placed yet: a build_instances delivered twice (the sweep re-sends
    // one it believes lost) places the instance once.
    update.expected_host = std::string();
    auto placed = place(rid, uuid, update, request.spec, attempt);
    if (!placed.ok()) {
      spdlog::info("[{}] instance {} not built on {}: {}", rid, uuid, dest.host, placed.status().message());
      if (restore_winner_claim(ctx, uuid)) continue;
      // Deleted (or otherwise taken over) while the scheduler worked: its
      // claim must not outlive it.
      release_claim_now(rid, uuid);
      (void)scheduler_.release(ctx, uuid);
      continue;
    }

    sdk::RequestSpec spec = request.spec;
    spec.instance_uuid = uuid;
    spec.num_instances = 1;
    auto cast = cast_build(ctx, *placed, dest.host, spec, selection.alternates, attempt, request.injection);
    if (cast.ok()) {
      spdlog::info("[{}] instance {} sent to {} ({} alternate(s))", rid, uuid, dest.host, selection.alternates.size());
      continue;
    }
    // The host went away between the scheduler's choice and the cast: a
    // failed attempt like any other.
    spdlog::warn("[{}] build_and_run_instance of {} on {} failed: {}", rid, uuid, dest.host, cast.message());
    (void)reschedule_instance(ctx, rpcapi::RescheduleRequest{uuid, spec, selection.alternates, dest.host,
                                                             cast.message(), attempt, request.injection});
  }
  return sdk::Status::OK();
}

sdk::Status ComputeTaskManager::reschedule_instance(const sdk::RequestContext& ctx,
                                                    const rpcapi::RescheduleRequest& request) {
  const std::string& rid = ctx.request_id;
  const std::string& uuid = request.instance_uuid;
  auto record = db::InstanceRepository(db_).get(uuid);
  // From a host the build was taken from (judged down, or handed back after
  // a restart): the instance and its claim belong to its new placement.
  if (record.ok() && !request.failed_host.empty() && !record->host.empty() && record->host != request.failed_host) {
    spdlog::info("[{}] instance {} is no longer on {} (host '{}'); its reschedule request is stale, ignored", rid,
                 uuid, request.failed_host, record->host);
    return sdk::Status::OK();
  }
  if (request.attempt == 0) return reschedule_from_host(ctx, uuid, request.failed_host, request.fault_message);
  release_claim_now(rid, uuid);
  if (!record.ok() || record->vm_state != "building" || record->task_state == std::optional<std::string>("deleting")) {
    spdlog::info("[{}] instance {} is no longer being built; not rescheduled", rid, uuid);
    (void)scheduler_.release(ctx, uuid);
    return sdk::Status::OK();
  }

  sdk::RequestSpec spec = request.spec;
  spec.instance_uuid = uuid;
  add_ignored(spec, request.failed_host);
  std::vector<rpcapi::DestinationMsg> alternates = request.alternates;
  int attempts = std::max(1, static_cast<int>(request.attempt));
  std::string why = request.fault_message;
  std::string failed_host = request.failed_host;
  spdlog::info("[{}] rescheduling instance {} after attempt {} failed on {}: {}", rid, uuid, attempts, failed_host,
               why);

  // Each alternate is looked at once; the loop ends with them.
  while (!alternates.empty() && attempts < options_.max_attempts) {
    const rpcapi::DestinationMsg alt = alternates.front();
    alternates.erase(alternates.begin());

    auto service = db::ServiceRepository(db_).get(alt.host, std::string(rpcapi::kComputeBinary));
    if (!service.ok() || !db::service_is_up(*service, options_.service_down_time)) {
      spdlog::info("[{}] alternate {} of instance {} is down; skipped", rid, alt.host, uuid);
      continue;
    }
    if (auto s = scheduler_.claim(ctx, rpcapi::ClaimMsg{alt, uuid, record->flavor}); !s.ok()) {
      spdlog::info("[{}] alternate {}/{} of instance {} refused: {}", rid, alt.host, alt.nodename, uuid, s.message());
      continue;
    }

    // Nova's compute sets scheduling before it asks for the reschedule; do
    // it here so the next host's "building, None" step has its guard.
    db::InstanceUpdate update;
    update.host = alt.host;
    update.node = alt.nodename;
    update.task_state = std::optional<std::string>("scheduling");
    update.expected_vm_state = std::vector<std::string>{"building"};
    update.expected_task_state = build_task_states();
    auto placed = place(rid, uuid, update, spec, attempts + 1);
    if (!placed.ok()) {
      spdlog::info("[{}] instance {} not rescheduled to {}: {}", rid, uuid, alt.host, placed.status().message());
      release_claim_now(rid, uuid);
      (void)scheduler_.release(ctx, uuid);
      return deleted_meanwhile(placed.status()) ? sdk::Status::OK() : placed.status();
    }

    ++attempts;
    auto cast = cast_build(ctx, *placed, alt.host, spec, alternates, attempts, request.injection);
    if (cast.ok()) {
      metrics::count_build(metrics::BuildOutcome::kRescheduled);
      spdlog::info("[{}] instance {} rescheduled to {} (attempt {}, {} alternate(s) left)", rid, uuid, alt.host,
                   attempts, alternates.size());
      return sdk::Status::OK();
    }
    spdlog::warn("[{}] build_and_run_instance of {} on {} failed: {}", rid, uuid, alt.host, cast.message());
    release_claim_now(rid, uuid);
    why = cast.message();
    failed_host = alt.host;
    add_ignored(spec, alt.host);
  }

  (void)scheduler_.release(ctx, uuid);
  const std::string message = no_more_hosts_message(uuid, options_.max_attempts, attempts, why);
  spdlog::warn("[{}] instance {}: {}", rid, uuid, message);
  set_error(ctx, uuid, message, why, failed_host, nullptr);
  return sdk::Status::NotFound(message);
}

sdk::Status ComputeTaskManager::reschedule_from_host(const sdk::RequestContext& ctx, const std::string& uuid,
                                                     const std::string& failed_host, const std::string& why) {
  const std::string& rid = ctx.request_id;
  auto record = db::InstanceRepository(db_).get(uuid);
  if (!record.ok()) {  // deleted: its claim must not outlive it
    release_claim_now(rid, uuid);
    (void)scheduler_.release(ctx, uuid);
    return sdk::Status::OK();
  }
  if (failed_host.empty() || record->host != failed_host || record->vm_state != "building" ||
      record->task_state == std::optional<std::string>("deleting")) {
    spdlog::info("[{}] instance {} is not building on {} (host '{}', {}/{}); not rescheduled", rid, uuid,
                 failed_host, record->host, record->vm_state, record->task_state.value_or("None"));
    return sdk::Status::OK();
  }
  // Taken from the host in one guarded update: of the sweeps of several
  // conductors and the host's own hand-back, one wins; the host's later
  // steps (guarded by their host) are refused.
  db::InstanceUpdate take;
  take.host = std::string();
  take.node = std::string();
  take.task_state = std::optional<std::string>("scheduling");
  take.expected_vm_state = std::vector<std::string>{"building"};
  take.expected_task_state = build_task_states();
  take.expected_host = failed_host;
  if (auto taken = db::InstanceRepository(db_).update(uuid, take); !taken.ok()) {
    spdlog::info("[{}] instance {} moved meanwhile; not rescheduled: {}", rid, uuid, taken.status().message());
    return sdk::Status::OK();
  }
  release_claim_now(rid, uuid);
  (void)scheduler_.release(ctx, uuid);
  const int attempts = recorded_attempt(uuid);
  record_lost_attempt(ctx, uuid, failed_host, why);
  if (const std::string forced = forced_hosts(uuid); !forced.empty()) {
    const std::string message = "Build of instance " + uuid + " was forced to host " + forced +
                                " and is not moved to another host: " + why;
    spdlog::warn("[{}] instance {}: {}", rid, uuid, message);
    set_error(ctx, uuid, message, why, failed_host, nullptr);
    return sdk::Status::NotFound(message);
  }
  if (attempts >= options_.max_attempts) {
    const std::string message = no_more_hosts_message(uuid, options_.max_attempts, attempts, why);
    spdlog::warn("[{}] instance {}: {}", rid, uuid, message);
    set_error(ctx, uuid, message, why, failed_host, nullptr);
    return sdk::Status::NotFound(message);
  }
  spdlog::warn("[{}] instance {}: build lost with host {} ({}); scheduling it again (attempt {} of {})", rid, uuid,
               failed_host, why, attempts + 1, options_.max_attempts);
  rpcapi::BuildInstancesRequest request;
  request.instance_uuids = {uuid};
  request.spec = spec_from_record(db_, *record);
  add_ignored(request.spec, failed_host);
  return schedule_and_build(ctx, request, attempts + 1);
}

void ComputeTaskManager::record_lost_attempt(const sdk::RequestContext& ctx, const std::string& uuid,
                                             const std::string& failed_host, const std::string& why) {
  const std::string& rid = ctx.request_id;
  // Nova records a fault for every rescheduled build (RescheduledException).
  const std::string message = "Build of instance " + uuid + " was re-scheduled: " + why;
  if (auto f = db::InstanceFaultRepository(db_).add(uuid, 500, message, why, failed_host); !f.ok()) {
    spdlog::warn("[{}] recording the fault of instance {}: {}", rid, uuid, f.status().message());
  }
  // The host's build event on the create action ends in Error, as when the
  // host itself gives a build up; started for it if it never got that far.
  db::InstanceActionRepository actions(db_);
  const std::optional<std::string> create = create_request_id(db_, uuid);
  if (!create) return;
  if (actions.finish_event(uuid, *create, kComputeBuildEvent, false, std::nullopt, why).ok()) return;
  sdk::Status s = actions.start_event(uuid, *create, kComputeBuildEvent, failed_host);
  if (s.ok()) s = actions.finish_event(uuid, *create, kComputeBuildEvent, false, std::nullopt, why);
  if (!s.ok()) spdlog::warn("[{}] recording the lost build event of instance {}: {}", rid, uuid, s.message());
}

std::string ComputeTaskManager::forced_hosts(const std::string& uuid) {
  auto sys = db::SystemMetadataRepository(db_).get(uuid);
  if (!sys.ok()) return "";
  auto it = sys->find(kForcedHostsKey);
  return it == sys->end() ? "" : it->second;
}

int ComputeTaskManager::recorded_attempt(const std::string& uuid) {
  auto sys = db::SystemMetadataRepository(db_).get(uuid);
  if (!sys.ok()) return 1;
  auto it = sys->find(kBuildAttemptKey);
  if (it == sys->end()) return 1;
  int n = 0;
  const auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
  return ec == std::errc() && end == it->second.data() + it->second.size() && n >= 1 ? n : 1;
}

sdk::Status ComputeTaskManager::unshelve_instance(const sdk::RequestContext& ctx,
                                                  const rpcapi::UnshelveRequest& request) {
  const std::string& rid = ctx.request_id;
  const std::string& uuid = request.instance_uuid;
  db::InstanceActionRepository actions(db_);
  (void)actions.start_event(uuid, rid, kUnshelveEvent, options_.host);
  // A refusal: the task goes back to None (the vm_state never changed), with a fault that says why.
  const auto refuse = [&](const sdk::Status& why) {
    spdlog::warn("[{}] unshelve of instance {}: {}", rid, uuid, why.message());
    (void)db::InstanceFaultRepository(db_).add(uuid, 500, why.message(), why.to_string(), "");
    db::InstanceUpdate back;
    back.task_state = std::optional<std::string>();
    back.expected_task_state = std::vector<std::optional<std::string>>{std::string("unshelving")};
    (void)db::InstanceRepository(db_).update(uuid, back);
    (void)actions.finish_event(uuid, rid, kUnshelveEvent, false, std::nullopt, why.message());
    return why;
  };

  auto record = db::InstanceRepository(db_).get(uuid);
  if (!record.ok()) return record.status();
  if (record->task_state != std::optional<std::string>("unshelving") ||
      (record->vm_state != "shelved" && record->vm_state != "shelved_offloaded")) {
    spdlog::info("[{}] instance {} is not being unshelved ({}/{}); nothing done", rid, uuid, record->vm_state,
                 record->task_state.value_or("None"));
    return sdk::Status::InvalidState("instance " + uuid + " is not being unshelved");
  }
  auto sys = db::SystemMetadataRepository(db_).get(uuid);
  const std::string image_id = sys.ok() && sys->count("shelved_image_id") ? sys->at("shelved_image_id") : "";
  sdk::ImageMeta image;
  if (auto found = db::ImageRepository(db_).get(image_id); found.ok() && found->status == "active") {
    image = found->to_sdk();
  } else if (record->vm_state == "shelved_offloaded") {
    return refuse(sdk::Status::NotFound("Unshelve of instance " + uuid + " failed: its snapshot image " +
                                        (image_id.empty() ? std::string("(none)") : image_id) + " is not available"));
  }
  image.id = image_id;

  rpcapi::UnshelveOnHostRequest cast;
  cast.image = image;
  cast.block_device_info = block_device_info_for(record->flavor);
  if (options_.port_security) {
    if (auto ports = options_.port_security(db_, uuid); ports.ok()) cast.port_security = std::move(ports).value();
  }
  std::string host = record->host;
  if (record->vm_state == "shelved_offloaded") {
    sdk::RequestSpec spec;
    spec.instance_uuid = uuid;
    spec.project_id = record->project_id;
    spec.user_id = record->user_id;
    spec.flavor = record->flavor;
    spec.image = image;
    spec.num_instances = 1;
    // 2.77's zone, else the instance's own, unless 2.91's host decides it.
    if (!request.availability_zone.empty()) {
      spec.availability_zone = request.availability_zone;
    } else if (request.host.empty()) {
      spec.availability_zone = record->availability_zone;
    }
    if (!request.host.empty()) spec.force_hosts.push_back(request.host);
    auto selections = scheduler_.select_destinations(ctx, rpcapi::SelectDestinationsRequest{spec, {uuid}, 1});
    if (selections.ok() && selections->size() != 1) {
      selections = sdk::Status::Internal("scheduler.select_destinations returned no destination");
    }
    if (!selections.ok()) return refuse(selections.status());
    const rpcapi::DestinationMsg dest = selections->front().destination;
    db::InstanceUpdate update;
    update.host = dest.host;
    update.node = dest.nodename;
    std::string zone = "nova";
    if (auto zones = db::AggregateRepository(db_).zones_by_host(); zones.ok()) {
      if (auto it = zones->find(dest.host); it != zones->end()) zone = it->second;
    }
    update.availability_zone = zone;
    update.expected_task_state = std::vector<std::optional<std::string>>{std::string("unshelving")};
    update.expected_vm_state = std::vector<std::string>{"shelved_offloaded"};
    if (auto updated = db::InstanceRepository(db_).update(uuid, update); !updated.ok()) {
      spdlog::info("[{}] instance {} not unshelved on {}: {}", rid, uuid, dest.host, updated.status().message());
      release_claim_now(rid, uuid);
      (void)scheduler_.release(ctx, uuid);
      return updated.status();
    }
    host = dest.host;
  }
  auto msg = rpcapi::load_instance_msg(db_, uuid);
  if (!msg.ok()) return msg.status();
  cast.instance = std::move(*msg);
  if (auto s = compute_.unshelve_instance(ctx, host, cast); !s.ok()) {
    if (record->vm_state == "shelved_offloaded") {
      release_claim_now(rid, uuid);
      (void)scheduler_.release(ctx, uuid);
      db::InstanceUpdate back;
      back.host = std::string();
      back.node = std::string();
      (void)db::InstanceRepository(db_).update(uuid, back);
    }
    return refuse(s);
  }
  (void)actions.finish_event(uuid, rid, kUnshelveEvent, true, std::nullopt, std::nullopt);
  spdlog::info("[{}] instance {} sent to {} to be unshelved", rid, uuid, host);
  return sdk::Status::OK();
}

void ComputeTaskManager::set_error(const sdk::RequestContext& ctx, const std::string& instance_uuid,
                                   const std::string& message, const std::string& details,
                                   const std::string& fault_host, const char* event) {
  const std::string& rid = ctx.request_id;
  // The fault and the event first: whoever sees ERROR (a client polling the
  // API) must find the fault that says why. If the instance was deleted
  // meanwhile, the rows belong to a deleted instance and harm nothing.
  if (auto s = db::InstanceFaultRepository(db_).add(instance_uuid, 500, message, details, fault_host); !s.ok()) {
    spdlog::error("[{}] recording the fault of instance {}: {}", rid, instance_uuid, s.status().message());
  }
  if (event != nullptr) {
    db::InstanceActionRepository actions(db_);
    auto started = actions.start_event(instance_uuid, rid, event, options_.host);
    if (started.ok()) {
      started = actions.finish_event(instance_uuid, rid, event, /*success=*/false, std::nullopt, message);
    }
    if (!started.ok()) {
      spdlog::warn("[{}] recording event {} of instance {}: {}", rid, event, instance_uuid, started.message());
    }
  }
  db::InstanceUpdate update;
  update.vm_state = "error";
  update.task_state = std::optional<std::string>();
  // Not a guard on the task: Nova sets ERROR whatever step the build was at,
  // but an instance being deleted is left to the delete.
  update.expected_task_state = build_task_states();
  if (auto s = db::InstanceRepository(db_).update(instance_uuid, update); !s.ok()) {
    spdlog::info("[{}] instance {} not set to error: {}", rid, instance_uuid, s.status().message());
  } else {
    metrics::count_build(metrics::BuildOutcome::kError);
  }
}

sdk::Result<db::InstanceRecord> ComputeTaskManager::place(const std::string& rid, const std::string& instance_uuid,
                                                          const db::InstanceUpdate& update,
                                                          const sdk::RequestSpec& spec, std::int32_t attempt) {
  auto tx = db_.begin_write("place instance");
  if (!tx.ok()) return tx.status();
  auto placed = db::InstanceRepository(*tx).update(instance_uuid, update);
  if (!placed.ok()) return placed.status();
  // The attempt count survives the request: a build lost with its host is
  // rescheduled from the database (reschedule_from_host). Written with the
  // placement (one write per build less); failing it, in its own savepoint,
  // does not undo the placement. Who sends the cast, and where, let the
  // stuck-instance sweep re-send a build whose conductor died before it.
  std::map<std::string, std::string> build_record{{kBuildAttemptKey, std::to_string(attempt)},
                                                  {kBuildConductorKey, db::lease_holder_name(options_.host)},
                                                  {kBuildHostKey, update.host.value_or(std::string())}};
  if (!spec.force_hosts.empty()) {
    std::string forced;
    for (const auto& h : spec.force_hosts) forced += (forced.empty() ? "" : ",") + h;
    build_record[kForcedHostsKey] = forced;
  }
  if (sdk::Status s = db::SystemMetadataRepository(*tx).update(instance_uuid, build_record); !s.ok()) {
    spdlog::warn("[{}] instance {}: recording build attempt {}: {}", rid, instance_uuid, attempt, s.message());
  }
  if (sdk::Status s = tx->commit(); !s.ok()) return s;
  return placed;
}

sdk::Status ComputeTaskManager::cast_build(const sdk::RequestContext& ctx, const db::InstanceRecord& placed,
                                           const std::string& host, const sdk::RequestSpec& spec,
                                           std::vector<rpcapi::DestinationMsg> alternates, std::int32_t attempt,
                                           const rpcapi::GuestInjection& injection) {
  const std::string& instance_uuid = placed.uuid;
  auto instance = rpcapi::load_instance_msg(db_, placed);
  if (!instance.ok()) return instance.status();
  sdk::ImageMeta image = spec.image;
  if (auto record = db::ImageRepository(db_).get(instance->instance.image_ref); record.ok()) {
    image = record->to_sdk();
  } else {
    // Deleted since the API accepted the request: the spec's copy still says what to boot.
    spdlog::info("[{}] image {} of instance {}: {}; using the request's copy", ctx.request_id,
                 instance->instance.image_ref, instance_uuid, record.status().message());
  }
  rpcapi::BuildAndRunRequest request;
  request.block_device_info = block_device_info_for(instance->instance.flavor);
  request.instance = std::move(*instance);
  request.image = std::move(image);
  request.spec = spec;
  request.alternates = std::move(alternates);
  request.attempt = attempt;
  request.injection = injection;
  if (options_.port_security) {
    auto ports = options_.port_security(db_, instance_uuid);
    if (ports.ok()) {
      request.port_security = std::move(ports).value();
    } else {
      spdlog::warn("[{}] instance {}: no security group rules sent to {}: {}", ctx.request_id, instance_uuid, host,
                   ports.status().to_string());
    }
  }
  test_hooks::after_placement(ctx.request_id, instance_uuid);
  return compute_.build_and_run_instance(ctx, host, request);
}

bool ComputeTaskManager::restore_winner_claim(const sdk::RequestContext& ctx, const std::string& instance_uuid) {
  auto record = db::InstanceRepository(db_).get(instance_uuid);
  if (!record.ok() || record->host.empty()) return false;
  // The placement that won owns the instance's claim: never release it;
  // claim there again (idempotent) in case ours changed it.
  rpcapi::ClaimMsg claim{rpcapi::DestinationMsg{record->host, record->node}, instance_uuid, record->flavor};
  if (sdk::Status s = scheduler_.claim(ctx, claim); !s.ok()) {
    spdlog::warn("[{}] instance {}: restoring its claim on {}: {}", ctx.request_id, instance_uuid, record->host,
                 s.message());
  }
  return true;
}

void ComputeTaskManager::release_claim_now(const std::string& rid, const std::string& instance_uuid) {
  if (auto s = db::AllocationRepository(db_).release(instance_uuid); !s.ok()) {
    spdlog::error("[{}] releasing the claim of instance {}: {}", rid, instance_uuid, s.message());
  }
}

sdk::Status ComputeTaskManager::resend_build(const sdk::RequestContext& ctx, const db::InstanceRecord& record) {
  const std::string& uuid = record.uuid;
  // The compute records its build events under the request id it is sent
  // with: the create action's, as for the first cast.
  sdk::RequestContext create = ctx;
  if (auto rid = create_request_id(db_, uuid)) create.request_id = *rid;
  db::InstanceActionRepository actions(db_);
  if (sdk::Status s = actions.start_event(uuid, create.request_id, kResendBuildEvent, options_.host); !s.ok()) {
    spdlog::warn("[{}] instance {}: recording event {}: {}", ctx.request_id, uuid, kResendBuildEvent, s.message());
  }
  sdk::RequestSpec spec = spec_from_record(db_, record);
  spec.instance_uuid = uuid;
  spec.num_instances = 1;
  const int attempt = recorded_attempt(uuid);
  // This conductor sends it now: if it dies too, the sweep knows to re-send.
  const std::map<std::string, std::string> sender{{kBuildConductorKey, db::lease_holder_name(options_.host)},
                                                  {kBuildHostKey, record.host}};
  if (sdk::Status s = db::SystemMetadataRepository(db_).update(uuid, sender); !s.ok()) {
    spdlog::warn("[{}] instance {}: recording the re-sent build's conductor: {}", ctx.request_id, uuid, s.message());
  }
  const sdk::Status cast = cast_build(create, record, record.host, spec, {}, attempt, {});
  (void)actions.finish_event(uuid, create.request_id, kResendBuildEvent, cast.ok(), std::nullopt,
                             cast.ok() ? std::nullopt : std::optional<std::string>(cast.message()));
  if (cast.ok()) {
    spdlog::info("[{}] instance {}: build_and_run_instance sent to {} again (attempt {}, create request {})",
                 ctx.request_id, uuid, record.host, attempt, create.request_id);
  } else {
    spdlog::warn("[{}] instance {}: sending build_and_run_instance to {} again failed: {}", ctx.request_id, uuid,
                 record.host, cast.message());
  }
  return cast;
}

}  // namespace stratus::core::conductor
