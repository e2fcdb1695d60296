// ComputeAPI: server snapshots (createImage), backups (createBackup) and
// shelving (Nova's API.snapshot, backup, shelve, shelve_offload, unshelve in
// nova/compute/api.py).
// The API records the image the host will fill, moves the task state and
// casts; the compute host (core/compute/shelve.cpp) does the work, and
// unshelve of an offloaded server goes through the conductor's scheduling.
#include <spdlog/spdlog.h>

#include "core/common/time_util.h"
#include "core/compute/api/compute_api.h"
#include "core/compute/api/compute_api_action.h"
#include "core/compute/api/instance_state_check.h"
#include "core/compute/api/service_state.h"
#include "core/compute/instance_states.h"
#include "core/db/aggregate_repository.h"
#include "core/db/image_repository.h"
#include "core/db/instance_action_repository.h"
#include "core/db/service_repository.h"
#include "core/db/system_metadata_repository.h"
#include "core/rpcapi/instance_message.h"

namespace stratus::core::compute {

namespace {

using sdk::Result;
using sdk::Status;

// Nova's @check_instance_state of snapshot, backup and shelve.
StateCheck snapshot_states() {
  StateCheck check;
  check.vm_states = {vm_state::kActive, vm_state::kStopped, vm_state::kPaused, vm_state::kSuspended};
  return check;
}

// Base image properties a snapshot does not inherit: they describe the
// base's data or its upload, not the snapshot's (Nova's
// non_inheritable_image_properties plus what the snapshot sets itself).
bool inherited(const std::string& key) {
  static const char* const kNot[] = {"cache_in_nova", "bittorrent", "img_signature_hash_method", "img_signature",
                                     "img_signature_key_type", "img_signature_certificate_uuid", "image_type",
                                     "instance_uuid", "base_image_ref", "user_id", "owner_id"};
  for (const char* k : kNot) {
    if (key == k) return false;
  }
  return true;
}

}  // namespace

Result<sdk::ImageMeta> ComputeAPI::create_snapshot_image(const ComputeContext& ctx, const db::InstanceRecord& instance,
                                                         const std::string& name,
                                                         const std::map<std::string, std::string>& metadata,
                                                         std::string_view image_type) {
  db::ImageRecord image;
  image.name = name;
  image.status = "queued";
  image.visibility = "private";
  image.owner = instance.project_id;
  image.disk_format = "raw";
  image.container_format = "bare";
  image.min_disk = instance.flavor.root_gb;
  if (auto base = db::ImageRepository(db_).get(instance.image_ref); base.ok()) {
    if (!base->disk_format.empty()) image.disk_format = base->disk_format;
    if (!base->container_format.empty()) image.container_format = base->container_format;
    image.min_ram = base->min_ram;
    image.min_disk = std::max<std::int64_t>(base->min_disk, instance.flavor.root_gb);
    for (const auto& [k, v] : base->properties) {
      if (inherited(k)) image.properties[k] = v;
    }
  }
  image.properties["image_type"] = std::string(image_type);
  image.properties["instance_uuid"] = instance.uuid;
  image.properties["base_image_ref"] = instance.image_ref;
  image.properties["user_id"] = ctx.request.user_id;
  image.properties["owner_id"] = instance.project_id;
  for (const auto& [k, v] : metadata) image.properties[k] = v;
  auto created = db::ImageRepository(db_).create(std::move(image));
  if (!created.ok()) return created.status();
  spdlog::info("[{}] image {} ('{}') created for a {} of instance {}", ctx.request.request_id, created->id,
               created->name, image_type, instance.uuid);
  return created->to_sdk();
}

Result<std::string> ComputeAPI::create_image(const ComputeContext& ctx, const std::string& uuid,
                                             const std::string& name,
                                             const std::map<std::string, std::string>& metadata) {
  // Nova checks no lock for a snapshot or a backup: a lock keeps a server
  // from being changed or deleted, and neither changes it.
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  const StateCheck check = snapshot_states();
  if (Status s = check_instance_state(*instance, check, "createImage"); !s.ok()) return s;
  auto image = create_snapshot_image(ctx, *instance, name, metadata, "snapshot");
  if (!image.ok()) return image.status();
  Action a{"createImage", check, task_state::kImageSnapshot, nullptr, nullptr};
  a.checks_lock = false;
  a.cast = [&](const rpcapi::InstanceMsg& m) { return compute_.snapshot_instance(ctx.request, m, *image); };
  if (Status s = run_action(ctx, uuid, a); !s.ok()) {
    (void)db::ImageRepository(db_).remove(image->id);
    return s;
  }
  return image->id;
}

Status ComputeAPI::check_image_metadata_quota(const ComputeContext& ctx, std::size_t items) {
  if (items == 0) return Status::OK();
  Status s = check_metadata_quota(ctx.request.project_id, items);
  if (s.has_reason(sdk::StatusReason::kQuotaExceeded)) {
    return Status(sdk::StatusCode::kConflict, "Image metadata limit exceeded", sdk::StatusReason::kQuotaExceeded);
  }
  return s;
}

Result<std::string> ComputeAPI::backup(const ComputeContext& ctx, const std::string& uuid, const std::string& name,
                                       const std::string& backup_type, std::int64_t rotation,
                                       const std::map<std::string, std::string>& metadata) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  const StateCheck check = snapshot_states();
  if (Status s = check_instance_state(*instance, check, "createBackup"); !s.ok()) return s;
  // The request's metadata, then backup_type over it (Nova's props_copy).
  std::map<std::string, std::string> properties = metadata;
  properties["backup_type"] = backup_type;
  auto image = create_snapshot_image(ctx, *instance, name, properties, "backup");
  if (!image.ok()) return image.status();
  Action a{"createBackup", check, task_state::kImageBackup, nullptr, nullptr};
  a.checks_lock = false;
  a.cast = [&](const rpcapi::InstanceMsg& m) {
    return compute_.backup_instance(ctx.request, m, *image, backup_type, rotation);
  };
  if (Status s = run_action(ctx, uuid, a); !s.ok()) {
    (void)db::ImageRepository(db_).remove(image->id);
    return s;
  }
  return image->id;
}

