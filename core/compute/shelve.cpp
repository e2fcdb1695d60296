// Snapshots and shelving on the compute host (Nova's snapshot_instance,
// shelve_instance, shelve_offload_instance and unshelve_instance): the
// guest's disk goes to the image service through the driver's snapshot
// (ABI 5) and the ImageUploader; an offloaded instance gives up its host,
// and unshelve spawns it again from that image wherever the conductor
// placed it.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/common/ids.h"
#include "core/common/time_util.h"
#include "core/compute/compute_manager.h"
#include "core/compute/instance_states.h"

namespace stratus::core::compute {

namespace {

namespace ts = task_state;
namespace vs = vm_state;

// Nova's clean shutdown before a shelve (CONF.shutdown_timeout).
constexpr std::int32_t kShelveShutdownTimeoutS = 60;
constexpr std::int32_t kShelveShutdownRetryIntervalS = 10;

// The task moves to `to` if it is one of `from` ("" stands for None).
rpcapi::InstanceUpdateMsg task_move(const std::string& uuid, std::string_view to,
                                    std::initializer_list<std::string_view> from) {
  rpcapi::InstanceUpdateMsg u;
  u.instance_uuid = uuid;
  u.set_task_state = true;
  if (!to.empty()) u.task_state = std::string(to);
  for (std::string_view f : from) u.expected_task_state.emplace_back(f);
  return u;
}

// The action events (Nova's wrap_instance_event names).
constexpr std::string_view kSnapshotEvent = "compute_snapshot_instance";
constexpr std::string_view kShelveEvent = "compute_shelve_instance";
constexpr std::string_view kOffloadEvent = "compute_shelve_offload_instance";
constexpr std::string_view kUnshelveEvent = "compute_unshelve_instance";

}  // namespace

void ComputeManager::delete_image(const sdk::RequestContext& ctx, const std::string& image_id) {
  if (!options_.image_uploader || image_id.empty()) return;
  if (sdk::Status st = options_.image_uploader->remove(ctx, image_id); !st.ok()) {
    spdlog::warn("[{}] compute {}: {}", ctx.request_id, host_, st.to_string());
  }
}

sdk::Status ComputeManager::snapshot_guest(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg,
                                           const sdk::ImageMeta& image, std::string_view from_task,
                                           std::string_view pending, std::string_view uploading) {
  const std::string& uuid = msg.instance.uuid;
  // A plugin built before ABI 5 has no snapshot in its vtable.
  if (options_.driver_abi_version < 5) {
    return sdk::Status::NotSupported("the driver of compute " + host_ + " (plugin ABI " +
                                     std::to_string(options_.driver_abi_version) + ") cannot snapshot");
  }
  if (!options_.image_uploader) {
    return sdk::Status::Unavailable("compute " + host_ + " has no image service to upload snapshots to");
  }
  if (auto r = update(ctx, task_move(uuid, pending, {from_task})); !r.ok()) return r.status();
  std::error_code ec;
  const std::filesystem::path dir =
      options_.snapshot_directory.empty() ? std::filesystem::temp_directory_path(ec) : options_.snapshot_directory;
  if (ec) return sdk::Status::Internal("no directory for snapshots: " + ec.message());
  std::filesystem::create_directories(dir, ec);
  const std::filesystem::path file = dir / ("stratus-snapshot-" + image.id + "-" + common::random_uuid());
  struct RemoveFile {
    std::filesystem::path path;
    ~RemoveFile() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  } cleanup{file};
  spdlog::info("[{}] instance {}: snapshot into image {} ({})", ctx.request_id, uuid, image.id, image.name);
  if (sdk::Status st = driver_->snapshot(ctx, msg.instance, image, file.string()); !st.ok()) return st;
  if (auto r = update(ctx, task_move(uuid, uploading, {pending})); !r.ok()) return r.status();
  return options_.image_uploader->upload(ctx, image.id, file);
}

sdk::Status ComputeManager::snapshot_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg,
                                              const sdk::ImageMeta& image) {
  return image_instance(ctx, msg, image, ts::kImageSnapshot, kSnapshotEvent, nullptr);
}

sdk::Status ComputeManager::image_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg,
                                           const sdk::ImageMeta& image, std::string_view task, std::string_view event,
                                           const std::function<sdk::Status()>& after_upload) {
  const std::string& uuid = msg.instance.uuid;
  if (sdk::Status st = wait_until_running(ctx, event); !st.ok()) {
    delete_image(ctx, image.id);
    return st;
  }
  std::optional<InstanceLocks::Guard> guard(locks_.lock(uuid));
  record_event(ctx, uuid, event, false);
  sdk::Status done = snapshot_guest(ctx, msg, image, task, ts::kImagePendingUpload, ts::kImageUploading);
  // Whatever step it reached, the task ends (Nova's reverts_task_state).
  auto u = task_move(uuid, ts::kNone, {task, ts::kImagePendingUpload, ts::kImageUploading});
  if (!done.ok()) {
    spdlog::error("[{}] instance {}: image {} not made: {}", ctx.request_id, uuid, image.id, done.to_string());
    delete_image(ctx, image.id);
    if (!done.is(sdk::StatusCode::kNotFound)) record_fault(ctx, uuid, done);
  } else {
    spdlog::info("[{}] instance {}: image {} uploaded", ctx.request_id, uuid, image.id);
  }
  (void)update(ctx, u);
  if (done.ok() && after_upload) {
    done = after_upload();
    if (!done.ok()) record_fault(ctx, uuid, done);
  }
  guard.reset();
  record_event(ctx, uuid, event, true, done);
  return done;
}

