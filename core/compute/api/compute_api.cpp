#include "core/compute/api/compute_api.h"

#include <functional>

#include <spdlog/spdlog.h>

#include "core/compute/api/compute_api_action.h"
#include "core/compute/api/driver_capability_check.h"
#include "core/compute/api/injected_file_quota.h"
#include "core/compute/api/service_state.h"
#include "core/compute/api/instance_state_check.h"
#include "core/compute/instance_states.h"
#include "core/db/flavor_repository.h"
#include "core/db/image_repository.h"
#include "core/db/instance_action_repository.h"
#include "core/db/keypair_repository.h"
#include "core/common/base64.h"
#include "core/db/port_repository.h"
#include "core/db/quota_repository.h"
#include "core/db/service_repository.h"
#include "core/rpcapi/instance_message.h"

namespace stratus::core::compute {

namespace {

using sdk::Result;
using sdk::Status;

Status instance_not_found(const std::string& uuid) {
  return Status::NotFound("Instance " + uuid + " could not be found.");
}

using TaskList = std::vector<std::optional<std::string_view>>;

// Nova's task_states.ALLOW_REBOOT: the tasks a hard reboot may interrupt.
const TaskList& allow_hard_reboot_tasks() {
  static const TaskList tasks{std::nullopt,          task_state::kRebooting, task_state::kRebootPending,
                              task_state::kRebootStarted, task_state::kResuming, task_state::kRebootingHard,
                              task_state::kUnpausing, task_state::kPausing,   task_state::kSuspending};
  return tasks;
}

}  // namespace

ComputeAPI::ComputeAPI(db::Database& db, rpcapi::ConductorRpcApi& conductor, rpcapi::ComputeRpcApi& compute,
                       ComputeApiOptions options)
    : db_(db), conductor_(conductor), compute_(compute), options_(options), rpc_security_group_refresh_(db, compute) {}

Result<db::InstanceRecord> ComputeAPI::get(const ComputeContext& ctx, const std::string& uuid, bool include_deleted) {
  auto record = db::InstanceRepository(db_).get(uuid, include_deleted);
  if (!record.ok()) return record.status().is(sdk::StatusCode::kNotFound) ? instance_not_found(uuid) : record.status();
  // Another project's instance is, to a non-admin, as absent as a missing one.
  if (!ctx.is_admin && record->project_id != ctx.request.project_id) return instance_not_found(uuid);
  return record;
}

Result<db::InstanceRecord> ComputeAPI::update_name(const ComputeContext& ctx, const std::string& uuid,
                                                   const std::string& name) {
  auto record = get(ctx, uuid);
  if (!record.ok()) return record.status();
  db::InstanceUpdate u;
  u.display_name = name;
  auto updated = db::InstanceRepository(db_).update(uuid, u);
  if (!updated.ok() && updated.status().is(sdk::StatusCode::kNotFound)) return instance_not_found(uuid);
  return updated;
}

bool ComputeAPI::host_is_up(const std::string& host) {
  auto service = db::ServiceRepository(db_).get(host, api::kComputeBinary);
  return service.ok() && api::service_is_up(*service, options_.service_down_time);
}

void ComputeAPI::record_action(const ComputeContext& ctx, const std::string& uuid, const char* action) {
  record_action(db_, ctx, uuid, action);
}

void ComputeAPI::record_action(db::Scope db, const ComputeContext& ctx, const std::string& uuid, const char* action) {
  auto started = db::InstanceActionRepository(db).start(uuid, action, ctx.request.request_id, ctx.request.user_id,
                                                         ctx.request.project_id);
  if (!started.ok()) {
    spdlog::warn("[{}] could not record action {} of instance {}: {}", ctx.request.request_id, action, uuid,
                 started.status().to_string());
  }
}

Status ComputeAPI::check_metadata_quota(const std::string& project_id, std::size_t items, const std::string& user_id) {
  db::QuotaRepository quotas(db_);
  auto limits = user_id.empty() ? quotas.limits(project_id) : quotas.enforced_limits(project_id, user_id);
  if (!limits.ok()) return limits.status();
  auto it = limits->find("metadata_items");
  if (it != limits->end() && it->second >= 0 && static_cast<std::int64_t>(items) > it->second) {
    return Status(sdk::StatusCode::kConflict, "Maximum number of metadata items exceeds " + std::to_string(it->second),
                  sdk::StatusReason::kQuotaExceeded);
  }
  return Status::OK();
}

Status ComputeAPI::check_action_allowed(const ComputeContext& ctx, const db::InstanceRecord& instance,
                                        const Action& action) {
  const std::string& uuid = instance.uuid;
  if (action.checks_lock && instance.locked && !ctx.is_admin) {
    return Status::InvalidState("Instance " + uuid + " is locked");
  }
  if (Status s = check_instance_state(instance, action.check, action.name); !s.ok()) return s;
  // Nova's @check_instance_host: nothing to cast to before scheduling.
  if (instance.host.empty()) return Status::InvalidState("Instance " + uuid + " is not ready");
  if (!host_is_up(instance.host)) {
    return Status::InvalidState("Cannot '" + std::string(action.name) + "' instance " + uuid +
                                ": the compute service of host " + instance.host + " is down");
  }
  // What the host's driver declared it cannot do is refused here, not cast
  // to fail there as a fault.
  if (Status s = check_driver_capability(db_, instance, action.name); !s.ok()) {
    spdlog::info("[{}] {} of instance {} refused: {}", ctx.request.request_id, action.name, uuid, s.message());
    return s;
  }
  return Status::OK();
}

sdk::Result<db::InstanceRecord> ComputeAPI::claim_for_action(const ComputeContext& ctx,
                                                             const db::InstanceRecord& instance, const Action& action) {
  // Compare and swap on the states read: of two concurrent actions only the
  // first to write passes (kInvalidState for the other). The action is
  // recorded in the same transaction (one write instead of two); failing to
  // record it, in its own savepoint, does not undo the state change.
  db::InstanceUpdate u;
  u.task_state = std::optional<std::string>(std::string(action.new_task_state));
  u.expected_task_state = std::vector<std::optional<std::string>>{instance.task_state};
  u.expected_vm_state = std::vector<std::string>{instance.vm_state};
  u.exclusive = true;
  if (action.change) action.change(u);
  auto tx = db_.begin_write("instance action " + std::string(action.name));
  if (!tx.ok()) return tx.status();
  auto changed = db::InstanceRepository(*tx).update(instance.uuid, u);
  if (!changed.ok()) return changed;
  record_action(*tx, ctx, instance.uuid, action.name);
  if (Status s = tx->commit(); !s.ok()) return s;
  return changed;
}

Status ComputeAPI::run_action(const ComputeContext& ctx, const std::string& uuid, const Action& action) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  return run_action(ctx, *instance, action);
}

