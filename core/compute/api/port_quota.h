// Nova's port quota check at boot and interface attach (validate_networks in
// nova/network/neutron.py): every port of a project - its servers' and the
// ones it made - counts against its Neutron `port` quota
// (network_quota_repository.h), and a server needs one port for each network
// it asks for without naming a port. Nova's answer is 403
// PortLimitExceeded; the count of a multiple create is reduced to what fits,
// as Nova does, down to min_count.
#pragma once

#include <cstdint>
#include <string>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::compute {

// How many of max_count instances, each needing `ports_per_instance` new
// ports, the project's port quota leaves room for. max_count when nothing is
// needed or the quota is unlimited. 403 (kConflict, kQuotaExceeded) "The
// number of defined ports: N is over the limit: Q" when the project is over
// already, "Maximum number of ports exceeded" when fewer than min_count fit.
sdk::Result<std::int32_t> count_within_port_quota(db::Scope db, const std::string& project_id,
                                                  std::int64_t ports_per_instance, std::int32_t min_count,
                                                  std::int32_t max_count);

// `adding` more ports of the project fit (checked again where they are made,
// in that transaction, so that two requests cannot pass together); else
// Nova's 403 "Maximum number of ports exceeded".
sdk::Status check_port_quota(db::Scope db, const std::string& project_id, std::int64_t adding);

}  // namespace stratus::core::compute