sdk::Status ComputeManager::shelve_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg,
                                            const sdk::ImageMeta& image) {
  const std::string& uuid = msg.instance.uuid;
  const std::string_view event = kShelveEvent;
  if (sdk::Status st = wait_until_running(ctx, "shelve_instance"); !st.ok()) {
    delete_image(ctx, image.id);
    return st;
  }
  std::optional<InstanceLocks::Guard> guard(locks_.lock(uuid));
  record_event(ctx, uuid, event, false);
  const bool was_running = power_state_of(msg.instance) == sdk::PowerState::kRunning;

  // Nova powers the guest off first, so the snapshot is of a quiet disk.
  sdk::Status done = driver_->power_off(ctx, msg.instance, kShelveShutdownTimeoutS, kShelveShutdownRetryIntervalS);
  if (done.ok()) {
    done = snapshot_guest(ctx, msg, image, ts::kShelving, ts::kShelvingImagePendingUpload,
                          ts::kShelvingImageUploading);
  }
  const bool offload_now = options_.shelved_offload_time.count() == 0;
  rpcapi::InstanceUpdateMsg u =
      task_move(uuid, done.ok() && offload_now ? ts::kShelvingOffloading : ts::kNone,
                {ts::kShelving, ts::kShelvingImagePendingUpload, ts::kShelvingImageUploading});
  if (!done.ok()) {
    spdlog::error("[{}] instance {}: shelve failed: {}", ctx.request_id, uuid, done.to_string());
    delete_image(ctx, image.id);
    if (was_running) {
      if (sdk::Status st = driver_->power_on(ctx, msg.instance, msg.network_info, {}); !st.ok()) {
        spdlog::warn("[{}] instance {}: power on after a failed shelve: {}", ctx.request_id, uuid, st.to_string());
      }
    }
    u.vm_state = msg.vm_state;
    u.power_state = power_state_of(msg.instance);
    if (!done.is(sdk::StatusCode::kNotFound)) record_fault(ctx, uuid, done);
    (void)update(ctx, u);
    guard.reset();
    record_event(ctx, uuid, event, true, done);
    return done;
  }
  u.vm_state = std::string(vs::kShelved);
  u.power_state = power_state_of(msg.instance);
  auto shelved = update(ctx, u);
  if (!shelved.ok()) {
    // Deleted meanwhile: the delete owns the instance (and the image stays, as Nova's does).
    guard.reset();
    record_event(ctx, uuid, event, true, shelved.status());
    return shelved.status();
  }
  spdlog::info("[{}] instance {}: shelved (image {})", ctx.request_id, uuid, image.id);
  if (offload_now) {
    const std::string_view offload_event = kOffloadEvent;
    record_event(ctx, uuid, offload_event, false);
    const sdk::Status offloaded = offload_locked(ctx, *shelved, ts::kShelvingOffloading);
    record_event(ctx, uuid, offload_event, true, offloaded);
  }
  guard.reset();
  record_event(ctx, uuid, event, true, sdk::Status::OK());
  return sdk::Status::OK();
}

sdk::Status ComputeManager::offload_locked(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg,
                                           std::string_view from_task) {
  const std::string& uuid = msg.instance.uuid;
  // Nova's _shelve_offload_instance: the guest goes (powered off first, as
  // the shelve may have been long ago and the guest started since), then
  // the instance leaves the host.
  sdk::Status st = driver_->power_off(ctx, msg.instance, 0, 0);
  if (st.ok() || st.is(sdk::StatusCode::kNotFound)) st = destroy_guest(ctx, msg);
  auto u = task_move(uuid, ts::kNone, {from_task});
  u.expected_vm_state = {std::string(vs::kShelved)};
  if (!st.ok()) {
    spdlog::error("[{}] instance {}: offload failed: {}", ctx.request_id, uuid, st.to_string());
    record_fault(ctx, uuid, st);
    u.power_state = power_state_of(msg.instance);
    (void)update(ctx, u);
    return st;
  }
  u.vm_state = std::string(vs::kShelvedOffloaded);
  u.power_state = sdk::PowerState::kNoState;
  u.host = std::string();
  u.node = std::string();
  auto r = update(ctx, u);
  if (!r.ok()) return r.status();
  spdlog::info("[{}] instance {}: offloaded from {}", ctx.request_id, uuid, host_);
  request_resource_report();
  return sdk::Status::OK();
}