Status ComputeAPI::run_action(const ComputeContext& ctx, const db::InstanceRecord& read, const Action& action) {
  const std::string& rid = ctx.request.request_id;
  const std::string& uuid = read.uuid;
  // The instance as last read: `read`, or what a concurrent writer left when
  // it changed the instance between our read and our compare-and-swap.
  std::optional<db::InstanceRecord> reread;
  const db::InstanceRecord* instance = &read;
  db::InstanceRepository instances(db_);
  // A concurrent change that leaves the action allowed (a delete over a
  // backup that just ended) is not the user's conflict: Nova takes such a
  // request, so the action goes on from the new state, a bounded number of
  // times. The re-read runs beside the writer (SQLite's read connections), so
  // a host that flips the state back and forth can win a few rounds in a row:
  // each round is a read and a compare-and-swap, and 16 make a 409 for a
  // request that Nova would take vanishingly rare (4 were lost about once in
  // 300 deletes against a writer flipping a task as fast as it could).
  constexpr int kStateRaceAttempts = 16;
  sdk::Result<db::InstanceRecord> updated = Status::Internal("no attempt");
  for (int attempt = 1;; ++attempt) {
    if (Status s = check_action_allowed(ctx, *instance, action); !s.ok()) return s;
    updated = claim_for_action(ctx, *instance, action);
    if (updated.ok()) break;
    if (updated.status().is(sdk::StatusCode::kNotFound)) return instance_not_found(uuid);
    if (!updated.status().is(sdk::StatusCode::kInvalidState)) return updated.status();
    auto now = instances.get(uuid);
    if (!now.ok()) return instance_not_found(uuid);
    if (Status s = check_instance_state(*now, action.check, action.name); !s.ok()) return s;
    if (attempt == kStateRaceAttempts) {
      return Status::InvalidState("Cannot '" + std::string(action.name) + "' instance " + uuid +
                                  ": its state changed during the request; try again");
    }
    spdlog::info("[{}] {} of instance {}: its state changed to {}/{} meanwhile; going on from there", rid,
                 action.name, uuid, now->vm_state, now->task_state.value_or("none"));
    reread = std::move(*now);
    instance = &*reread;
  }

  // The record as the update left it: no second read of the instance.
  auto msg = rpcapi::load_instance_msg(db_, *updated);
  Status cast = msg.ok() ? action.cast(*msg) : msg.status();
  if (!cast.ok()) {
    // Put the instance back as it was, so the action can be retried.
    db::InstanceUpdate revert;
    revert.task_state = instance->task_state;
    revert.expected_task_state = std::vector<std::optional<std::string>>{std::string(action.new_task_state)};
    revert.image_ref = instance->image_ref;
    revert.display_name = instance->display_name;
    revert.display_description = instance->display_description;
    revert.key_name = instance->key_name;
    revert.key_data = instance->key_data;
    revert.user_data = instance->user_data;
    revert.trusted_certs = instance->trusted_certs;
    revert.access_ip_v4 = instance->access_ip_v4;
    revert.access_ip_v6 = instance->access_ip_v6;
    revert.auto_disk_config = instance->auto_disk_config;
    revert.hostname = instance->hostname;
    (void)instances.update(uuid, revert);
    (void)db::InstanceActionRepository(db_).finish(uuid, rid, std::string("Error"));
    spdlog::error("[{}] {} of instance {} not sent to {}: {}", rid, action.name, uuid, instance->host, cast.to_string());
    return Status::Unavailable("Cannot '" + std::string(action.name) + "' instance " + uuid + ": compute host " +
                               instance->host + " could not be reached (" + cast.message() + ")");
  }
  spdlog::info("[{}] {} of instance {} cast to compute.{}", rid, action.name, uuid, instance->host);
  return Status::OK();
}

