#include "core/scheduler/db_claimer.h"

#include <string>

#include "core/db/allocation_repository.h"

namespace stratus::core::scheduler {

sdk::Status DbClaimer::claim(const ClaimRequest& request) {
  // One write transaction: the held claim is checked inside it (the same
  // claim again is OK, another one kAlreadyExists), so a claim costs no read
  // before it.
  return db::AllocationRepository(db_).claim(std::string(request.nodename), std::string(request.instance_uuid),
                                             request.vcpus, request.memory_mb, request.disk_gb,
                                             db::AllocationRepository::HeldClaim::kRefuse);
}

sdk::Status DbClaimer::release(std::string_view instance_uuid) {
  return db::AllocationRepository(db_).release(std::string(instance_uuid));
}

}  // namespace stratus::core::scheduler
