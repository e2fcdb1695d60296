// NetworkQuotaRepository: Neutron's per-project quotas (the /network/v2.0/quotas
// API). A project's limit is its row in network_quotas, else Neutron's
// default (neutron/conf/quota.py); -1 is unlimited. Usage is counted from
// the resources themselves, as Neutron's DbQuotaNoLockDriver counts them.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

// Resource name (Neutron's singular: "network", "port", ...) -> limit.
using NetworkQuotas = std::map<std::string, std::int64_t>;

// Neutron's defaults: network 100, subnet 100, port 500, router 10,
// floatingip 50, security_group 10, security_group_rule 100, subnetpool -1,
// rbac_policy 10.
const NetworkQuotas& default_network_quotas();

class NetworkQuotaRepository {
 public:
  explicit NetworkQuotaRepository(Scope db) : db_(db) {}

  // Every resource's limit for the project.
  sdk::Result<NetworkQuotas> limits(const std::string& project_id);
  // Sets the given limits (kInvalidArgument for an unknown resource or a
  // limit below -1; nothing is written then).
  sdk::Status set(const std::string& project_id, const NetworkQuotas& limits);
  // Back to the defaults.
  sdk::Status reset(const std::string& project_id);
  // Projects with at least one limit of their own -> their full limits.
  sdk::Result<std::map<std::string, NetworkQuotas>> overridden();
  // How many of each resource the project holds (every resource of
  // default_network_quotas(); 0 for those Stratus does not have).
  sdk::Result<NetworkQuotas> usage(const std::string& project_id);
  // OK when `adding` more of `resource` fit; else kConflict with reason
  // kQuotaExceeded and Neutron's message "Quota exceeded for resources: ['port'].".
  sdk::Status check(const std::string& project_id, const std::string& resource, std::int64_t adding = 1);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