Status ComputeAPI::shelve(const ComputeContext& ctx, const std::string& uuid) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  if (instance->locked && !ctx.is_admin) return Status::InvalidState("Instance " + uuid + " is locked");
  const StateCheck check = snapshot_states();
  if (Status s = check_instance_state(*instance, check, "shelve"); !s.ok()) return s;
  auto image = create_snapshot_image(ctx, *instance, instance->display_name + "-shelved", {}, "snapshot");
  if (!image.ok()) return image.status();
  // Where the snapshot is, for unshelve (Nova keeps these in system metadata).
  Status noted = db::SystemMetadataRepository(db_).update(
      uuid, {{"shelved_at", common::utc_now()}, {"shelved_image_id", image->id}, {"shelved_host", instance->host}});
  Action a{"shelve", check, task_state::kShelving, nullptr, nullptr};
  a.cast = [&](const rpcapi::InstanceMsg& m) { return compute_.shelve_instance(ctx.request, m, *image); };
  Status s = noted.ok() ? run_action(ctx, uuid, a) : noted;
  if (!s.ok()) (void)db::ImageRepository(db_).remove(image->id);
  return s;
}

Status ComputeAPI::shelve_offload(const ComputeContext& ctx, const std::string& uuid) {
  Action a{"shelveOffload", {}, task_state::kShelvingOffloading, nullptr, nullptr};
  a.check.vm_states = {vm_state::kShelved};
  a.cast = [&](const rpcapi::InstanceMsg& m) { return compute_.shelve_offload_instance(ctx.request, m); };
  return run_action(ctx, uuid, a);
}

Status ComputeAPI::unshelve(const ComputeContext& ctx, const std::string& uuid,
                            const std::optional<std::string>& availability_zone,
                            const std::optional<std::string>& host) {
  const std::string& rid = ctx.request.request_id;
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  if (instance->locked && !ctx.is_admin) return Status::InvalidState("Instance " + uuid + " is locked");
  StateCheck check;
  check.vm_states = {vm_state::kShelved, vm_state::kShelvedOffloaded};
  if (Status s = check_instance_state(*instance, check, "unshelve"); !s.ok()) return s;
  const bool offloaded = instance->vm_state == vm_state::kShelvedOffloaded;
  if ((availability_zone || host) && !offloaded) {
    // Nova's UnshelveInstanceInvalidState.
    return Status::InvalidState("The unshelve action on instance " + uuid +
                                " with an availability zone or a host can only be done on a shelved offloaded "
                                "instance; it is in vm_state " + instance->vm_state + ".");
  }
  if (host) {
    auto service = db::ServiceRepository(db_).get(*host, api::kComputeBinary);
    if (!service.ok()) return Status::InvalidArgument("Compute host " + *host + " could not be found.");
  }
  if (availability_zone) {
    auto zones = db::AggregateRepository(db_).zones_by_host();
    if (!zones.ok()) return zones.status();
    bool known = *availability_zone == "nova";
    for (const auto& [h, zone] : *zones) known = known || zone == *availability_zone;
    if (!known) {
      return Status::InvalidArgument("The requested availability zone is not available");
    }
  }
  if (!offloaded && !host_is_up(instance->host)) {
    return Status::InvalidState("Cannot 'unshelve' instance " + uuid + ": the compute service of host " +
                                instance->host + " is down");
  }

  db::InstanceRepository instances(db_);
  db::InstanceUpdate u;
  u.task_state = std::optional<std::string>(std::string(task_state::kUnshelving));
  u.expected_task_state = std::vector<std::optional<std::string>>{instance->task_state};
  u.expected_vm_state = std::vector<std::string>{instance->vm_state};
  u.exclusive = true;
  if (auto updated = instances.update(uuid, u); !updated.ok()) {
    if (updated.status().is(sdk::StatusCode::kNotFound)) return Status::NotFound("Instance " + uuid + " could not be found.");
    return Status::InvalidState("Cannot 'unshelve' instance " + uuid + ": its state changed during the request; try again");
  }
  record_action(ctx, uuid, "unshelve");
  rpcapi::UnshelveRequest request{uuid, host.value_or(""), availability_zone.value_or("")};
  if (Status cast = conductor_.unshelve_instance(ctx.request, request); !cast.ok()) {
    db::InstanceUpdate revert;
    revert.task_state = instance->task_state;
    revert.expected_task_state = std::vector<std::optional<std::string>>{std::string(task_state::kUnshelving)};
    (void)instances.update(uuid, revert);
    (void)db::InstanceActionRepository(db_).finish(uuid, rid, std::string("Error"));
    return Status::Unavailable("Cannot 'unshelve' instance " + uuid + ": the conductor could not be reached (" +
                               cast.message() + ")");
  }
  spdlog::info("[{}] unshelve of instance {} sent to the conductor{}", rid, uuid, host ? " (host " + *host + ")" : "");
  return Status::OK();
}

}  // namespace stratus::core::compute
