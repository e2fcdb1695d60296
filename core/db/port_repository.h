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
  // Kept for ports made through the Network API (POST /ports); a port made
  // with a server has Neutron's defaults.
  std::string name;
  std::string description;
  bool admin_state_up = true;
  bool port_security_enabled = true;
  // The user's port: freeing its device unbinds it rather than deleting it.
  bool preserve_on_delete = false;
};

// What POST /ports (and a router interface) asks for. Empty strings are
// "not given".
struct PortSpec {
  std::string network_uuid;
  std::string device_id;
  std::string device_owner;
  std::string project_id;
  std::string name;
  std::string description;
  std::optional<std::string> fixed_ip;
  std::string subnet_uuid;   // the address comes from this subnet
  std::string mac_address;   // "" : a random fa:16:3e MAC
  bool admin_state_up = true;
  bool port_security_enabled = true;
  bool preserve_on_delete = false;
  // A router interface takes its subnet's gateway address.
  bool gateway_allowed = false;
};

// What PUT /ports/{id} may change; nullopt leaves it as it is.
struct PortUpdate {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<bool> admin_state_up;
  std::optional<bool> port_security_enabled;
  std::optional<std::string> device_id;
  std::optional<std::string> device_owner;
  std::optional<std::string> mac_address;
  // A new fixed IP (with its subnet, "" : any of the network's).
  std::optional<std::string> fixed_ip;
  std::optional<std::string> subnet_uuid;
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
  // A port as PortSpec describes it. As create() above, plus kNotFound for
  // a subnet_uuid not on the network, kInvalidArgument for a fixed IP
  // outside that subnet and kConflict for a MAC in use. The Network API
  // checks these first to answer in Neutron's words (ports_controller.cpp);
  // the transaction is what makes them hold.
  sdk::Result<PortRecord> create(const PortSpec& spec);
  // Name, description, admin state, port security, device, MAC and fixed IP
  // (the old address is freed, the new one checked as on create).
  // kNotFound, kInvalidArgument, kConflict as create.
  sdk::Result<PortRecord> update(const std::string& uuid, const PortUpdate& update);
  // Binds the port to `device_id` (an instance) only if it has no device:
  // kConflict "PortInUse: ..." otherwise; kNotFound.
  sdk::Status bind(const std::string& uuid, const std::string& device_id);
  // The ports a project owns (made by it, or its instances'), for quotas.
  sdk::Result<std::int64_t> count(const std::string& project_id);
  // Clears the port's device (and owner) only while it is `device_id` (an attach that
  // failed gives the port back). kNotFound when the port is not bound to it.
  sdk::Status unbind(const std::string& uuid, const std::string& device_id);
  sdk::Result<PortRecord> get(const std::string& uuid);
  sdk::Result<std::vector<PortRecord>> list_by_device(const std::string& device_id);
  // The ports of all these devices, oldest first, in a few statements (lists).
  sdk::Result<std::vector<PortRecord>> list_by_devices(const std::vector<std::string>& device_ids);
  sdk::Result<std::vector<PortRecord>> list_by_network(const std::string& network_uuid);
  // The port holding this MAC, or nullopt.
  sdk::Result<std::optional<PortRecord>> find_by_mac(const std::string& mac_address);
  // The port holding this address on the network, or nullopt.
  sdk::Result<std::optional<PortRecord>> find_by_address(const std::string& network_uuid, const std::string& ip);
  // Every port, oldest first.
  sdk::Result<std::vector<PortRecord>> list();
  sdk::Status set_status(const std::string& uuid, const std::string& status);
  // Frees the port and its address. kNotFound.
  sdk::Status remove(const std::string& uuid);
  // Frees every port of the device; OK when there are none. Returns how many.
  // A user's port (preserve_on_delete) is unbound instead: device_id and
  // device_owner cleared, as Nova leaves ports it did not create.
  sdk::Result<std::int64_t> remove_by_device(const std::string& device_id);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
