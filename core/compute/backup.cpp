// createBackup on the compute host (Nova's backup_instance and
// _rotate_backups): a snapshot from task image_backup, then the rotation
// of the instance's backups of that type through the image service.
#include <string>

#include <spdlog/spdlog.h>

#include "core/compute/compute_manager.h"
#include "core/compute/instance_states.h"

namespace stratus::core::compute {

namespace {

// Nova's wrap_instance_event name.
constexpr std::string_view kBackupEvent = "compute_backup_instance";

}  // namespace

sdk::Status ComputeManager::backup_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg,
                                            const sdk::ImageMeta& image, const std::string& backup_type,
                                            std::int64_t rotation) {
  const std::string& uuid = msg.instance.uuid;
  return image_instance(ctx, msg, image, task_state::kImageBackup, kBackupEvent,
                        [&] { return rotate_backups(ctx, uuid, backup_type, rotation); });
}

sdk::Status ComputeManager::rotate_backups(const sdk::RequestContext& ctx, const std::string& uuid,
                                           const std::string& backup_type, std::int64_t rotation) {
  if (!options_.image_uploader) {
    return sdk::Status::Unavailable("compute " + host_ + " has no image service to rotate backups in");
  }
  auto images = options_.image_uploader->list_ids(
      ctx, {{"image_type", "backup"}, {"backup_type", backup_type}, {"instance_uuid", uuid}});
  if (!images.ok()) return images.status();
  const std::size_t keep = rotation < 0 ? images->size() : static_cast<std::size_t>(rotation);
  spdlog::info("[{}] instance {}: {} '{}' backups, rotation {}", ctx.request_id, uuid, images->size(), backup_type,
               rotation);
  // Newest first: whatever lies beyond `keep` is the oldest.
  for (std::size_t i = keep; i < images->size(); ++i) {
    const std::string& id = (*images)[i];
    if (sdk::Status st = options_.image_uploader->remove(ctx, id); !st.ok()) {
      // Nova goes on with the next one (a protected image, say).
      spdlog::warn("[{}] instance {}: backup {} not rotated out: {}", ctx.request_id, uuid, id, st.to_string());
      continue;
    }
    spdlog::info("[{}] instance {}: backup {} rotated out", ctx.request_id, uuid, id);
  }
  return sdk::Status::OK();
}

}  // namespace stratus::core::compute
