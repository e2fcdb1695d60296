// ComputeAPI::rescue and unrescue (Nova's compute API rescue/unrescue, with
// its state rules: rescue from ACTIVE, STOPPED or ERROR, unrescue from
// RESCUED, no task either way, not while locked).
#include <spdlog/spdlog.h>

#include "core/compute/api/compute_api.h"
#include "core/compute/api/compute_api_action.h"
#include "core/compute/instance_states.h"
#include "core/db/image_repository.h"

namespace stratus::core::compute {

namespace {

using sdk::Status;

// Nova's ALLOW rules of rescue and unrescue.
const StateCheck kRescueStates{{vm_state::kActive, vm_state::kStopped, vm_state::kError}};
const StateCheck kUnrescueStates{{vm_state::kRescued}};

}  // namespace

Status ComputeAPI::rescue(const ComputeContext& ctx, const std::string& uuid,
                          const std::optional<std::string>& rescue_image_ref, const std::string& admin_password) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  // Lock and state first, as Nova's decorators check them before the image.
  if (instance->locked && !ctx.is_admin) return Status::InvalidState("Instance " + uuid + " is locked");
  if (Status s = check_instance_state(*instance, kRescueStates, "rescue"); !s.ok()) return s;
  // Nova's _get_rescue_image: the image asked for, else the server's own.
  const std::string image_ref = rescue_image_ref ? *rescue_image_ref : instance->image_ref;
  if (image_ref.empty()) {
    return Status::InvalidArgument("Instance " + uuid + " cannot be rescued: it has no image to boot a rescue from.");
  }
  auto image = db::ImageRepository(db_).get(image_ref);
  const bool hidden = image.ok() && image->visibility == "private" && image->owner != ctx.request.project_id &&
                      !ctx.is_admin;
  if (!image.ok() || hidden) {
    if (hidden || image.status().is(sdk::StatusCode::kNotFound)) {
      return Status::InvalidArgument("Image " + image_ref + " could not be found.");
    }
    return image.status();
  }
  if (image->status != "active") return Status::InvalidArgument("Image " + image_ref + " is not active.");
  const sdk::ImageMeta meta = image->to_sdk();

  Action a{"rescue", kRescueStates, task_state::kRescuing, nullptr, nullptr};
  a.cast = [&](const rpcapi::InstanceMsg& m) {
    return compute_.rescue_instance(ctx.request, rpcapi::RescueRequest{m, meta, admin_password});
  };
  return run_action(ctx, uuid, a);
}

Status ComputeAPI::unrescue(const ComputeContext& ctx, const std::string& uuid) {
  Action a{"unrescue", kUnrescueStates, task_state::kUnrescuing, nullptr, nullptr};
  a.cast = [&](const rpcapi::InstanceMsg& m) { return compute_.unrescue_instance(ctx.request, m); };
  return run_action(ctx, uuid, a);
}

}  // namespace stratus::core::compute