Status ComputeAPI::reboot(const ComputeContext& ctx, const std::string& uuid, RebootType type) {
  // Nova: a soft reboot only from ACTIVE with no task; a hard one also from
  // STOPPED, PAUSED, SUSPENDED and ERROR, and over a reboot or a pause/resume in progress.
  Action a;
  a.name = "reboot";
  if (type == RebootType::kSoft) {
    a.check.vm_states = {vm_state::kActive};
    a.new_task_state = task_state::kRebooting;
  } else {
    a.check.vm_states = {vm_state::kActive, vm_state::kStopped, vm_state::kPaused, vm_state::kSuspended,
                         vm_state::kError};
    a.check.task_states = allow_hard_reboot_tasks();
    a.new_task_state = task_state::kRebootingHard;
  }
  const std::string reboot_type = type == RebootType::kSoft ? "SOFT" : "HARD";
  a.cast = [&](const rpcapi::InstanceMsg& m) { return compute_.reboot_instance(ctx.request, m, reboot_type); };
  return run_action(ctx, uuid, a);
}

Status ComputeAPI::stop(const ComputeContext& ctx, const std::string& uuid) {
  Action a{"stop", {}, task_state::kPoweringOff, nullptr, nullptr};
  a.check.vm_states = {vm_state::kActive, vm_state::kError};
  a.cast = [&](const rpcapi::InstanceMsg& m) { return compute_.stop_instance(ctx.request, m); };
  return run_action(ctx, uuid, a);
}

Status ComputeAPI::start(const ComputeContext& ctx, const std::string& uuid) {
  Action a{"start", {}, task_state::kPoweringOn, nullptr, nullptr};
  a.check.vm_states = {vm_state::kStopped};
  a.cast = [&](const rpcapi::InstanceMsg& m) { return compute_.start_instance(ctx.request, m); };
  return run_action(ctx, uuid, a);
}

Status ComputeAPI::pause(const ComputeContext& ctx, const std::string& uuid) {
  Action a{"pause", {}, task_state::kPausing, nullptr, nullptr};
  a.check.vm_states = {vm_state::kActive};
  a.cast = [&](const rpcapi::InstanceMsg& m) { return compute_.pause_instance(ctx.request, m); };
  return run_action(ctx, uuid, a);
}

