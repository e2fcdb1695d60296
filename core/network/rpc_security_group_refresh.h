// RpcSecurityGroupRefresh: SecurityGroupRefresh (security_group_refresh.h)
// over the compute RPC API: for each instance concerned, its rules from
// port_security_for_instance (one PortSecurityReader per pass), cast to its
// host with refresh_security_groups. Used by the API (groups, rules, ports,
// new servers) and by the conductor (a deleted server's ports).
#pragma once

#include "core/db/database.h"
#include "core/network/security_group_refresh.h"
#include "core/rpcapi/compute_rpcapi.h"

namespace stratus::core::network {

class RpcSecurityGroupRefresh final : public SecurityGroupRefresh {
 public:
  RpcSecurityGroupRefresh(db::Database& db, const rpcapi::ComputeRpcApi& compute) : db_(db), compute_(compute) {}

  using SecurityGroupRefresh::refresh;
  // Synchronous: reads and casts before it returns (its users put a
  // CoalescingSecurityGroupRefresh in front of it).
  void refresh(const std::string& request_id, const SecurityGroupChange& change) override;

 private:
  db::Database& db_;
  const rpcapi::ComputeRpcApi& compute_;
};

}  // namespace stratus::core::network
