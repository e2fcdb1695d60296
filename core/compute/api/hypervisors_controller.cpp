#include "core/compute/api/hypervisors_controller.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <vector>

#include "core/http/policy.h"
#include "core/compute/api/service_state.h"
#include "core/db/compute_node_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/service_repository.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// A compute node with the service record of its host.
struct Hypervisor {
  db::ComputeNodeRecord node;
  db::ServiceRecord service;
};

// Every node whose host has a compute service record, by node id. Nova skips
// a node whose service was deleted ("Ignoring compute node ... since its
// service was deleted") rather than failing the whole list.
Result<std::vector<Hypervisor>> all_hypervisors(db::Database& db) {
  auto nodes = db::ComputeNodeRepository(db).list();
  if (!nodes.ok()) return nodes.status();
  auto services = db::ServiceRepository(db).list(std::nullopt, std::string(kComputeBinary));
  if (!services.ok()) return services.status();
  std::map<std::string, const db::ServiceRecord*> by_host;
  for (const auto& s : *services) by_host[s.host] = &s;
  std::vector<Hypervisor> out;
  for (auto& n : *nodes) {
    auto it = by_host.find(n.host);
    if (it == by_host.end()) continue;
    out.push_back({std::move(n), *it->second});
  }
  return out;
}

bool v(const ApiRequest& req, int minor) { return req.microversion >= Microversion{2, minor}; }

json brief_view(const Hypervisor& h, const HypervisorsOptions& options, const ApiRequest& req) {
  // Integer ids before 2.53, the node's uuid from then on.
  return {{"id", v(req, 53) ? json(h.node.uuid) : json(h.node.id)},
          {"hypervisor_hostname", h.node.hypervisor_hostname},
          {"state", service_state_name(service_is_up(h.service, options.service_down_time))},
          {"status", h.service.disabled ? "disabled" : "enabled"}};
}

std::int64_t free_ram_mb(const db::ComputeNodeRecord& n) { return n.memory_mb - n.memory_mb_used; }
std::int64_t free_disk_gb(const db::ComputeNodeRecord& n) { return n.local_gb - n.local_gb_used; }

json detail_view(const Hypervisor& h, const HypervisorsOptions& options, const ApiRequest& req) {
  const db::ComputeNodeRecord& n = h.node;
  json out = brief_view(h, options, req);
  json service = {{"host", h.service.host},
                  {"id", v(req, 53) ? json(service_uuid(h.service)) : json(h.service.id)},
                  {"disabled_reason", h.service.disabled_reason ? json(*h.service.disabled_reason) : json(nullptr)}};
  if (v(req, 88)) {
    // 2.88 dropped the inventory and usage figures (placement has them).
    out["hypervisor_type"] = n.hypervisor_type;
    out["hypervisor_version"] = n.hypervisor_version;
    out["host_ip"] = options.host_ip;
    out["service"] = service;
    return out;
  }
  out["vcpus"] = n.vcpus;
  out["vcpus_used"] = n.vcpus_used;
  out["memory_mb"] = n.memory_mb;
  out["memory_mb_used"] = n.memory_mb_used;
  out["local_gb"] = n.local_gb;
  out["local_gb_used"] = n.local_gb_used;
  out["free_ram_mb"] = free_ram_mb(n);
  out["free_disk_gb"] = free_disk_gb(n);
  out["current_workload"] = 0;
  out["running_vms"] = n.running_vms;
  out["hypervisor_type"] = n.hypervisor_type;
  out["hypervisor_version"] = n.hypervisor_version;
  out["host_ip"] = options.host_ip;
  // Nova's driver reports the disk left after over-committed (sparse) images;
  // our nodes report no such figure, so it is the free disk.
  out["disk_available_least"] = free_disk_gb(n);
  // A string before microversion 2.28, the object it encodes from then on.
  if (v(req, 28)) {
    json parsed = json::parse(n.cpu_info, nullptr, false);
    out["cpu_info"] = parsed.is_object() ? parsed : json::object();
  } else {
    out["cpu_info"] = n.cpu_info;
  }
  out["service"] = service;
  return out;
}

