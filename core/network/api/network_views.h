// How networks, subnets and ports look on the wire: Neutron v2.0's
// attribute sets (api-ref/network/v2), with the values Stratus has and
// Neutron's defaults for what it does not model (no address scopes, no
// security groups, no IPv6 modes).
#pragma once

#include <nlohmann/json.hpp>

#include "core/http/authenticator.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/db/router_repository.h"
#include "core/db/subnet_repository.h"

namespace stratus::core::api::network {

// The availability zone Neutron reports for every network and that ports'
// device_owner names when the instance has none.
inline constexpr const char* kDefaultZone = "nova";

nlohmann::json network_view(const db::NetworkRecord& net);
nlohmann::json subnet_view(const db::SubnetRecord& subnet);
// binding:* attributes only for admins (get_port:binding:host_id).
nlohmann::json port_view(const db::PortRecord& port, const AuthContext& auth);
// A router with its gateway ports' addresses as external_fixed_ips.
nlohmann::json router_view(const db::RouterRecord& router, const std::vector<db::PortRecord>& gateway_ports);

}  // namespace stratus::core::api::network
