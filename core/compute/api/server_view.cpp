#include "core/compute/api/server_view.h"

#include <map>

#include "core/http/policy.h"
#include "core/compute/api/server_status.h"
#include "core/common/digest.h"
#include "core/db/floating_ip_repository.h"
#include "core/db/instance_fault_repository.h"
#include "core/network/security_group_membership.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/common/time_util.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;

json bookmark(const ApiRequest& req, const std::string& collection, const std::string& id) {
  return json::array({{{"href", req.base_url + "/" + collection + "/" + id}, {"rel", "bookmark"}}});
}

json nullable(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

// {"<network name>": [{"OS-EXT-IPS-MAC:mac_addr", "OS-EXT-IPS:type", "addr", "version"}]}
json addresses(const ServerExtras& extras, const std::string& uuid) {
  json out = json::object();
  auto ports = extras.ports.find(uuid);
  if (ports == extras.ports.end()) return out;
  for (const auto& port : ports->second) {
    auto name = extras.network_names.find(port.network_uuid);
    json& list = out[name != extras.network_names.end() ? name->second : port.network_uuid];
    if (!list.is_array()) list = json::array();
    if (port.ip_address.empty()) continue;
    list.push_back({{"OS-EXT-IPS-MAC:mac_addr", port.mac_address},
                    {"OS-EXT-IPS:type", "fixed"},
                    {"addr", port.ip_address},
                    {"version", 4}});
    if (auto fips = extras.floating_ips.find(port.uuid); fips != extras.floating_ips.end()) {
      for (const auto& fip : fips->second) {
        list.push_back({{"OS-EXT-IPS-MAC:mac_addr", port.mac_address},
                        {"OS-EXT-IPS:type", "floating"},
                        {"addr", fip},
                        {"version", 4}});
      }
    }
  }
  return out;
}

// The view of one server reads what it shows as leniently as before the
// batch loader: what cannot be read is left out.
ServerExtras extras_of(db::Database& db, const db::InstanceRecord& instance) {
  auto extras = load_server_extras(db, {instance});
  return extras.ok() ? std::move(extras.value()) : ServerExtras{};
}

// The ports' security groups and floating IPs (network service).
sdk::Status load_network_extras(db::Transaction& tx, const std::vector<std::string>& uuids, ServerExtras& extras) {
  auto groups = network::security_group_names_of(tx, uuids);
  if (!groups.ok()) return groups.status();
  extras.security_groups = std::move(groups.value());
  std::vector<std::string> port_ids;
  for (const auto& [instance, ports] : extras.ports) {
    for (const auto& p : ports) port_ids.push_back(p.uuid);
  }
  if (port_ids.empty()) return sdk::Status::OK();
  auto fips = db::FloatingIpRepository(tx).list_by_ports(port_ids);
  if (!fips.ok()) return fips.status();
  for (const auto& f : *fips) extras.floating_ips[f.port_id.value_or("")].push_back(f.floating_ip_address);
  return sdk::Status::OK();
}

}  // namespace

sdk::Result<ServerExtras> load_server_extras(db::Database& db, const std::vector<db::InstanceRecord>& instances) {
  ServerExtras extras;
  if (instances.empty()) return extras;
  auto tx = db.begin_read("load server details");
  if (!tx.ok()) return tx.status();
  std::vector<std::string> uuids;
  std::vector<std::string> faulty;
  for (const auto& r : instances) {
    uuids.push_back(r.uuid);
    if (r.vm_state == "error" || r.vm_state == "deleted") faulty.push_back(r.uuid);
  }
  auto ports = db::PortRepository(*tx).list_by_devices(uuids);
  if (!ports.ok()) return ports.status();
  db::NetworkRepository networks(*tx);
  for (auto& port : *ports) {
    if (!extras.network_names.contains(port.network_uuid)) {
      auto net = networks.get(port.network_uuid);
      extras.network_names[port.network_uuid] = net.ok() ? net->name : port.network_uuid;
    }
    extras.ports[port.device_id].push_back(std::move(port));
  }
  if (auto st = load_network_extras(*tx, uuids, extras); !st.ok()) return st;
  if (!faulty.empty()) {
    auto faults = db::InstanceFaultRepository(*tx).latest_of(faulty);
    if (!faults.ok()) return faults.status();
    extras.faults = std::move(faults.value());
  }
  if (auto st = tx->commit(); !st.ok()) return st;
  return extras;
}

json server_addresses_view(db::Database& db, const std::string& uuid) {
  db::InstanceRecord instance;
  instance.uuid = uuid;
  json out = addresses(extras_of(db, instance), uuid);
  // Nova's /ips view is the basic one: address and IP version only.
  for (auto& [network, list] : out.items()) {
    for (auto& address : list) address = {{"addr", address["addr"]}, {"version", address["version"]}};
  }
  return out;
}

