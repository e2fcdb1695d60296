// ServerView: how a server looks in the API (Nova's
// nova/api/openstack/compute/views/servers.py), per the request's
// microversion: the brief form of GET /servers, the full form of GET
// /servers/{id} and /servers/detail, and what PUT and rebuild answer.
//
// What each microversion adds to the full form (Nova's api-ref):
//   2.3  OS-EXT-SRV-ATTR:reservation_id, launch_index, hostname, kernel_id,
//        ramdisk_id, root_device_name, user_data (with the other extended
//        attributes: admins only)
//   2.9  locked          2.16 host_status (admins)     2.19 description
//   2.26 tags            2.47 the embedded flavor (original_name, vcpus, ram,
//        disk, ephemeral, swap, extra_specs) instead of its id and links
//   2.63 trusted_image_certificates (null when not set)
//   2.71 server_groups (show, PUT, rebuild; not in lists)
//   2.73 locked_reason   2.75 PUT and rebuild answer the whole view
//   2.90 OS-EXT-SRV-ATTR:hostname for every user
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/http/api_server.h"
#include "core/db/database.h"
#include "core/db/instance_fault_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/port_repository.h"

namespace stratus::core::api {

// Which parts of the full form a reply carries (the arguments of Nova's
// ViewBuilder.show). nullopt: as the caller's policy allows.
struct ServerViewOptions {
  bool extend_address = true;  // OS-EXT-IPS:type and OS-EXT-IPS-MAC:mac_addr on each address
  bool show_az = true;
  bool show_config_drive = true;
  bool show_keypair = true;
  bool show_srv_usg = true;
  bool show_sec_grp = true;
  bool show_extended_status = true;
  bool show_extended_volumes = true;
  std::optional<bool> show_extended_attr;
  std::optional<bool> show_host_status;
  bool show_server_groups = false;
  bool show_user_data = true;  // OS-EXT-SRV-ATTR:user_data (rebuild shows "user_data" itself)
};

// GET /servers/{id}: everything, server_groups from 2.71.
ServerViewOptions show_view_options(const ApiRequest& req);
// PUT /servers/{id} and rebuild: the core view before 2.75, all of show's from 2.75.
ServerViewOptions update_view_options(const ApiRequest& req, bool rebuild);

// [{"href": <base>/v2.1/servers/<id>, "rel": "self"}, {... <base>/servers/<id>, "bookmark"}]
nlohmann::json server_links(const ApiRequest& req, const std::string& uuid);

// {"id", "links", "name"}
nlohmann::json server_brief_view(const ApiRequest& req, const db::InstanceRecord& instance);

// The full server: status (server_status.h), OS-EXT-STS:*, addresses from its
// ports, flavor and image links, metadata, times, hostId, fault (ERROR and
// DELETED only; details for admins or non-500 codes), and for admins
// OS-EXT-SRV-ATTR:host / hypervisor_hostname / instance_name. Reads the
// instance's ports, their networks and its latest fault from `db`.
nlohmann::json server_detail_view(const ApiRequest& req, db::Database& db, const db::InstanceRecord& instance);

// What the full view shows beside the instance rows, for a page of servers:
// loaded with a few statements in one read transaction, whatever the page size.
struct ServerExtras {
  std::map<std::string, std::vector<db::PortRecord>> ports;     // by instance uuid, oldest first
  std::map<std::string, std::string> network_names;             // by network uuid
  std::map<std::string, db::InstanceFaultRecord> faults;        // latest, ERROR and DELETED instances only
  std::map<std::string, std::vector<std::string>> security_groups;  // names, by instance uuid
  std::map<std::string, std::vector<std::string>> floating_ips;     // addresses, by port uuid

  std::map<std::string, std::string> host_status;               // 2.16: by host ("UP", "DOWN", ...)
  std::map<std::string, std::vector<std::string>> server_groups;  // 2.71: by instance uuid
};
// `server_groups`: also load each instance's server groups (show, PUT, rebuild at 2.71).
sdk::Result<ServerExtras> load_server_extras(db::Database& db, const std::vector<db::InstanceRecord>& instances,
                                             bool server_groups = false);

// As above, from extras loaded for a page (GET /servers/detail).
nlohmann::json server_detail_view(const ApiRequest& req, const ServerExtras& extras, const db::InstanceRecord& instance);

// The full form with the given parts (PUT, rebuild, show).
nlohmann::json server_view(const ApiRequest& req, const ServerExtras& extras, const db::InstanceRecord& instance,
                           const ServerViewOptions& options);
nlohmann::json server_view(const ApiRequest& req, db::Database& db, const db::InstanceRecord& instance,
                           const ServerViewOptions& options);

// What PUT /servers/{id} answers (update_view_options).
nlohmann::json server_update_view(const ApiRequest& req, db::Database& db, const db::InstanceRecord& instance);

// GET /servers/{id}/ips: {"<network name>": [{"addr", "version"}]}.
nlohmann::json server_addresses_view(db::Database& db, const std::string& uuid);

// Nova's hostId: sha224(project_id + host) in hex, "" without a host.
std::string server_host_id(const std::string& project_id, const std::string& host);

}  // namespace stratus::core::api
