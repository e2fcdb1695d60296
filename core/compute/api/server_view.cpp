#include "core/compute/api/server_view.h"

#include <map>
#include <set>

#include "core/http/policy.h"
#include "core/compute/api/server_status.h"
#include "core/common/digest.h"
#include "core/db/floating_ip_repository.h"
#include "core/db/instance_fault_repository.h"
#include "core/network/security_group_membership.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/db/server_group_repository.h"
#include "core/db/service_liveness.h"
#include "core/db/service_repository.h"
#include "core/compute/api/service_state.h"
#include "core/common/time_util.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;

json bookmark(const ApiRequest& req, const std::string& collection, const std::string& id) {
  return json::array({{{"href", req.base_url + "/" + collection + "/" + id}, {"rel", "bookmark"}}});
}

json nullable(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

bool at_least(const ApiRequest& req, int minor) { return req.microversion >= Microversion{2, minor}; }

// Nova's service_down_time default: a compute service silent longer is not "UP".
constexpr std::chrono::seconds kServiceDownTime{60};

// Nova's get_instance_host_status.
std::string host_status_of(const db::ServiceRecord& service) {
  if (service.forced_down) return "DOWN";
  if (service.disabled) return "MAINTENANCE";
  return db::service_is_up(service, kServiceDownTime) ? "UP" : "UNKNOWN";
}

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

sdk::Result<ServerExtras> load_server_extras(db::Database& db, const std::vector<db::InstanceRecord>& instances,
                                             bool server_groups) {
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
  std::set<std::string> hosts;
  for (const auto& r : instances) {
    if (!r.host.empty()) hosts.insert(r.host);
  }
  db::ServiceRepository services(*tx);
  for (const auto& host : hosts) {
    auto service = services.get(host, kComputeBinary);
    // Nova's HostStatus.NONE ("") when the host has no compute service.
    extras.host_status[host] = service.ok() ? host_status_of(*service) : "";
  }
  if (server_groups) {
    db::ServerGroupRepository groups(*tx);
    for (const auto& r : instances) {
      auto of = groups.groups_of(r.uuid);
      if (!of.ok()) return of.status();
      auto& list = extras.server_groups[r.uuid];
      for (const auto& g : *of) list.push_back(g.uuid);
    }
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
  return server_view(req, db, instance, update_view_options(req, /*rebuild=*/false));
}

ServerViewOptions show_view_options(const ApiRequest& req) {
  ServerViewOptions o;
  o.show_server_groups = at_least(req, 71);
  return o;
}

ServerViewOptions update_view_options(const ApiRequest& req, bool rebuild) {
  // Nova: before 2.75 PUT and rebuild answer the core view only (tempest's
  // update_server and rebuild_server schemas refuse the rest); from 2.75
  // everything GET shows. Rebuild shows key_name from 2.54 and its own
  // "user_data" from 2.57 (never OS-EXT-SRV-ATTR:user_data).
  const bool all = at_least(req, 75);
  ServerViewOptions o;
  o.extend_address = o.show_az = o.show_config_drive = o.show_srv_usg = o.show_sec_grp = o.show_extended_status =
      o.show_extended_volumes = all;
  o.show_keypair = all || (rebuild && at_least(req, 54));
  if (!all) o.show_extended_attr = o.show_host_status = false;
  o.show_server_groups = at_least(req, 71);
  o.show_user_data = !rebuild;
  return o;
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
  return server_view(req, db, instance, ServerViewOptions{});
}

json server_detail_view(const ApiRequest& req, const ServerExtras& extras, const db::InstanceRecord& r) {
  return server_view(req, extras, r, ServerViewOptions{});
}

json server_view(const ApiRequest& req, db::Database& db, const db::InstanceRecord& instance,
                 const ServerViewOptions& options) {
  auto extras = load_server_extras(db, {instance}, options.show_server_groups);
  return server_view(req, extras.ok() ? extras.value() : ServerExtras{}, instance, options);
}

namespace {

// 2.47: the flavor the server was built with, embedded.
json embedded_flavor(const db::InstanceRecord& r) {
  json f = {{"vcpus", r.flavor.vcpus},
            {"ram", r.flavor.memory_mb},
            {"disk", r.flavor.root_gb},
            {"ephemeral", r.flavor.ephemeral_gb},
            {"swap", r.flavor.swap_mb},
            {"original_name", r.flavor.name}};
  // Nova's servers:show:flavor-extra-specs allows the project's readers and
  // admins, who are the only ones who see the server at all.
  f["extra_specs"] = r.flavor.extra_specs;
  return f;
}

}  // namespace

json server_view(const ApiRequest& req, const ServerExtras& extras, const db::InstanceRecord& r,
                 const ServerViewOptions& o) {
  const std::string status = server_status(r.vm_state, r.task_state);
  auto ports = extras.ports.find(r.uuid);
  const bool has_ports = ports != extras.ports.end() && !ports->second.empty();
  json addrs = addresses(extras, r.uuid);
  if (!o.extend_address) {
    for (auto& [network, list] : addrs.items()) {
      for (auto& address : list) address = {{"addr", address["addr"]}, {"version", address["version"]}};
    }
  }
  json s = {
      {"OS-DCF:diskConfig", r.auto_disk_config ? "AUTO" : "MANUAL"},
      {"accessIPv4", r.access_ip_v4.value_or("")},
      {"accessIPv6", r.access_ip_v6.value_or("")},
      {"addresses", std::move(addrs)},
      {"created", common::to_api_seconds(r.created_at)},
      {"hostId", server_host_id(r.project_id, r.host)},
      {"id", r.uuid},
      // Nova shows "" for a server booted from a volume; here every server has an image.
      {"image", r.image_ref.empty() ? json("")
                                    : json{{"id", r.image_ref}, {"links", bookmark(req, "images", r.image_ref)}}},
      {"links", server_links(req, r.uuid)},
      {"metadata", r.metadata},
      {"name", r.display_name},
      {"status", status},
      {"tenant_id", r.project_id},
      {"updated", common::to_api_seconds(r.updated_at)},
      {"user_id", r.user_id},
  };
  s["flavor"] = at_least(req, 47) ? embedded_flavor(r)
                                  : json{{"id", r.flavor.id}, {"links", bookmark(req, "flavors", r.flavor.id)}};
  if (o.show_az) s["OS-EXT-AZ:availability_zone"] = r.availability_zone;
  if (o.show_config_drive) s["config_drive"] = r.config_drive ? "True" : "";
  if (o.show_keypair) s["key_name"] = nullable(r.key_name);
  if (o.show_srv_usg) {
    s["OS-SRV-USG:launched_at"] = nullable(r.launched_at);
    s["OS-SRV-USG:terminated_at"] = nullable(r.terminated_at);
  }
  if (o.show_extended_status) {
    s["OS-EXT-STS:power_state"] = static_cast<int>(r.power_state);
    s["OS-EXT-STS:task_state"] = nullable(r.task_state);
    s["OS-EXT-STS:vm_state"] = r.vm_state;
  }
  if (o.show_extended_volumes) s["os-extended-volumes:volumes_attached"] = json::array();
  // Security groups come from the ports (Neutron's view); none: no key, as Nova.
  if (auto groups = extras.security_groups.find(r.uuid);
      o.show_sec_grp && has_ports && groups != extras.security_groups.end()) {
    s["security_groups"] = json::array();
    for (const auto& name : groups->second) s["security_groups"].push_back({{"name", name}});
  }
  static const char* kProgressStatuses[] = {"ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"};
  for (const char* p : kProgressStatuses) {
    if (status == p) s["progress"] = 0;
  }
  const bool extended_attr =
      o.show_extended_attr.value_or(policy_allows(req.auth, "os_compute_api:os-extended-server-attributes"));
  if (extended_attr) {
    s["OS-EXT-SRV-ATTR:host"] = r.host.empty() ? json(nullptr) : json(r.host);
    s["OS-EXT-SRV-ATTR:hypervisor_hostname"] = r.node.empty() ? json(nullptr) : json(r.node);
    s["OS-EXT-SRV-ATTR:instance_name"] = r.name;
    if (at_least(req, 3)) {
      s["OS-EXT-SRV-ATTR:hostname"] = r.hostname;
      // No kernel or ramdisk images (AMI) here: Nova stores "" for those.
      s["OS-EXT-SRV-ATTR:kernel_id"] = "";
      s["OS-EXT-SRV-ATTR:ramdisk_id"] = "";
      s["OS-EXT-SRV-ATTR:launch_index"] = r.launch_index;
      s["OS-EXT-SRV-ATTR:reservation_id"] = r.reservation_id;
      // The drivers give the root disk the first virtio name once built.
      s["OS-EXT-SRV-ATTR:root_device_name"] = r.launched_at ? json("/dev/vda") : json(nullptr);
      if (o.show_user_data) s["OS-EXT-SRV-ATTR:user_data"] = nullable(r.user_data);
    }
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
  if (at_least(req, 9)) s["locked"] = r.locked;
  if (at_least(req, 16) &&
      o.show_host_status.value_or(policy_allows(req.auth, "os_compute_api:servers:show:host_status"))) {
    auto hs = extras.host_status.find(r.host);
    s["host_status"] = hs != extras.host_status.end() ? hs->second : std::string();
  }
  if (at_least(req, 19)) s["description"] = nullable(r.display_description);
  if (at_least(req, 26)) s["tags"] = r.tags;
  if (at_least(req, 63)) s["trusted_image_certificates"] = r.trusted_certs ? json(*r.trusted_certs) : json(nullptr);
  if (o.show_server_groups) {
    auto g = extras.server_groups.find(r.uuid);
    s["server_groups"] = g != extras.server_groups.end() ? json(g->second) : json::array();
  }
  if (at_least(req, 73)) s["locked_reason"] = nullable(r.locked_reason);
  if (at_least(req, 90) && !extended_attr) s["OS-EXT-SRV-ATTR:hostname"] = r.hostname;
  return s;
}

}  // namespace stratus::core::api
