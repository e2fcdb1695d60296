// RpcSecurityGroupRefresh: SecurityGroupRefresh (core/network/security_group_refresh.h)
// over the compute RPC API: for each instance concerned, its rules from
// port_security_for_instance (one PortSecurityReader per pass), cast to its
// host with refresh_security_groups.
#pragma once

#include "core/db/database.h"
#include "core/network/security_group_refresh.h"
#include "core/rpcapi/compute_rpcapi.h"

namespace stratus::core::compute {

class RpcSecurityGroupRefresh final : public network::SecurityGroupRefresh {
 public:
  RpcSecurityGroupRefresh(db::Database& db, const rpcapi::ComputeRpcApi& compute) : db_(db), compute_(compute) {}

  using network::SecurityGroupRefresh::refresh;
  // Synchronous: reads and casts before it returns (ComputeAPI puts a
  // CoalescingSecurityGroupRefresh in front of it).
  void refresh(const std::string& request_id, const network::SecurityGroupChange& change) override;

 private:
  db::Database& db_;
  const rpcapi::ComputeRpcApi& compute_;
};

}  // namespace stratus::core::compute
