// Who may see and change networks, subnets and ports: Neutron's default
// policy (neutron/conf/policies/{network,subnet,port}.py), checked inline
// until the central policy takes these rules over. Rule names are Neutron's.
//
//   rule                             allowed
//   get_network                      admin, the owner, anyone for a shared,
//                                    external or cloud (no project) network
//   create_network                   any authenticated user, in its own project
//   create_network:shared            admin
//   create_network:router:external   admin
//   delete_network                   admin, the owner
//   get_subnet                       admin, the owner, anyone who may get its network
//   create_subnet                    admin, the network's owner
//   delete_subnet                    admin, the network's owner
//   get_port                         admin, the owner (its instance's project),
//                                    the network's owner
//   get_port:binding:host_id         admin (the attribute is left out for others)
//
// What a caller may not see answers 404, as if it did not exist; what it may
// see but not change answers 403 (network/neutron_error.h).
#pragma once

#include "core/http/authenticator.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/db/subnet_repository.h"

namespace stratus::core::api::network {

inline bool owns(const AuthContext& auth, const std::string& project_id) {
  return !project_id.empty() && project_id == auth.project_id;
}

// get_network
inline bool may_get_network(const AuthContext& auth, const db::NetworkRecord& net) {
  return auth.is_admin || owns(auth, net.project_id) || net.project_id.empty() || net.shared || net.router_external;
}

// delete_network, create_subnet and delete_subnet (admin_or_network_owner)
inline bool may_change_network(const AuthContext& auth, const db::NetworkRecord& net) {
  return auth.is_admin || owns(auth, net.project_id);
}

// get_subnet
inline bool may_get_subnet(const AuthContext& auth, const db::SubnetRecord& subnet, const db::NetworkRecord& net) {
  return auth.is_admin || owns(auth, subnet.project_id) || may_get_network(auth, net);
}

// get_port
inline bool may_get_port(const AuthContext& auth, const db::PortRecord& port, const std::string& network_owner) {
  return auth.is_admin || owns(auth, port.project_id) || owns(auth, network_owner);
}

}  // namespace stratus::core::api::network