Status ComputeAPI::unpause(const ComputeContext& ctx, const std::string& uuid) {
  Action a{"unpause", {}, task_state::kUnpausing, nullptr, nullptr};
  a.check.vm_states = {vm_state::kPaused};
  a.cast = [&](const rpcapi::InstanceMsg& m) { return compute_.unpause_instance(ctx.request, m); };
  return run_action(ctx, uuid, a);
}

Status ComputeAPI::suspend(const ComputeContext& ctx, const std::string& uuid) {
  Action a{"suspend", {}, task_state::kSuspending, nullptr, nullptr};
  a.check.vm_states = {vm_state::kActive};
  a.cast = [&](const rpcapi::InstanceMsg& m) { return compute_.suspend_instance(ctx.request, m); };
  return run_action(ctx, uuid, a);
}

Status ComputeAPI::resume(const ComputeContext& ctx, const std::string& uuid) {
  Action a{"resume", {}, task_state::kResuming, nullptr, nullptr};
  a.check.vm_states = {vm_state::kSuspended};
  a.cast = [&](const rpcapi::InstanceMsg& m) { return compute_.resume_instance(ctx.request, m); };
  return run_action(ctx, uuid, a);
}

Result<db::InstanceRecord> ComputeAPI::rebuild(const ComputeContext& ctx, const std::string& uuid,
                                               const RebuildRequest& request) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  auto image = db::ImageRepository(db_).get(request.image_ref);
  if (!image.ok() || (image->visibility == "private" && image->owner != ctx.request.project_id && !ctx.is_admin)) {
    if (image.ok() || image.status().is(sdk::StatusCode::kNotFound)) {
      return Status::InvalidArgument("Image " + request.image_ref + " could not be found.");
    }
    return image.status();
  }
  if (image->status != "active") return Status::InvalidArgument("Image " + request.image_ref + " is not active.");
  if (image->min_ram > instance->flavor.memory_mb) {
    return Status::InvalidArgument("Flavor's memory is too small for requested image.");
  }
  if (instance->flavor.root_gb > 0 && image->min_disk > instance->flavor.root_gb) {
    return Status::InvalidArgument("Flavor's disk is smaller than the minimum size specified in image metadata.");
  }
  if (request.metadata) {
    if (Status s = check_metadata_quota(instance->project_id, request.metadata->size()); !s.ok()) return s;
  }
  if (!request.injection.files.empty()) {
    auto limits = db::QuotaRepository(db_).limits(instance->project_id);
    if (!limits.ok()) return limits.status();
    if (Status s = check_injected_file_quota(*limits, request.injection); !s.ok()) return s;
  }
  // 2.54: a new key pair of the caller's, or none (null).
  std::optional<std::optional<std::string>> key_data;
  if (request.key_name) {
    key_data = std::optional<std::string>();
    if (*request.key_name) {
      auto kp = db::KeypairRepository(db_).get(ctx.request.user_id, **request.key_name);
      if (!kp.ok()) {
        if (kp.status().is(sdk::StatusCode::kNotFound)) return Status::InvalidArgument("Invalid key_name provided.");
        return kp.status();
      }
      key_data = std::optional<std::string>(kp->public_key);
    }
  }
  if (request.user_data && *request.user_data) {
    const std::string& ud = **request.user_data;
    if (ud.size() > 65535 || !common::base64_decode_strict(ud)) {
      return Status::InvalidArgument("User data needs to be valid base 64 of at most 65535 characters.");
    }
  }

  Action a{"rebuild", {}, task_state::kRebuilding, nullptr, nullptr};
  a.check.vm_states = {vm_state::kActive, vm_state::kStopped, vm_state::kError};
  a.change = [&](db::InstanceUpdate& u) {
    u.image_ref = image->id;
    if (request.name) u.display_name = *request.name;
    u.display_description = request.description;
    if (request.key_name) u.key_name = *request.key_name;
    u.key_data = key_data;
    u.user_data = request.user_data;
    u.trusted_certs = request.trusted_certs;
    if (request.access_ip_v4) u.access_ip_v4 = std::optional<std::string>(*request.access_ip_v4);
    if (request.access_ip_v6) u.access_ip_v6 = std::optional<std::string>(*request.access_ip_v6);
    u.auto_disk_config = request.auto_disk_config;
    u.hostname = request.hostname;
  };
  const sdk::ImageMeta meta = image->to_sdk();
  db::InstanceRepository instances(db_);
  std::optional<std::map<std::string, std::string>> old_metadata;
  a.cast = [&](const rpcapi::InstanceMsg& m) -> Status {
    // The metadata goes with the new image, before the host sees the instance.
    rpcapi::InstanceMsg sent = m;
    if (request.metadata) {
      auto set = instances.set_metadata(uuid, *request.metadata);
      if (!set.ok()) return set.status();
      old_metadata = instance->metadata;
      sent.instance.metadata = *set;
    }
    Status s = compute_.rebuild_instance(ctx.request, sent, meta, request.injection);
    if (!s.ok() && old_metadata) (void)instances.set_metadata(uuid, *old_metadata);
    return s;
  };
  if (Status s = run_action(ctx, uuid, a); !s.ok()) return s;
  return get(ctx, uuid);
}