Status hypervisor_not_found(const std::string& id) {
  return Status::NotFound("Hypervisor with ID '" + id + "' could not be found.");
}

bool looks_like_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// The hypervisor of the path's id. Before 2.53 the id is the node's integer
// id; anything else is as unknown as a missing node (Nova answers 404 too).
// From 2.53 it is the node's uuid; a malformed one is a 400, as in Nova.
Result<Hypervisor> find_by_id(db::Database& db, const std::string& text, const ApiRequest& req) {
  if (v(req, 53)) {
    if (!looks_like_uuid(text)) return Status::InvalidArgument("Invalid uuid " + text);
    auto all = all_hypervisors(db);
    if (!all.ok()) return all.status();
    for (auto& h : *all) {
      if (h.node.uuid == text) return std::move(h);
    }
    return hypervisor_not_found(text);
  }
  std::int64_t id = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return hypervisor_not_found(text);
  auto all = all_hypervisors(db);
  if (!all.ok()) return all.status();
  for (auto& h : *all) {
    if (h.node.id == id) return std::move(h);
  }
  return hypervisor_not_found(text);
}

// The hypervisors whose name contains `pattern` (Nova's LIKE '%pattern%'),
// or 404 in Nova's words when there are none.
Result<std::vector<Hypervisor>> search(db::Database& db, const std::string& pattern) {
  auto all = all_hypervisors(db);
  if (!all.ok()) return all.status();
  std::vector<Hypervisor> out;
  for (auto& h : *all) {
    if (h.node.hypervisor_hostname.find(pattern) != std::string::npos) out.push_back(std::move(h));
  }
  if (out.empty()) return Status::NotFound("No hypervisor matching '" + pattern + "' could be found.");
  return out;
}

constexpr const char* kPolicy = "os_compute_api:os-hypervisors:";

// The servers on a node, as {"name", "uuid"} (Nova's with_servers view).
Result<json> servers_of(db::Database& db, const Hypervisor& h) {
  db::InstanceFilter filter;
  filter.host = h.node.host;
  filter.node = h.node.hypervisor_hostname;
  auto instances = db::InstanceRepository(db).list(filter);
  if (!instances.ok()) return instances.status();
  json servers = json::array();
  for (const auto& i : *instances) servers.push_back({{"name", i.name}, {"uuid", i.uuid}});
  return servers;
}

// The uptime line of the node's host, asked of its compute service. Nova:
// 501 without a driver that tells, 400 when the compute service is down.
Result<std::string> host_uptime(const HypervisorsOptions& options, const ApiRequest& req, const Hypervisor& h) {
  if (!options.host_uptime) return Status::NotSupported("Virt driver does not implement uptime function.");
  if (!service_is_up(h.service, options.service_down_time)) {
    return Status::InvalidArgument("Compute service of " + h.service.host + " is unavailable at this time.");
  }
  sdk::RequestContext ctx;
  ctx.request_id = req.request_id;
  ctx.user_id = req.auth.user_id;
  ctx.project_id = req.auth.project_id;
  ctx.roles = req.auth.roles;
  auto out = options.host_uptime(ctx, h.service.host);
  if (!out.ok() && out.status().is(sdk::StatusCode::kTimeout)) {
    return Status::InvalidArgument("Compute service of " + h.service.host + " is unavailable at this time.");
  }
  return out;
}

// Routes that Nova has only within a range of microversions answer 404
// outside it, as a route Nova does not have.
std::optional<ApiResponse> not_at(const ApiRequest& req, std::optional<int> from, std::optional<int> until) {
  if ((from && !v(req, *from)) || (until && v(req, *until + 1))) {
    return error_response(404, "The resource could not be found.");
  }
  return std::nullopt;
}

}  // namespace

