// ComputeAPI: the calls about what the guest's host reports (diagnostics)
// or what the guest left behind (its posted password).
#include <spdlog/spdlog.h>

#include "core/compute/api/compute_api.h"
#include "core/compute/api/instance_state_check.h"
#include "core/compute/api/server_password.h"
#include "core/compute/instance_states.h"
#include "core/db/system_metadata_repository.h"
#include "core/rpcapi/instance_message.h"

namespace stratus::core::compute {

using sdk::Result;
using sdk::Status;

Result<sdk::Diagnostics> ComputeAPI::get_diagnostics(const ComputeContext& ctx, const std::string& uuid) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  // Nova's @reject_instance_state(task_state=[DELETING, MIGRATING]).
  const auto& task = instance->task_state;
  if (task && (*task == task_state::kDeleting || *task == "migrating")) {
    return invalid_state("get_diagnostics", uuid, "task_state", task);
  }
  // Nova's @check_instance_host.
  if (instance->host.empty()) return Status::InvalidState("Instance " + uuid + " is not ready");
  auto msg = rpcapi::load_instance_msg(db_, uuid);
  if (!msg.ok()) return msg.status();
  auto out = compute_.get_diagnostics(ctx.request, *msg);
  if (!out.ok()) {
    spdlog::info("[{}] diagnostics of instance {} from {}: {}", ctx.request.request_id, uuid, instance->host,
                 out.status().to_string());
  }
  return out;
}

Result<std::string> ComputeAPI::get_server_password(const ComputeContext& ctx, const std::string& uuid) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  auto md = db::SystemMetadataRepository(db_).get(uuid);
  if (!md.ok()) return md.status();
  return extract_password(*md);
}

Status ComputeAPI::clear_server_password(const ComputeContext& ctx, const std::string& uuid) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  auto cleared = password_system_metadata("");
  if (!cleared.ok()) return cleared.status();
  Status s = db::SystemMetadataRepository(db_).update(uuid, *cleared);
  if (s.is(sdk::StatusCode::kNotFound)) return Status::NotFound("Instance " + uuid + " could not be found.");
  if (s.ok()) spdlog::info("[{}] instance {}: server password cleared", ctx.request.request_id, uuid);
  return s;
}

}  // namespace stratus::core::compute
