// NetworkRepository: tenant networks, Neutron-style. A network is a name, an
// owner and flags; its addresses live in its subnets (subnet_repository.h),
// which ports take their fixed IPs from (port_repository.h).
//
// Thread-safe (each call is one transaction of Database).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "core/db/ipv4_address.h"
#include "core/db/subnet_repository.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct NetworkRecord {
  std::int64_t id = 0;
  std::string uuid;        // empty on create: generated
  std::string name;
  std::string description;
  std::string project_id;  // owner; "" for a network of the cloud, usable by every project
  bool shared = false;     // usable by every project
  bool router_external = false;
  bool admin_state_up = true;
  int mtu = 1500;
  std::int64_t revision_number = 0;
  std::string created_at;
  std::string updated_at;
  // Shorthand for a network with one subnet. On create: a non-empty cidr makes
  // a first subnet "<name>-subnet" with this cidr and gateway (empty: the
  // first host address) in the same transaction. On read: the first subnet's
  // cidr and gateway, or "" when the network has no subnet.
  std::string cidr;
  std::string gateway;
  std::vector<std::string> subnet_ids;  // on read: the network's subnets, oldest first
};

class NetworkRepository {
 public:
  explicit NetworkRepository(Scope db) : db_(db) {}

  // Creates the network and, if given (or if record.cidr is set), its first
  // subnet, in one transaction: either both exist afterwards or neither.
  // kInvalidArgument for a bad subnet (see SubnetRepository::create);
  // kAlreadyExists for a uuid in use.
  sdk::Result<NetworkRecord> create(NetworkRecord record, std::optional<SubnetRecord> first_subnet = std::nullopt);
  sdk::Result<NetworkRecord> get(const std::string& uuid);
  // Networks `project_id` may see and use: its own, shared ones, external
  // ones and the cloud's (project ""); nullopt: all. Oldest first.
  sdk::Result<std::vector<NetworkRecord>> list(const std::optional<std::string>& project_id = std::nullopt);
  // Deletes the network and its subnets. kNotFound; kInvalidState while ports remain on it.
  sdk::Status remove(const std::string& uuid);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