sdk::Status ComputeManager::shelve_offload_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg) {
  const std::string& uuid = msg.instance.uuid;
  const std::string_view event = kOffloadEvent;
  if (sdk::Status st = wait_until_running(ctx, "shelve_offload_instance"); !st.ok()) return st;
  std::optional<InstanceLocks::Guard> guard(locks_.lock(uuid));
  record_event(ctx, uuid, event, false);
  const sdk::Status done = offload_locked(ctx, msg, ts::kShelvingOffloading);
  guard.reset();
  record_event(ctx, uuid, event, true, done);
  return done;
}

sdk::Status ComputeManager::unshelve_instance(const sdk::RequestContext& ctx,
                                              const rpcapi::UnshelveOnHostRequest& request) {
  const rpcapi::InstanceMsg& msg = request.instance;
  const std::string& uuid = msg.instance.uuid;
  const std::string_view event = kUnshelveEvent;
  if (sdk::Status st = wait_until_running(ctx, "unshelve_instance"); !st.ok()) return st;
  std::optional<InstanceLocks::Guard> guard(locks_.lock(uuid));
  record_event(ctx, uuid, event, false);
  const auto finish = [&](const sdk::Status& result) {
    guard.reset();
    record_event(ctx, uuid, event, true, result);
    return result;
  };

  const bool still_here = msg.vm_state == vs::kShelved;
  auto step = update(ctx, task_move(uuid, still_here ? ts::kPoweringOn : ts::kSpawning, {ts::kUnshelving}));
  if (!step.ok()) return finish(step.status());

  sdk::Status done;
  if (still_here) {
    done = driver_->power_on(ctx, msg.instance, msg.network_info, request.block_device_info);
  } else {
    if (options_.image_fetcher) done = options_.image_fetcher->fetch(ctx, request.image);
    if (done.ok() && !request.port_security.empty()) {
      done = apply_security_groups(ctx, msg.instance, request.port_security);
    }
    if (done.ok()) {
      // Nova boots the guest from the snapshot and keeps the instance's own image_ref.
      sdk::Instance from_snapshot = msg.instance;
      from_snapshot.image_ref = request.image.id;
      done = driver_->spawn(ctx, from_snapshot, request.image, {}, "", msg.network_info, request.block_device_info);
    }
  }
  auto u = task_move(uuid, ts::kNone, {still_here ? ts::kPoweringOn : ts::kSpawning});
  if (!done.ok()) {
    spdlog::error("[{}] instance {}: unshelve on {} failed: {}", ctx.request_id, uuid, host_, done.to_string());
    record_fault(ctx, uuid, done);
    if (!still_here) {
      // Back to offloaded: nothing of it stays on this host (the conductor frees the claim).
      (void)destroy_guest(ctx, msg);
      u.vm_state = std::string(vs::kShelvedOffloaded);
      u.host = std::string();
      u.node = std::string();
      u.power_state = sdk::PowerState::kNoState;
    } else {
      u.power_state = power_state_of(msg.instance);
    }
    (void)update(ctx, u);
    if (!still_here) request_resource_report();
    return finish(done);
  }
  // The snapshot has served its purpose (Nova's _delete_snapshot_of_shelved_instance),
  // and goes before the instance is ACTIVE again, as in Nova: a user who sees
  // ACTIVE no longer sees the snapshot.
  delete_image(ctx, request.image.id);
  u.vm_state = std::string(vs::kActive);
  u.power_state = power_state_of(msg.instance);
  if (auto r = update(ctx, u); !r.ok()) return finish(r.status());
  spdlog::info("[{}] instance {}: unshelved on {}", ctx.request_id, uuid, host_);
  if (!still_here) request_resource_report();
  return finish(sdk::Status::OK());
}

void ComputeManager::offload_shelved_instances() {
  if (options_.shelved_offload_time.count() <= 0) return;
  const sdk::RequestContext ctx{rpc::RequestContext::new_request_id(), "", "", {}};
  auto instances = conductor_.instance_get_all_by_host(ctx, host_);
  if (!instances.ok()) {
    spdlog::warn("[{}] compute {}: shelved offload skipped: {}", ctx.request_id, host_, instances.status().to_string());
    return;
  }
  // Stored timestamps sort as time does.
  const std::string cutoff = common::utc_from_now(
      -std::chrono::duration_cast<std::chrono::seconds>(options_.shelved_offload_time).count());
  for (const rpcapi::InstanceMsg& msg : instances.value()) {
    if (stopping()) return;
    if (msg.vm_state != vs::kShelved || msg.task_state || msg.updated_at > cutoff) continue;
    auto guard = locks_.try_lock(msg.instance.uuid);
    if (!guard) continue;
    spdlog::info("[{}] instance {}: shelved since {}; offloading", ctx.request_id, msg.instance.uuid, msg.updated_at);
    auto taken = update(ctx, task_move(msg.instance.uuid, ts::kShelvingOffloading, {ts::kNone}));
    if (!taken.ok()) continue;
    (void)offload_locked(ctx, *taken, ts::kShelvingOffloading);
  }
}

}  // namespace stratus::core::compute
