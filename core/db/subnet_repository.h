// SubnetRepository: the IPv4 address ranges of a network (Neutron's subnets).
// A network has zero or more subnets whose CIDRs do not overlap; ports take
// their fixed IPs from them (port_repository.h). Every address of a subnet's
// CIDR but the network, broadcast and gateway addresses can be a fixed IP;
// automatic allocation takes the lowest free one of the allocation pool.
//
// Thread-safe (each call is one transaction of Database).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "core/db/ipv4_address.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct SubnetRecord {
  std::int64_t id = 0;
  std::string uuid;          // empty on create: generated
  std::string network_uuid;  // the network it belongs to
  std::string name;
  std::string description;
  std::string project_id;    // empty on create: the network's
  std::string cidr;          // normalised on create: "10.0.0.0/24"
  // The router address. On create: empty with has_gateway -> the first host
  // address; has_gateway = false -> none. On read: "" when there is none.
  std::string gateway;
  bool has_gateway = true;
  // The allocation pool. On create both empty: the whole host range. On read
  // always the effective first and last address (the gateway, if inside,
  // is skipped by allocation; see allocation_pools()).
  std::string pool_start;
  std::string pool_end;
  std::vector<std::string> dns_nameservers;
  bool enable_dhcp = true;  // recorded and shown; Stratus runs no DHCP server
  std::int64_t revision_number = 0;
  std::string created_at;
  std::string updated_at;
};

// A subnet's pool as Neutron shows it: [{start, end}], split in two around a
// gateway inside the pool.
std::vector<std::pair<std::string, std::string>> allocation_pools(const SubnetRecord& subnet);

class SubnetRepository {
 public:
  explicit SubnetRepository(Scope db) : db_(db) {}

  // kNotFound for an unknown network. kInvalidArgument, naming the value,
  // for: a bad CIDR, a gateway or pool address that is not a host address of
  // the CIDR, a pool whose start is after its end or that holds the gateway,
  // a bad DNS server address, or a CIDR overlapping another subnet of the
  // network. kAlreadyExists for a uuid in use. Bumps the network's revision.
  sdk::Result<SubnetRecord> create(SubnetRecord record);
  sdk::Result<SubnetRecord> get(const std::string& uuid);
  // Every subnet, oldest first.
  sdk::Result<std::vector<SubnetRecord>> list();
  sdk::Result<std::vector<SubnetRecord>> list_by_network(const std::string& network_uuid);
  // kNotFound; kInvalidState while a port has an address from it.
  sdk::Status remove(const std::string& uuid);

  // The same, inside a transaction the caller holds (NetworkRepository
  // creates a network and its first subnet in one).
  static sdk::Result<SubnetRecord> create_locked(Connection& c, SubnetRecord record);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
