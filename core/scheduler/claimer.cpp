#include "core/scheduler/claimer.h"

namespace stratus::core::scheduler {

ClaimRequest claim_for_flavor(std::string_view host, std::string_view nodename, std::string_view instance_uuid,
                              const sdk::Flavor& flavor) {
  ClaimRequest r;
  r.host = host;
  r.nodename = nodename;
  r.instance_uuid = instance_uuid;
  r.vcpus = flavor.vcpus;
  r.memory_mb = flavor.memory_mb;
  // Swap comes out of the same local disk; placement rounds it up to whole GB.
  r.disk_gb = flavor.root_gb + flavor.ephemeral_gb + (flavor.swap_mb + 1023) / 1024;
  return r;
}

}  // namespace stratus::core::scheduler
