// PortRepository: a guest's attachment to a network - a MAC address and one
// fixed IPv4 address from one of the network's subnets.
//
// Allocation takes the lowest free address of the first subnet (oldest
// first) whose allocation pool has one, skipping the gateway, in the same
// IMMEDIATE transaction that inserts the port; UNIQUE(network, address)
// backs it up, so an address is never handed out twice, by any number of
// threads or processes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct PortRecord {
  std::string uuid;
  std::string network_uuid;
  std::string mac_address;   // "fa:16:3e:xx:xx:xx"
  std::string ip_address;
  std::string device_id;     // the instance uuid, or ""
  std::string status;        // "DOWN"; "ACTIVE" once set so or while its instance runs
  std::string created_at;
  std::string updated_at;
  std::string subnet_uuid;   // the subnet ip_address is from
  // Read from the device's instance, as Neutron learns them from Nova: the
  // instance's project, "compute:<its availability zone, else nova>" and its
  // host; all "" for a port without an instance.
  std::string project_id;
  std::string device_owner;
  std::string binding_host;
};

class PortRepository {
 public:
  explicit PortRepository(Scope db) : db_(db) {}

  // Creates a port on the network for `device_id`, with `fixed_ip` if given
  // (kInvalidArgument when it is not a host address of one of the network's
  // subnets other than its gateway, kConflict when it is taken) or the lowest
  // free address (kConflict "no more IP addresses available on network ..."
  // when none is left). kNotFound for an unknown network; kInvalidArgument
  // "Network X requires a subnet in order to boot instances on." for a
  // network without a subnet.
  sdk::Result<PortRecord> create(const std::string& network_uuid, const std::string& device_id,
                                 const std::optional<std::string>& fixed_ip = std::nullopt);
  // Binds the port to `device_id` (an instance) only if it has no device:
  // kConflict "Port X is still in use." otherwise; kNotFound. (Interface
  // attach by port id; the same contract as the Network API's user ports.)
  sdk::Status bind(const std::string& uuid, const std::string& device_id);
  // Clears the port's device only while it is `device_id` (an attach that
  // failed gives the port back). kNotFound when the port is not bound to it.
  sdk::Status unbind(const std::string& uuid, const std::string& device_id);
  sdk::Result<PortRecord> get(const std::string& uuid);
  sdk::Result<std::vector<PortRecord>> list_by_device(const std::string& device_id);
  // The ports of all these devices, oldest first, in a few statements (lists).
  sdk::Result<std::vector<PortRecord>> list_by_devices(const std::vector<std::string>& device_ids);
  sdk::Result<std::vector<PortRecord>> list_by_network(const std::string& network_uuid);
  // Every port, oldest first.
  sdk::Result<std::vector<PortRecord>> list();
  sdk::Status set_status(const std::string& uuid, const std::string& status);
  // Frees the port and its address. kNotFound.
  sdk::Status remove(const std::string& uuid);
  // Frees every port of the device; OK when there are none. Returns how many.
  sdk::Result<std::int64_t> remove_by_device(const std::string& device_id);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