Status ComputeAPI::local_delete(const ComputeContext& ctx, const db::InstanceRecord& instance) {
  // The action, the instance (with its allocation and group membership) and
  // its ports, in one transaction.
  auto tx = db_.begin_write("delete instance locally");
  if (!tx.ok()) return tx.status();
  db::InstanceActionRepository actions(*tx);
  auto started = actions.start(instance.uuid, "delete", ctx.request.request_id, ctx.request.user_id,
                               ctx.request.project_id);
  if (!started.ok()) {
    spdlog::warn("[{}] could not record action delete of instance {}: {}", ctx.request.request_id, instance.uuid,
                 started.status().to_string());
  }
  (void)actions.finish(instance.uuid, ctx.request.request_id);
  Status s = db::InstanceRepository(*tx).destroy(instance.uuid);
  // Gone already (a concurrent delete): the caller's wish holds.
  if (!s.ok() && !s.is(sdk::StatusCode::kNotFound)) return s;
  auto freed = db::PortRepository(*tx).remove_by_device(instance.uuid);
  if (!freed.ok()) return freed.status();
  if (Status c = tx->commit(); !c.ok()) return c;
  spdlog::info("[{}] instance {} deleted locally ({})", ctx.request.request_id, instance.uuid,
               instance.host.empty() ? "no host" : "host " + instance.host + " is down");
  return Status::OK();
}

Status ComputeAPI::hard_delete(const ComputeContext& ctx, const db::InstanceRecord& instance, const char* verb) {
  if (instance.host.empty() || !host_is_up(instance.host)) return local_delete(ctx, instance);
  Action a{verb, {}, task_state::kDeleting, nullptr, nullptr};
  a.check.task_states.reset();  // Nova deletes over any task
  a.check.must_have_launched = false;
  a.cast = [&](const rpcapi::InstanceMsg& m) { return compute_.terminate_instance(ctx.request, m); };
  return run_action(ctx, instance, a);
}

Status ComputeAPI::soft_delete(const ComputeContext& ctx, const db::InstanceRecord& instance) {
  if (instance.host.empty() || !host_is_up(instance.host)) return local_delete(ctx, instance);
  Action a{"delete", {}, task_state::kSoftDeleting, nullptr, nullptr};
  a.cast = [&](const rpcapi::InstanceMsg& m) { return compute_.soft_delete_instance(ctx.request, m); };
  return run_action(ctx, instance, a);
}

Status ComputeAPI::delete_instance(const ComputeContext& ctx, const std::string& uuid) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  if (instance->locked && !ctx.is_admin) return Status::InvalidState("Instance " + uuid + " is locked");
  // Nova's servers controller: soft delete when reclaiming is on, falling
  // back to a delete for an instance soft_delete refuses (never launched, or
  // a task in progress). A soft-deleted instance deleted again goes for good.
  if (options_.reclaim_instance_interval.count() > 0 && instance->launched_at && !instance->task_state &&
      instance->vm_state != vm_state::kSoftDeleted) {
    return soft_delete(ctx, *instance);
  }
  return hard_delete(ctx, *instance, "delete");
}