json server_update_view(const ApiRequest& req, db::Database& db, const db::InstanceRecord& instance) {
  json s = server_detail_view(req, db, instance);
  // Nova answers PUT /servers/{id} with the core view: none of the extension
  // attributes GET adds (tempest's update_server schema refuses them).
  for (const char* key : {"OS-EXT-AZ:availability_zone", "OS-EXT-SRV-ATTR:host", "OS-EXT-SRV-ATTR:hypervisor_hostname",
                          "OS-EXT-SRV-ATTR:instance_name", "OS-EXT-STS:power_state", "OS-EXT-STS:task_state",
                          "OS-EXT-STS:vm_state", "OS-SRV-USG:launched_at", "OS-SRV-USG:terminated_at", "config_drive",
                          "key_name", "os-extended-volumes:volumes_attached", "security_groups"}) {
    s.erase(key);
  }
  s["addresses"] = server_addresses_view(db, instance.uuid);
  return s;
}

std::string server_host_id(const std::string& project_id, const std::string& host) {
  return host.empty() ? std::string() : common::sha224_hex(project_id + host);
}

json server_links(const ApiRequest& req, const std::string& uuid) {
  return json::array({{{"href", req.base_url + "/v2.1/servers/" + uuid}, {"rel", "self"}},
                      {{"href", req.base_url + "/servers/" + uuid}, {"rel", "bookmark"}}});
}

json server_brief_view(const ApiRequest& req, const db::InstanceRecord& instance) {
  return {{"id", instance.uuid}, {"links", server_links(req, instance.uuid)}, {"name", instance.display_name}};
}

json server_detail_view(const ApiRequest& req, db::Database& db, const db::InstanceRecord& instance) {
  return server_detail_view(req, extras_of(db, instance), instance);
}

json server_detail_view(const ApiRequest& req, const ServerExtras& extras, const db::InstanceRecord& r) {
  const std::string status = server_status(r.vm_state, r.task_state);
  auto ports = extras.ports.find(r.uuid);
  const bool has_ports = ports != extras.ports.end() && !ports->second.empty();
  json s = {
      {"OS-DCF:diskConfig", "MANUAL"},
      {"OS-EXT-AZ:availability_zone", r.availability_zone},
      {"OS-EXT-STS:power_state", static_cast<int>(r.power_state)},
      {"OS-EXT-STS:task_state", nullable(r.task_state)},
      {"OS-EXT-STS:vm_state", r.vm_state},
      {"OS-SRV-USG:launched_at", nullable(r.launched_at)},
      {"OS-SRV-USG:terminated_at", nullable(r.terminated_at)},
      {"accessIPv4", ""},
      {"accessIPv6", ""},
      {"addresses", addresses(extras, r.uuid)},
      {"config_drive", r.config_drive ? "True" : ""},
      {"created", common::to_api_seconds(r.created_at)},
      {"flavor", {{"id", r.flavor.id}, {"links", bookmark(req, "flavors", r.flavor.id)}}},
      {"hostId", server_host_id(r.project_id, r.host)},
      {"id", r.uuid},
      // Nova shows "" for a server booted from a volume; here every server has an image.
      {"image", r.image_ref.empty() ? json("")
                                    : json{{"id", r.image_ref}, {"links", bookmark(req, "images", r.image_ref)}}},
      {"key_name", nullable(r.key_name)},
      {"links", server_links(req, r.uuid)},
      {"metadata", r.metadata},
      {"name", r.display_name},
      {"os-extended-volumes:volumes_attached", json::array()},
      {"status", status},
      {"tenant_id", r.project_id},
      {"updated", common::to_api_seconds(r.updated_at)},
      {"user_id", r.user_id},
  };
  // Security groups come from the ports (Neutron's view); none: no key, as Nova.
  if (auto groups = extras.security_groups.find(r.uuid); has_ports && groups != extras.security_groups.end()) {
    s["security_groups"] = json::array();
    for (const auto& name : groups->second) s["security_groups"].push_back({{"name", name}});
  }
  static const char* kProgressStatuses[] = {"ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"};
  for (const char* p : kProgressStatuses) {
    if (status == p) s["progress"] = 0;
  }
  if (policy_allows(req.auth, "os_compute_api:os-extended-server-attributes")) {
    s["OS-EXT-SRV-ATTR:host"] = r.host.empty() ? json(nullptr) : json(r.host);
    s["OS-EXT-SRV-ATTR:hypervisor_hostname"] = r.node.empty() ? json(nullptr) : json(r.node);
    s["OS-EXT-SRV-ATTR:instance_name"] = r.name;
  }
  if (r.vm_state == "error" || r.vm_state == "deleted") {
    auto fault = extras.faults.find(r.uuid);
    if (fault != extras.faults.end()) {
      json f = {{"code", fault->second.code},
                {"created", common::to_api_seconds(fault->second.created_at)},
                {"message", fault->second.message}};
      // Nova hides the details of an internal error (a traceback) from non-admins.
      if (fault->second.code != 500 || has_role(req.auth, "admin")) f["details"] = fault->second.details;
      s["fault"] = f;
    }
  }
  return s;
}

}  // namespace stratus::core::api
