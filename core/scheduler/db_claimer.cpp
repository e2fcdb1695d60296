#include "core/scheduler/db_claimer.h"

#include <string>

#include "core/db/allocation_repository.h"

namespace stratus::core::scheduler {

sdk::Status DbClaimer::claim(const ClaimRequest& request) {
  db::AllocationRepository allocations(db_);
  const std::string uuid(request.instance_uuid);
  // The conductor serialises the work on one instance, so this read and the
  // claim below cannot race for the same uuid; claims for other instances
  // may interleave freely, the claim itself is atomic.
  auto held = allocations.get(uuid);
  if (held.ok()) {
    const bool same = held->node == request.nodename && held->vcpus == request.vcpus &&
                      held->memory_mb == request.memory_mb && held->disk_gb == request.disk_gb;
    if (same) return sdk::Status::OK();
    return sdk::Status::AlreadyExists("instance " + uuid + " already holds a claim on node " + held->node +
                                      "; release it first");
  }
  if (!held.status().is(sdk::StatusCode::kNotFound)) return held.status();
  return allocations.claim(std::string(request.nodename), uuid, request.vcpus, request.memory_mb,
                           request.disk_gb);
}

sdk::Status DbClaimer::release(std::string_view instance_uuid) {
  return db::AllocationRepository(db_).release(std::string(instance_uuid));
}

}  // namespace stratus::core::scheduler
