// One more of a resource against the project's Neutron quota
// (network_quota_repository.h), answered as Neutron answers a create past
// it: 409 OverQuota "Quota exceeded for resources: ['port']."
#pragma once

#include <optional>
#include <string>

#include "core/db/network_quota_repository.h"
#include "core/http/api_server.h"

namespace stratus::core::api::network {

// nullopt when it fits; else the reply to give (a 409, or the Status of a
// failed read).
std::optional<sdk::Result<ApiResponse>> refuse_over_quota(db::Scope db, const std::string& project_id,
                                                          const std::string& resource);

}  // namespace stratus::core::api::network