void add_hypervisor_routes(ApiServer& server, db::Database& db, HypervisorsOptions options) {
  auto list = [&db, options](bool detail) {
    return [&db, options, detail](const ApiRequest& req) -> Result<ApiResponse> {
      if (auto denied = policy_check(req, std::string(kPolicy) + (detail ? "list-detail" : "list"))) return *denied;
      auto all = all_hypervisors(db);
      if (!all.ok()) return all.status();
      // 2.53: hypervisor_hostname_pattern (Nova's search, as a filter) and
      // with_servers; paging (limit, marker) from 2.33 but not with a pattern.
      auto pattern = v(req, 53) ? req.query_param("hypervisor_hostname_pattern") : std::nullopt;
      bool with_servers = false;
      if (v(req, 53)) {
        if (auto ws = req.query_param("with_servers")) {
          std::string t = *ws;
          for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (t == "true" || t == "1" || t == "yes" || t == "on" || t == "t" || t == "y") {
            with_servers = true;
          } else if (!(t == "false" || t == "0" || t == "no" || t == "off" || t == "f" || t == "n")) {
            return Status::InvalidArgument("Invalid input for query parameters with_servers. Value: " + *ws + ".");
          }
        }
      }
      std::optional<size_t> limit;
      std::optional<std::string> marker;
      if (v(req, 33)) {
        if (auto raw = req.query_param("limit")) {
          std::int64_t n = -1;
          auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), n);
          if (raw->empty() || ec != std::errc() || ptr != raw->data() + raw->size() || n < 0) {
            return Status::InvalidArgument("Invalid input for query parameters limit. Value: " + *raw + ".");
          }
          limit = static_cast<size_t>(n);
        }
        marker = req.query_param("marker");
        if (pattern && (limit || marker)) {
          return Status::InvalidArgument("Paging over hypervisors with the hypervisor_hostname_pattern query parameter "
                                         "is not supported.");
        }
      }
      std::vector<Hypervisor> picked;
      for (auto& h : *all) {
        if (pattern && h.node.hypervisor_hostname.find(*pattern) == std::string::npos) continue;
        picked.push_back(std::move(h));
      }
      if (pattern && picked.empty()) return Status::NotFound("No hypervisor matching '" + *pattern + "' could be found.");
      size_t start = 0;
      if (marker) {
        auto it = std::find_if(picked.begin(), picked.end(), [&](const Hypervisor& h) {
          return v(req, 53) ? h.node.uuid == *marker : std::to_string(h.node.id) == *marker;
        });
        if (it == picked.end()) return Status::InvalidArgument("marker [" + *marker + "] not found");
        start = static_cast<size_t>(it - picked.begin()) + 1;
      }
      json out = json::array();
      for (size_t i = start; i < picked.size() && (!limit || out.size() < *limit); ++i) {
        const Hypervisor& h = picked[i];
        json view = detail ? detail_view(h, options, req) : brief_view(h, options, req);
        if (with_servers) {
          auto servers = servers_of(db, h);
          if (!servers.ok()) return servers.status();
          if (!servers->empty()) view["servers"] = *servers;
        }
        out.push_back(view);
      }
      json body = {{"hypervisors", out}};
      if (limit && *limit > 0 && out.size() == *limit && start + *limit < picked.size()) {
        std::string last = v(req, 53) ? out.back()["id"].get<std::string>() : std::to_string(out.back()["id"].get<std::int64_t>());
        body["hypervisors_links"] = json::array(
            {{{"href", req.base_url + "/v2.1/os-hypervisors" + (detail ? "/detail" : "") + "?limit=" +
                           std::to_string(*limit) + "&marker=" + last},
              {"rel", "next"}}});
      }
      return ApiResponse{200, body, {}};
    };
  };
  server.route("GET", R"(/v2\.1/os-hypervisors)", list(false));
  server.route("GET", R"(/v2\.1/os-hypervisors/detail)", list(true));

  server.route("GET", R"(/v2\.1/os-hypervisors/statistics)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto gone = not_at(req, std::nullopt, 87)) return *gone;
    if (auto denied = policy_check(req, std::string(kPolicy) + "statistics")) return *denied;
    auto all = all_hypervisors(db);
    if (!all.ok()) return all.status();
    // As Nova's compute_node_statistics: the nodes of enabled compute services.
    std::int64_t count = 0, vcpus = 0, vcpus_used = 0, memory_mb = 0, memory_mb_used = 0, local_gb = 0,
                 local_gb_used = 0, free_ram = 0, free_disk = 0, running_vms = 0;
    for (const auto& h : *all) {
      if (h.service.disabled) continue;
      const auto& n = h.node;
      ++count;
      vcpus += n.vcpus;
      vcpus_used += n.vcpus_used;
      memory_mb += n.memory_mb;
      memory_mb_used += n.memory_mb_used;
      local_gb += n.local_gb;
      local_gb_used += n.local_gb_used;
      free_ram += free_ram_mb(n);
      free_disk += free_disk_gb(n);
      running_vms += n.running_vms;
    }
    json stats = {{"count", count},
                  {"current_workload", 0},
                  {"disk_available_least", free_disk},
                  {"free_disk_gb", free_disk},
                  {"free_ram_mb", free_ram},
                  {"local_gb", local_gb},
                  {"local_gb_used", local_gb_used},
                  {"memory_mb", memory_mb},
                  {"memory_mb_used", memory_mb_used},
                  {"running_vms", running_vms},
                  {"vcpus", vcpus},
                  {"vcpus_used", vcpus_used}};
    return ApiResponse{200, {{"hypervisor_statistics", stats}}, {}};
  });

  server.route("GET", R"(/v2\.1/os-hypervisors/([^/]+)/search)",
               [&db, options](const ApiRequest& req) -> Result<ApiResponse> {
                 if (auto gone = not_at(req, std::nullopt, 52)) return *gone;
                 if (auto denied = policy_check(req, std::string(kPolicy) + "search")) return *denied;
                 auto found = search(db, req.path_params[0]);
                 if (!found.ok()) return found.status();
                 json out = json::array();
                 for (const auto& h : *found) out.push_back(brief_view(h, options, req));
                 return ApiResponse{200, {{"hypervisors", out}}, {}};
               });

  server.route("GET", R"(/v2\.1/os-hypervisors/([^/]+)/servers)",
               [&db, options](const ApiRequest& req) -> Result<ApiResponse> {
                 if (auto gone = not_at(req, std::nullopt, 52)) return *gone;
                 if (auto denied = policy_check(req, std::string(kPolicy) + "servers")) return *denied;
                 auto found = search(db, req.path_params[0]);
                 if (!found.ok()) return found.status();
                 json out = json::array();
                 for (const auto& h : *found) {
                   auto servers = servers_of(db, h);
                   if (!servers.ok()) return servers.status();
                   json view = brief_view(h, options, req);
                   // Nova adds "servers" only to a node that has some.
                   if (!servers->empty()) view["servers"] = *servers;
                   out.push_back(view);
                 }
                 return ApiResponse{200, {{"hypervisors", out}}, {}};
               });

  server.route("GET", R"(/v2\.1/os-hypervisors/([^/]+)/uptime)", [&db, options](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto gone = not_at(req, std::nullopt, 87)) return *gone;
    if (auto denied = policy_check(req, std::string(kPolicy) + "uptime")) return *denied;
    auto h = find_by_id(db, req.path_params[0], req);
    if (!h.ok()) return h.status();
    auto uptime = host_uptime(options, req, *h);
    if (!uptime.ok()) return uptime.status();
    json view = brief_view(*h, options, req);
    view["uptime"] = *uptime;
    return ApiResponse{200, {{"hypervisor", view}}, {}};
  });

  server.route("GET", R"(/v2\.1/os-hypervisors/([^/]+))", [&db, options](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, std::string(kPolicy) + "show")) return *denied;
    auto h = find_by_id(db, req.path_params[0], req);
    if (!h.ok()) return h.status();
    json view = detail_view(*h, options, req);
    if (v(req, 88)) {
      // From 2.88 the show view carries the uptime; null when the host cannot say.
      auto uptime = host_uptime(options, req, *h);
      view["uptime"] = uptime.ok() ? json(*uptime) : json(nullptr);
    }
    if (v(req, 53)) {
      if (auto ws = req.query_param("with_servers"); ws && (*ws == "true" || *ws == "True" || *ws == "1")) {
        auto servers = servers_of(db, *h);
        if (!servers.ok()) return servers.status();
        if (!servers->empty()) view["servers"] = *servers;
      }
    }
    return ApiResponse{200, {{"hypervisor", view}}, {}};
  });
}

}  // namespace stratus::core::api
