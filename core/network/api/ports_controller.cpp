// /network/v2.0/ports: list, show, create, update, delete (policy:
// network_policy.h). Ports made here are the user's (preserve_on_delete):
// a server booted with one binds it and, deleted, leaves it unbound; ports
// made by a server create go with their server.
#include <map>
#include <regex>

#include <spdlog/spdlog.h>

#include "core/network/api/quota_check.h"
#include "core/db/instance_repository.h"
#include "core/db/security_group_repository.h"
#include "core/db/ipv4_address.h"
#include "core/network/api/request_body.h"

#include "core/network/api/network_policy.h"
#include "core/network/api/network_routes.h"
#include "core/network/api/network_views.h"
#include "core/network/api/neutron_error.h"
#include "core/network/api/neutron_query.h"

namespace stratus::core::api::network {

namespace {

using nlohmann::json;
using sdk::Result;

// Network uuid -> its owner, for get_port's "network owner" clause.
Result<std::map<std::string, std::string>> network_owners(db::Database& db) {
  auto nets = db::NetworkRepository(db).list();
  if (!nets.ok()) return nets.status();
  std::map<std::string, std::string> out;
  for (const auto& n : *nets) out.emplace(n.uuid, n.project_id);
  return out;
}

// Fills each view's security_groups from the port's memberships.
sdk::Status add_security_groups(db::Database& db, std::vector<json>& views) {
  std::vector<std::string> ids;
  for (const auto& v : views) ids.push_back(v.value("id", ""));
  if (ids.empty()) return sdk::Status::OK();
  auto groups = db::SecurityGroupRepository(db).groups_of_ports(ids);
  if (!groups.ok()) return groups.status();
  for (auto& v : views) {
    auto it = groups->find(v.value("id", ""));
    if (it != groups->end()) v["security_groups"] = it->second;
  }
  return sdk::Status::OK();
}

Result<ApiResponse> list(db::Database& db, const ApiRequest& req) {
  auto ports = db::PortRepository(db).list();
  if (!ports.ok()) return ports.status();
  auto owners = network_owners(db);
  if (!owners.ok()) return owners.status();
  std::vector<json> views;
  for (const auto& p : *ports) {
    if (may_get_port(req.auth, p, (*owners)[p.network_uuid])) views.push_back(port_view(p, req.auth));
  }
  if (auto st = add_security_groups(db, views); !st.ok()) return st;
  return list_reply(req, "ports", "Port", attribute_names(port_view({}, req.auth)), views);
}

Result<ApiResponse> show(db::Database& db, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  auto port = db::PortRepository(db).get(id);
  if (!port.ok()) return neutron_failure(port.status(), "Port", id);
  auto net = db::NetworkRepository(db).get(port->network_uuid);
  if (!may_get_port(req.auth, *port, net.ok() ? net->project_id : std::string())) return not_found("Port", id);
  std::vector<json> views = {port_view(*port, req.auth)};
  if (auto st = add_security_groups(db, views); !st.ok()) return st;
  return show_reply(req, "port", views.front());
}

// The groups a port is to be in, each the port's project's (any for
// admins), or Neutron's 404 for one that is not.
std::variant<std::vector<std::string>, ApiResponse> checked_groups(db::Database& db, const ApiRequest& req,
                                                                   const std::vector<std::string>& groups,
                                                                   const std::string& project_id) {
  db::SecurityGroupRepository repo(db);
  for (const auto& g : groups) {
    auto group = repo.get(g);
    if (!group.ok() || (!req.auth.is_admin && group->project_id != project_id)) {
      return neutron_error(404, "SecurityGroupNotFound", "Security group " + g + " does not exist");
    }
  }
  return groups;
}

// Changes the port's groups and tells the hosts whose rules depend on them.
sdk::Status set_groups(db::Database& db, core::network::SecurityGroupRefresh* refresh, const ApiRequest& req,
                       const db::PortRecord& port, const std::vector<std::string>& groups) {
  db::SecurityGroupRepository repo(db);
  auto before = repo.groups_of_ports({port.uuid});
  if (!before.ok()) return before.status();
  if (auto st = repo.set_port_groups(port.uuid, groups); !st.ok()) return st;
  if (refresh) {
    // The port's instance, and those whose rules name an old or new group
    // as remote (that group's members changed).
    std::vector<std::string> changed = groups;
    for (const auto& [port_id, old] : *before) changed.insert(changed.end(), old.begin(), old.end());
    std::vector<std::string> instances;
    if (!port.device_id.empty()) instances.push_back(port.device_id);
    refresh->refresh(req.request_id, core::network::SecurityGroupChange{{}, changed, instances});
  }
  spdlog::info("{} port {} security groups set to {}", req.request_id, port.uuid, json(groups).dump());
  return sdk::Status::OK();
}

bool valid_mac(const std::string& mac) {
  static const std::regex kMac("^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$");
  return std::regex_match(mac, kMac) && mac != "00:00:00:00:00:00" && mac != "ff:ff:ff:ff:ff:ff";
}

// One fixed IP as a body gives it: {"subnet_id": S} and/or {"ip_address": A}.
struct FixedIp {
  std::string subnet_id;
  std::optional<std::string> ip_address;
};

// fixed_ips of a body: at most one entry (Stratus ports have one address).
std::variant<std::optional<FixedIp>, ApiResponse> read_fixed_ips(RequestBody& body) {
  if (!body.has("fixed_ips")) return std::optional<FixedIp>();
  const json& list = body.raw("fixed_ips");
  if (!list.is_array()) return bad_request("Invalid input for fixed_ips. Reason: Invalid data format for fixed IP: '" + list.dump() + "'.");
  if (list.size() != 1) {
    return bad_request("Invalid input for fixed_ips. Reason: a Stratus port has exactly one fixed IP, " +
                       std::to_string(list.size()) + " given.");
  }
  const json& entry = list.front();
  if (!entry.is_object() || entry.empty()) {
    return bad_request("Invalid input for fixed_ips. Reason: Invalid data format for fixed IP: '" + entry.dump() + "'.");
  }
  FixedIp out;
  for (const auto& [key, value] : entry.items()) {
    if ((key != "subnet_id" && key != "ip_address") || !value.is_string()) {
      return bad_request("Invalid input for fixed_ips. Reason: Invalid data format for fixed IP: '" + entry.dump() + "'.");
    }
  }
  out.subnet_id = entry.value("subnet_id", "");
  if (entry.contains("ip_address")) {
    out.ip_address = entry["ip_address"].get<std::string>();
    if (!db::parse_ipv4(*out.ip_address).ok()) {
      return bad_request("Invalid input for fixed_ips. Reason: '" + *out.ip_address + "' is not a valid IP address.");
    }
  }
  return std::optional<FixedIp>(out);
}

// Neutron's answers for an address or MAC a port cannot have, checked
// before the write (the write's transaction is what makes them hold).
std::optional<ApiResponse> check_address(db::Database& db, const std::string& network_uuid, const FixedIp& fixed,
                                         const std::string& own_port) {
  if (!fixed.subnet_id.empty()) {
    auto subnet = db::SubnetRepository(db).get(fixed.subnet_id);
    if (!subnet.ok()) return not_found("Subnet", fixed.subnet_id);
    if (subnet->network_uuid != network_uuid) {
      return bad_request("Invalid input for operation: Failed to create port on network " + network_uuid +
                         ", because fixed_ips included invalid subnet " + fixed.subnet_id + ".");
    }
  }
  if (!fixed.ip_address) return std::nullopt;
  auto subnets = db::SubnetRepository(db).list_by_network(network_uuid);
  if (!subnets.ok()) return std::nullopt;
  const auto ip = db::parse_ipv4(*fixed.ip_address);
  std::string subnet_of_ip;
  for (const auto& s : *subnets) {
    auto cidr = db::parse_ipv4_cidr(s.cidr);
    if (!cidr.ok() || !cidr->is_host(*ip) || s.gateway == *fixed.ip_address) continue;
    if (fixed.subnet_id.empty() || s.uuid == fixed.subnet_id) subnet_of_ip = s.uuid;
  }
  if (subnet_of_ip.empty()) {
    if (!fixed.subnet_id.empty()) {
      return neutron_error(400, "InvalidIpForSubnet",
                           "IP address " + *fixed.ip_address + " is not a valid IP for the specified subnet.");
    }
    return neutron_error(400, "InvalidIpForNetwork", "IP address " + *fixed.ip_address +
                                                         " is not a valid IP for any of the subnets on the specified network.");
  }
  auto holder = db::PortRepository(db).find_by_address(network_uuid, *fixed.ip_address);
  if (holder.ok() && *holder && (*holder)->uuid != own_port) {
    return neutron_error(409, "IpAddressAlreadyAllocated",
                         "IP address " + *fixed.ip_address + " already allocated in subnet " + subnet_of_ip);
  }
  return std::nullopt;
}

std::optional<ApiResponse> check_mac(db::Database& db, const std::string& network_uuid, const std::string& mac) {
  if (!valid_mac(mac)) return bad_request("Invalid input for mac_address. Reason: '" + mac + "' is not a valid MAC address.");
  auto holder = db::PortRepository(db).find_by_mac(mac);
  if (holder.ok() && *holder) {
    return neutron_error(409, "MacAddressInUse", "Unable to complete operation for network " + network_uuid +
                                                     ". The mac address " + mac + " is in use.");
  }
  return std::nullopt;
}

// A write's refusal by the repository (a race the checks above did not
// see, or a network out of addresses when none was asked for).
Result<ApiResponse> port_write_failure(const sdk::Status& status, const std::string& network_uuid,
                                       const std::string& id, bool fixed_address) {
  if (status.is(sdk::StatusCode::kConflict) && !fixed_address) {
    return neutron_error(409, "IpAddressGenerationFailure",
                         "No more IP addresses available on network " + network_uuid + ".");
  }
  return neutron_failure(status, "Port", id);
}

// A device id naming a server would hand the port to that server's host
// behind the Compute API's back (and to another project's server): servers
// take ports through server create --nic port-id= (compute_api_create.cpp).
std::optional<ApiResponse> refuse_server_device(db::Database& db, const std::string& device_id) {
  if (device_id.empty()) return std::nullopt;
  auto instance = db::InstanceRepository(db).get(device_id);
  if (!instance.ok()) return std::nullopt;
  return neutron_error(400, "BadRequest",
                       "Bad port request: device_id " + device_id +
                           " is a server; a server takes a port with server create --nic port-id=.");
}

const std::set<std::string>& creatable() {
  static const std::set<std::string> kAttrs = {
      "network_id",   "name",      "description",    "admin_state_up",        "mac_address",   "fixed_ips",
      "device_id",    "device_owner", "security_groups", "port_security_enabled", "project_id", "tenant_id",
      "binding:vnic_type"};
  return kAttrs;
}

// POST {"port": {...}}: create_port, with the sub-rules Neutron's policy
// keeps for the network's owner (mac_address, fixed_ips:ip_address,
// port_security_enabled, a network:* device_owner).
Result<ApiResponse> create(db::Database& db, core::network::SecurityGroupRefresh* refresh, const ApiRequest& req) {
  auto parsed = RequestBody::parse(req.body, "port", creatable());
  if (auto* refused = std::get_if<ApiResponse>(&parsed)) return *refused;
  auto& body = std::get<RequestBody>(parsed);
  db::PortSpec spec;
  spec.network_uuid = body.string("network_id").value_or("");
  spec.name = body.string("name").value_or("");
  spec.description = body.string("description").value_or("");
  spec.admin_state_up = body.boolean("admin_state_up").value_or(true);
  spec.port_security_enabled = body.boolean("port_security_enabled").value_or(true);
  spec.mac_address = body.string("mac_address").value_or("");
  spec.device_id = body.string("device_id").value_or("");
  spec.device_owner = body.string("device_owner").value_or("");
  std::optional<std::vector<std::string>> groups;
  if (body.has("security_groups") && !body.is_null("security_groups")) groups = body.strings("security_groups");
  if (auto vnic = body.string("binding:vnic_type"); vnic && *vnic != "normal") {
    body.fail("binding:vnic_type", "'" + *vnic + "' is not in ['normal']");
  }
  if (body.error()) return *body.error();
  if (spec.network_uuid.empty()) return bad_request("Failed to parse request. Required attribute 'network_id' not specified");
  auto fixed = read_fixed_ips(body);
  if (auto* refused = std::get_if<ApiResponse>(&fixed)) return *refused;
  auto project = owning_project(body, req.auth);
  if (auto* refused = std::get_if<ApiResponse>(&project)) return *refused;
  spec.project_id = std::get<std::string>(project);
  spec.preserve_on_delete = true;

  auto net = db::NetworkRepository(db).get(spec.network_uuid);
  if (!net.ok()) return neutron_failure(net.status(), "Network", spec.network_uuid);
  if (!may_get_network(req.auth, *net)) return not_found("Network", spec.network_uuid);
  const bool network_owner = may_change_network(req.auth, *net);
  const auto& fixed_ip = std::get<std::optional<FixedIp>>(fixed);
  if (!spec.mac_address.empty() && !network_owner) return policy_denied("create_port:mac_address");
  if (fixed_ip && fixed_ip->ip_address && !network_owner) return policy_denied("create_port:fixed_ips:ip_address");
  if (body.has("port_security_enabled") && !network_owner) return policy_denied("create_port:port_security_enabled");
  if (spec.device_owner.rfind("network:", 0) == 0 && !network_owner) return policy_denied("create_port:device_owner");
  if (auto refused = refuse_server_device(db, spec.device_id)) return *refused;
  if (!spec.mac_address.empty()) {
    if (auto refused = check_mac(db, spec.network_uuid, spec.mac_address)) return *refused;
  }
  if (fixed_ip) {
    if (auto refused = check_address(db, spec.network_uuid, *fixed_ip, "")) return *refused;
    spec.subnet_uuid = fixed_ip->subnet_id;
    spec.fixed_ip = fixed_ip->ip_address;
  }
  // Neutron puts a new port in the project's default group unless told
  // otherwise; port security off means no group at all.
  std::vector<std::string> group_ids;
  if (groups) {
    auto checked = checked_groups(db, req, *groups, spec.project_id);
    if (auto* refused = std::get_if<ApiResponse>(&checked)) return *refused;
    group_ids = *groups;
  } else if (spec.port_security_enabled) {
    auto def = db::SecurityGroupRepository(db).ensure_default(spec.project_id);
    if (!def.ok()) return def.status();
    group_ids.push_back(def->uuid);
  }
  if (!spec.port_security_enabled && !group_ids.empty()) {
    return neutron_error(409, "PortSecurityAndIPRequiredForSecurityGroups",
                         "Port security must be enabled and port must have an IP address in order to use security "
                         "groups.");
  }
  if (auto refused = refuse_over_quota(db, spec.project_id, "port")) return *refused;
  auto created = db::PortRepository(db).create(spec);
  if (!created.ok()) return port_write_failure(created.status(), spec.network_uuid, "", spec.fixed_ip.has_value());
  if (!group_ids.empty()) {
    if (auto st = set_groups(db, refresh, req, *created, group_ids); !st.ok()) return st;
  }
  spdlog::info("{} port {} created on network {} for project {} ({})", req.request_id, created->uuid,
               spec.network_uuid, spec.project_id, created->ip_address);
  ApiRequest created_req = req;
  created_req.path_params = {created->uuid};
  auto shown = show(db, created_req);
  if (shown.ok()) shown->status = 201;
  return shown;
}

// PUT {"port": {...}}: update_port (admin or the port's owner), with
// Neutron's sub-rules: mac_address admin only, fixed_ips:ip_address and
// port_security_enabled the network's owner.
Result<ApiResponse> update(db::Database& db, core::network::SecurityGroupRefresh* refresh, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  auto port = db::PortRepository(db).get(id);
  if (!port.ok()) return neutron_failure(port.status(), "Port", id);
  auto net = db::NetworkRepository(db).get(port->network_uuid);
  if (!net.ok()) return neutron_failure(net.status(), "Network", port->network_uuid);
  if (!may_get_port(req.auth, *port, net->project_id)) return not_found("Port", id);
  const bool network_owner = may_change_network(req.auth, *net);
  if (!req.auth.is_admin && port->project_id != req.auth.project_id && !network_owner) return policy_denied("update_port");
  auto parsed = RequestBody::parse(req.body, "port",
                                   {"name", "description", "admin_state_up", "security_groups", "port_security_enabled",
                                    "fixed_ips", "mac_address", "device_id", "device_owner", "binding:host_id"});
  if (auto* refused = std::get_if<ApiResponse>(&parsed)) return *refused;
  auto& body = std::get<RequestBody>(parsed);
  db::PortUpdate u;
  u.name = body.string("name");
  u.description = body.string("description");
  u.admin_state_up = body.boolean("admin_state_up");
  u.port_security_enabled = body.boolean("port_security_enabled");
  u.device_id = body.string("device_id");
  u.device_owner = body.string("device_owner");
  u.mac_address = body.string("mac_address");
  std::optional<std::vector<std::string>> groups;
  if (body.has("security_groups")) {
    groups = body.is_null("security_groups") ? std::vector<std::string>{}
                                             : body.strings("security_groups").value_or(std::vector<std::string>{});
  }
  if (body.has("binding:host_id")) body.fail("binding:host_id", "ports are bound by the compute service");
  if (body.error()) return *body.error();
  auto fixed = read_fixed_ips(body);
  if (auto* refused = std::get_if<ApiResponse>(&fixed)) return *refused;
  const auto& fixed_ip = std::get<std::optional<FixedIp>>(fixed);

  if (u.mac_address && !req.auth.is_admin) return policy_denied("update_port:mac_address");
  if (fixed_ip && fixed_ip->ip_address && !network_owner) return policy_denied("update_port:fixed_ips:ip_address");
  if (u.port_security_enabled && !network_owner) return policy_denied("update_port:port_security_enabled");
  if (u.device_owner && u.device_owner->rfind("network:", 0) == 0 && !network_owner) {
    return policy_denied("update_port:device_owner");
  }
  if (u.device_id && *u.device_id != port->device_id) {
    if (auto refused = refuse_server_device(db, *u.device_id)) return *refused;
  }
  if (u.mac_address && *u.mac_address != port->mac_address) {
    if (!port->device_id.empty()) {
      return neutron_error(409, "PortBound", "Unable to complete operation on port " + id + ", port is already bound.");
    }
    if (auto refused = check_mac(db, port->network_uuid, *u.mac_address)) return *refused;
  }
  if (fixed_ip) {
    if (auto refused = check_address(db, port->network_uuid, *fixed_ip, id)) return *refused;
    u.fixed_ip = fixed_ip->ip_address;
    u.subnet_uuid = fixed_ip->subnet_id;
  }
  const bool security_after = u.port_security_enabled.value_or(port->port_security_enabled);
  if (groups) {
    auto checked = checked_groups(db, req, *groups, port->project_id);
    if (auto* refused = std::get_if<ApiResponse>(&checked)) return *refused;
  }
  if (!security_after) {
    auto current = db::SecurityGroupRepository(db).groups_of_ports({id});
    if (!current.ok()) return current.status();
    const bool has_groups = groups ? !groups->empty() : (current->count(id) != 0 && !current->at(id).empty());
    if (has_groups) {
      return neutron_error(409, "PortSecurityPortHasSecurityGroup",
                           "Port has security group associated. Cannot disable port security or ip address until "
                           "security group is removed");
    }
  }
  auto updated = db::PortRepository(db).update(id, u);
  if (!updated.ok()) return port_write_failure(updated.status(), port->network_uuid, id, u.fixed_ip.has_value());
  if (groups) {
    if (auto st = set_groups(db, refresh, req, *updated, *groups); !st.ok()) return neutron_failure(st, "Port", id);
  }
  spdlog::info("{} port {} updated", req.request_id, id);
  return show(db, req);
}

// DELETE: delete_port (admin, the port's owner, the network's owner).
// A router's interface goes with remove_router_interface (Neutron's
// 409 PortInUse otherwise); a server's port goes with its server.
Result<ApiResponse> remove(db::Database& db, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  auto port = db::PortRepository(db).get(id);
  if (!port.ok()) return neutron_failure(port.status(), "Port", id);
  auto net = db::NetworkRepository(db).get(port->network_uuid);
  const std::string network_owner = net.ok() ? net->project_id : std::string();
  if (!may_get_port(req.auth, *port, network_owner)) return not_found("Port", id);
  if (!req.auth.is_admin && port->project_id != req.auth.project_id && !owns(req.auth, network_owner)) {
    return policy_denied("delete_port");
  }
  if (port->device_owner == db::kRouterInterfaceOwner || port->device_owner == db::kRouterGatewayOwner) {
    return neutron_error(409, "PortInUse", "Unable to complete operation on port " + id + " for network " +
                                               port->network_uuid + ". Port already has an attached device " +
                                               port->device_id + ".");
  }
  if (auto st = db::PortRepository(db).remove(id); !st.ok()) return neutron_failure(st, "Port", id);
  spdlog::info("{} port {} deleted", req.request_id, id);
  return ApiResponse{204, nullptr, {}};
}

}  // namespace

void add_ports_routes(ApiServer& server, db::Database& db, core::network::SecurityGroupRefresh* refresh) {
  const std::string collection = R"(/network/v2\.0/ports)";
  server.route("GET", collection + "/?", [&db](const ApiRequest& r) { return list(db, r); });
  server.route("GET", collection + R"(/([^/]+))", [&db](const ApiRequest& r) { return show(db, r); });
  server.route("POST", collection + "/?", [&db, refresh](const ApiRequest& r) { return create(db, refresh, r); });
  server.route("PUT", collection + R"(/([^/]+))", [&db, refresh](const ApiRequest& r) { return update(db, refresh, r); });
  server.route("DELETE", collection + R"(/([^/]+))", [&db](const ApiRequest& r) { return remove(db, r); });
}

}  // namespace stratus::core::api::network
