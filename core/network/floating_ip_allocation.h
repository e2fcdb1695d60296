// Allocating a floating IP: a port on the external network holds the
// address (PortRepository picks it, or takes `address`), and the floating
// IP row names that port, in one transaction. The project's floatingip
// quota applies (network_quota_repository.h; kConflict with reason
// kQuotaExceeded); an exhausted network is kConflict "no more IP addresses
// available ..."; kInvalidArgument for a network that is not external.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/db/database.h"
#include "core/db/floating_ip_repository.h"
#include "stratus/sdk/result.h"

namespace stratus::core::network {

sdk::Result<db::FloatingIpRecord> allocate_floating_ip(db::Database& db, const std::string& network_uuid,
                                                       const std::string& project_id,
                                                       const std::optional<std::string>& address,
                                                       const std::string& description,
                                                       const std::optional<std::string>& port_id = std::nullopt);

}  // namespace stratus::core::network
