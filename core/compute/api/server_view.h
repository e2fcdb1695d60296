// ServerView: how a server looks in the API at microversion 2.1 (Nova's
// nova/api/openstack/compute/views/servers.py): the brief form of GET
// /servers, the full form of GET /servers/{id} and /servers/detail, and the
// small body POST /servers answers with.
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
};
sdk::Result<ServerExtras> load_server_extras(db::Database& db, const std::vector<db::InstanceRecord>& instances);

// As above, from extras loaded for a page (GET /servers/detail).
nlohmann::json server_detail_view(const ApiRequest& req, const ServerExtras& extras, const db::InstanceRecord& instance);

// What PUT /servers/{id} answers: the full server without the extension
// attributes (OS-EXT-*, OS-SRV-USG:*, key_name, config_drive, security
// groups, volumes), as Nova does.
nlohmann::json server_update_view(const ApiRequest& req, db::Database& db, const db::InstanceRecord& instance);

// GET /servers/{id}/ips: {"<network name>": [{"addr", "version"}]}.
nlohmann::json server_addresses_view(db::Database& db, const std::string& uuid);

// Nova's hostId: sha224(project_id + host) in hex, "" without a host.
std::string server_host_id(const std::string& project_id, const std::string& host);

}  // namespace stratus::core::api
