// ComputeAPI's calls that change an instance's own attributes without a cast
// to its host: PUT /servers/{id}, lock / unlock, os-resetState.
#include <spdlog/spdlog.h>

#include "core/compute/api/compute_api.h"
#include "core/compute/instance_states.h"
#include "core/db/instance_action_repository.h"

namespace stratus::core::compute {

namespace {

using sdk::Result;
using sdk::Status;

Status not_found(const std::string& uuid) { return Status::NotFound("Instance " + uuid + " could not be found."); }

}  // namespace

std::string sanitize_hostname(const std::string& display_name, const std::string& uuid) {
  // Nova: lower case; spaces and '_' become '-'; anything else outside
  // [a-z0-9.-] is dropped; at most 63 characters; no '.' or '-' at either end.
  std::string out;
  for (unsigned char c : display_name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    if (c == ' ' || c == '_') c = '-';
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') out += static_cast<char>(c);
  }
  if (out.size() > 63) out.resize(63);
  auto strip = [](char c) { return c == '.' || c == '-'; };
  while (!out.empty() && strip(out.front())) out.erase(out.begin());
  while (!out.empty() && strip(out.back())) out.pop_back();
  return out.empty() ? "Server-" + uuid : out;
}

Result<db::InstanceRecord> ComputeAPI::update(const ComputeContext& ctx, const std::string& uuid,
                                              const ServerUpdate& in) {
  auto record = get(ctx, uuid);
  if (!record.ok()) return record.status();
  db::InstanceUpdate u;
  u.display_name = in.name;
  u.display_description = in.description;
  if (in.access_ip_v4) u.access_ip_v4 = std::optional<std::string>(*in.access_ip_v4);
  if (in.access_ip_v6) u.access_ip_v6 = std::optional<std::string>(*in.access_ip_v6);
  u.auto_disk_config = in.auto_disk_config;
  u.hostname = in.hostname;
  auto updated = db::InstanceRepository(db_).update(uuid, u);
  if (!updated.ok() && updated.status().is(sdk::StatusCode::kNotFound)) return not_found(uuid);
  return updated;
}

Status ComputeAPI::lock(const ComputeContext& ctx, const std::string& uuid, const std::optional<std::string>& reason) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  // Nova's locked_by: the owner's project locks as "owner", anyone else (an admin) as "admin".
  const bool is_owner = instance->project_id == ctx.request.project_id;
  db::InstanceUpdate u;
  u.locked = true;
  u.locked_by = std::optional<std::string>(is_owner ? "owner" : "admin");
  u.locked_reason = reason;
  auto updated = db::InstanceRepository(db_).update(uuid, u);
  if (!updated.ok()) return updated.status().is(sdk::StatusCode::kNotFound) ? not_found(uuid) : updated.status();
  record_action(ctx, uuid, "lock");
  (void)db::InstanceActionRepository(db_).finish(uuid, ctx.request.request_id);
  spdlog::info("[{}] instance {} locked by {}", ctx.request.request_id, uuid, is_owner ? "owner" : "admin");
  return Status::OK();
}

Status ComputeAPI::unlock(const ComputeContext& ctx, const std::string& uuid) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  // Nova's is_expected_locked_by: a lock taken by the other side needs the
  // unlock_override rule (admin).
  const std::string expected = instance->project_id == ctx.request.project_id ? "owner" : "admin";
  if (instance->locked_by && *instance->locked_by != expected && !ctx.is_admin) {
    return Status(sdk::StatusCode::kConflict,
                  "Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override to be performed.",
                  sdk::StatusReason::kPolicyDenied);
  }
  db::InstanceUpdate u;
  u.locked = false;
  u.locked_by = std::optional<std::string>();
  u.locked_reason = std::optional<std::string>();
  auto updated = db::InstanceRepository(db_).update(uuid, u);
  if (!updated.ok()) return updated.status().is(sdk::StatusCode::kNotFound) ? not_found(uuid) : updated.status();
  record_action(ctx, uuid, "unlock");
  (void)db::InstanceActionRepository(db_).finish(uuid, ctx.request.request_id);
  spdlog::info("[{}] instance {} unlocked", ctx.request.request_id, uuid);
  return Status::OK();
}

Status ComputeAPI::reset_state(const ComputeContext& ctx, const std::string& uuid, const std::string& state) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  db::InstanceUpdate u;
  u.vm_state = state == "error" ? std::string(vm_state::kError) : std::string(vm_state::kActive);
  u.task_state = std::optional<std::string>();
  record_action(ctx, uuid, "resetState");
  auto updated = db::InstanceRepository(db_).update(uuid, u);
  if (!updated.ok()) return updated.status().is(sdk::StatusCode::kNotFound) ? not_found(uuid) : updated.status();
  (void)db::InstanceActionRepository(db_).finish(uuid, ctx.request.request_id);
  spdlog::info("[{}] instance {} state reset to {}", ctx.request.request_id, uuid, *u.vm_state);
  return Status::OK();
}

}  // namespace stratus::core::compute
