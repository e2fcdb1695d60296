// FloatingIpRepository: Neutron's floating IPs. A floating IP holds an
// address of an external network through a port on that network (its
// "floating port", device_id the floating IP's uuid, as Neutron's
// network:floatingip ports); associating it names a port of a guest (and so
// that port's fixed address), at most one floating IP per port.
//
// Allocation takes a Transaction: the caller creates the floating port
// (PortRepository, which picks the address) and inserts the floating IP in
// the same transaction. Releasing deletes the floating port, which deletes
// the floating IP with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct FloatingIpRecord {
  std::string uuid;  // empty on insert: generated
  std::string project_id;
  std::string floating_network_id;    // uuid
  std::string floating_network_name;  // on read (Nova's "pool")
  std::string floating_ip_address;    // on read: the floating port's address
  std::string floating_port_id;       // uuid
  std::optional<std::string> port_id;           // associated port
  std::optional<std::string> fixed_ip_address;  // on read: the associated port's address
  std::string instance_id;                      // on read: the associated port's device, or ""
  std::string description;
  std::int64_t revision_number = 1;
  std::string created_at;
  std::string updated_at;
  // Neutron's: ACTIVE while associated, DOWN otherwise.
  std::string status() const { return port_id ? "ACTIVE" : "DOWN"; }
};

class FloatingIpRepository {
 public:
  explicit FloatingIpRepository(Scope db) : db_(db) {}

  // Inserts a floating IP over record.floating_port_id (and associated with
  // record.port_id if set). kNotFound for an unknown port; kAlreadyExists
  // when the port to associate has a floating IP already.
  sdk::Result<FloatingIpRecord> insert(FloatingIpRecord record);
  sdk::Result<FloatingIpRecord> get(const std::string& uuid);
  // Oldest first; a project's own, or all with nullopt.
  sdk::Result<std::vector<FloatingIpRecord>> list(const std::optional<std::string>& project_id = std::nullopt);
  // The floating IPs associated with any of these ports.
  sdk::Result<std::vector<FloatingIpRecord>> list_by_ports(const std::vector<std::string>& port_ids);
  // Associates with `port_id`, or disassociates with nullopt. kNotFound for
  // the floating IP or the port; kAlreadyExists when the port has another
  // floating IP.
  sdk::Result<FloatingIpRecord> associate(const std::string& uuid, const std::optional<std::string>& port_id);
  // Releases: deletes the floating port and so the floating IP. kNotFound.
  sdk::Status remove(const std::string& uuid);
  sdk::Result<std::int64_t> count(const std::string& project_id);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