Status ComputeAPI::force_delete(const ComputeContext& ctx, const std::string& uuid) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  if (instance->locked && !ctx.is_admin) return Status::InvalidState("Instance " + uuid + " is locked");
  StateCheck check;
  check.must_have_launched = false;
  if (Status s = check_instance_state(*instance, check, "forceDelete"); !s.ok()) return s;
  return hard_delete(ctx, *instance, "forceDelete");
}

Status ComputeAPI::restore(const ComputeContext& ctx, const std::string& uuid) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  Action a{"restore", {}, task_state::kRestoring, nullptr, nullptr};
  a.check.vm_states = {vm_state::kSoftDeleted};
  if (!instance->host.empty()) {
    a.cast = [&](const rpcapi::InstanceMsg& m) { return compute_.restore_instance(ctx.request, m); };
    return run_action(ctx, uuid, a);
  }
  // Never placed: nothing to tell a host, the instance is ACTIVE again at once (as Nova does).
  if (instance->locked && !ctx.is_admin) return Status::InvalidState("Instance " + uuid + " is locked");
  if (Status s = check_instance_state(*instance, a.check, a.name); !s.ok()) return s;
  db::InstanceUpdate u;
  u.vm_state = std::string(vm_state::kActive);
  u.task_state = std::optional<std::string>();
  u.expected_vm_state = std::vector<std::string>{std::string(vm_state::kSoftDeleted)};
  u.expected_task_state = std::vector<std::optional<std::string>>{std::nullopt};
  u.exclusive = true;
  auto updated = db::InstanceRepository(db_).update(uuid, u);
  if (!updated.ok()) {
    if (updated.status().is(sdk::StatusCode::kInvalidState)) {
      return Status::InvalidState("Cannot 'restore' instance " + uuid + ": its state changed during the request; try again");
    }
    return updated.status();
  }
  record_action(ctx, uuid, "restore");
  return Status::OK();
}

Result<std::string> ComputeAPI::get_console_output(const ComputeContext& ctx, const std::string& uuid,
                                                   std::int32_t tail_length) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  if (instance->host.empty()) return Status::InvalidState("Instance " + uuid + " is not ready");
  if (!host_is_up(instance->host)) {
    return Status::InvalidState("Cannot get the console of instance " + uuid + ": the compute service of host " +
                                instance->host + " is down");
  }
  if (Status s = check_driver_capability(db_, *instance, "get_console_output"); !s.ok()) return s;
  auto msg = rpcapi::load_instance_msg(db_, uuid);
  if (!msg.ok()) return msg.status();
  return compute_.get_console_output(ctx.request, *msg, tail_length);
}

Result<std::map<std::string, std::string>> ComputeAPI::update_metadata(const ComputeContext& ctx,
                                                                       const std::string& uuid,
                                                                       const std::map<std::string, std::string>& metadata,
                                                                       bool replace) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  if (instance->locked && !ctx.is_admin) return Status::InvalidState("Instance " + uuid + " is locked");
  StateCheck check;
  check.vm_states = {vm_state::kActive, vm_state::kPaused, vm_state::kSuspended, vm_state::kStopped};
  check.task_states.reset();
  if (Status s = check_instance_state(*instance, check, "update metadata"); !s.ok()) return s;
  std::map<std::string, std::string> result = replace ? metadata : instance->metadata;
  if (!replace) {
    for (const auto& [k, v] : metadata) result[k] = v;
  }
  if (Status s = check_metadata_quota(instance->project_id, result.size()); !s.ok()) return s;
  db::InstanceRepository instances(db_);
  return replace ? instances.set_metadata(uuid, metadata) : instances.update_metadata(uuid, metadata);
}

Status ComputeAPI::delete_metadata_key(const ComputeContext& ctx, const std::string& uuid, const std::string& key) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  if (instance->locked && !ctx.is_admin) return Status::InvalidState("Instance " + uuid + " is locked");
  StateCheck check;
  check.vm_states = {vm_state::kActive, vm_state::kPaused, vm_state::kSuspended, vm_state::kStopped};
  check.task_states.reset();
  if (Status s = check_instance_state(*instance, check, "delete metadata"); !s.ok()) return s;
  Status s = db::InstanceRepository(db_).delete_metadata_key(uuid, key);
  if (s.is(sdk::StatusCode::kNotFound)) return Status::NotFound("Metadata item was not found");
  return s;
}

}  // namespace stratus::core::compute
