// os-floating-ips, os-floating-ip-pools and the addFloatingIp /
// removeFloatingIp actions (network_proxies.h).
#include <spdlog/spdlog.h>

#include "core/common/ids.h"
#include "core/compute/api/compute_request.h"
#include "core/compute/api/network_proxies.h"
#include "core/db/floating_ip_repository.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/http/api_error.h"
#include "core/network/floating_ip_allocation.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

constexpr Microversion kProxiesGone{2, 36};
constexpr Microversion kActionsGone{2, 44};

ApiResponse nova_error(int status, const std::string& message) {
  return ApiResponse{status, nova_error_body(status, message), {}};
}

ApiResponse gone() { return nova_error(404, "The resource could not be found."); }

json nullable(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

// Nova's view of a Neutron floating IP.
json fip_view(const db::FloatingIpRecord& f) {
  return {{"id", f.uuid},
          {"ip", f.floating_ip_address},
          {"fixed_ip", nullable(f.fixed_ip_address)},
          {"instance_id", f.instance_id.empty() ? json(nullptr) : json(f.instance_id)},
          {"pool", f.floating_network_name}};
}

Result<db::FloatingIpRecord> visible_fip(db::Database& db, const ApiRequest& req, const std::string& id) {
  auto f = db::FloatingIpRepository(db).get(id);
  if (!f.ok() || (!req.auth.is_admin && f->project_id != req.auth.project_id)) {
    if (f.ok() || f.status().is(sdk::StatusCode::kNotFound)) {
      return Status::NotFound("Floating IP not found for ID " + id);
    }
    return f.status();
  }
  return f;
}

Result<ApiResponse> list(db::Database& db, const ApiRequest& req) {
  if (req.microversion >= kProxiesGone) return gone();
  auto fips = db::FloatingIpRepository(db).list(req.auth.project_id);
  if (!fips.ok()) return fips.status();
  json out = json::array();
  for (const auto& f : *fips) out.push_back(fip_view(f));
  return ApiResponse{200, {{"floating_ips", std::move(out)}}, {}};
}

Result<ApiResponse> show(db::Database& db, const ApiRequest& req) {
  if (req.microversion >= kProxiesGone) return gone();
  auto f = visible_fip(db, req, req.path_params[0]);
  if (!f.ok()) return f.status();
  return ApiResponse{200, {{"floating_ip", fip_view(*f)}}, {}};
}

Result<ApiResponse> allocate(db::Database& db, const ApiRequest& req) {
  if (req.microversion >= kProxiesGone) return gone();
  // Nova's default_floating_pool is "public", the seed's external network.
  std::string pool = "public";
  if (req.body.is_object() && req.body.contains("pool") && req.body["pool"].is_string()) {
    pool = req.body["pool"].get<std::string>();
  }
  auto nets = db::NetworkRepository(db).list();
  if (!nets.ok()) return nets.status();
  std::optional<std::string> network;
  for (const auto& n : *nets) {
    if (n.router_external && (n.name == pool || n.uuid == pool)) {
      network = n.uuid;
      break;
    }
  }
  if (!network) return nova_error(404, "Floating IP pool not found.");
  auto f = network::allocate_floating_ip(db, *network, req.auth.project_id, std::nullopt, "");
  if (!f.ok()) {
    if (f.status().is(sdk::StatusCode::kConflict)) return nova_error(404, "No more floating IPs in pool " + pool + ".");
    if (f.status().reason() == sdk::StatusReason::kQuotaExceeded) {
      return nova_error(403, "IP allocation over quota in pool " + pool + ".");
    }
    return f.status();
  }
  spdlog::info("{} floating IP {} ({}) allocated to project {}", req.request_id, f->uuid, f->floating_ip_address,
               f->project_id);
  return ApiResponse{200, {{"floating_ip", fip_view(*f)}}, {}};
}

Result<ApiResponse> release(db::Database& db, const ApiRequest& req) {
  if (req.microversion >= kProxiesGone) return gone();
  auto f = visible_fip(db, req, req.path_params[0]);
  if (!f.ok()) return f.status();
  auto st = db::FloatingIpRepository(db).remove(f->uuid);
  if (!st.ok()) return st;
  spdlog::info("{} floating IP {} released", req.request_id, f->uuid);
  return ApiResponse{202, nullptr, {}};
}

Result<ApiResponse> pools(db::Database& db, const ApiRequest& req) {
  if (req.microversion >= kProxiesGone) return gone();
  auto nets = db::NetworkRepository(db).list();
  if (!nets.ok()) return nets.status();
  json out = json::array();
  for (const auto& n : *nets) {
    if (n.router_external) out.push_back({{"name", n.name}});
  }
  return ApiResponse{200, {{"floating_ip_pools", std::move(out)}}, {}};
}

// The caller's floating IP with this address.
Result<db::FloatingIpRecord> fip_by_address(db::Database& db, const ApiRequest& req, const std::string& address) {
  auto fips = db::FloatingIpRepository(db).list(req.auth.is_admin ? std::nullopt
                                                                   : std::optional<std::string>(req.auth.project_id));
  if (!fips.ok()) return fips.status();
  for (auto& f : *fips) {
    if (f.floating_ip_address == address) return std::move(f);
  }
  return Status::NotFound("Floating IP not found for address " + address + ".");
}

std::optional<std::string> address_of(const ApiRequest& req, const char* action, const char* key) {
  const json& body = req.body[action];
  if (!body.is_object() || !body.contains(key) || !body[key].is_string()) return std::nullopt;
  return body[key].get<std::string>();
}

Result<ApiResponse> add_fip(compute::ComputeAPI& compute, db::Database& db, const ApiRequest& req,
                            const std::string& server_id) {
  if (req.microversion >= kActionsGone) return gone();
  auto address = address_of(req, "addFloatingIp", "address");
  if (!address) return nova_error(400, "Invalid input for field/attribute address. Value: None.");
  const auto fixed = address_of(req, "addFloatingIp", "fixed_address");
  auto instance = compute.get(compute_context(req), server_id);
  if (!instance.ok()) return instance.status();
  auto ports = db::PortRepository(db).list_by_device(instance->uuid);
  if (!ports.ok()) return ports.status();
  if (ports->empty()) return nova_error(400, "No nw_info cache associated with instance");
  auto f = fip_by_address(db, req, *address);
  if (!f.ok()) {
    if (f.status().is(sdk::StatusCode::kNotFound)) return nova_error(404, "floating IP not found");
    return f.status();
  }
  const db::PortRecord* port = &ports->front();
  if (fixed) {
    port = nullptr;
    for (const auto& p : *ports) {
      if (p.ip_address == *fixed) port = &p;
    }
    if (port == nullptr) return nova_error(400, "Specified fixed address not assigned to instance");
  }
  auto done = db::FloatingIpRepository(db).associate(f->uuid, port->uuid);
  if (done.status().is(sdk::StatusCode::kAlreadyExists)) return nova_error(400, "floating IP is already associated");
  if (!done.ok()) return done.status();
  spdlog::info("{} floating IP {} associated with {} of server {}", req.request_id, *address, port->ip_address,
               instance->uuid);
  return ApiResponse{202, nullptr, {}};
}

Result<ApiResponse> remove_fip(compute::ComputeAPI& compute, db::Database& db, const ApiRequest& req,
                               const std::string& server_id) {
  if (req.microversion >= kActionsGone) return gone();
  auto address = address_of(req, "removeFloatingIp", "address");
  if (!address) return nova_error(400, "Invalid input for field/attribute address. Value: None.");
  auto instance = compute.get(compute_context(req), server_id);
  if (!instance.ok()) return instance.status();
  auto f = fip_by_address(db, req, *address);
  if (!f.ok()) {
    if (f.status().is(sdk::StatusCode::kNotFound)) return nova_error(404, "floating IP not found");
    return f.status();
  }
  if (!f->port_id || f->instance_id != instance->uuid) {
    return nova_error(409, "Floating IP " + *address + " is not associated with instance " + instance->uuid + ".");
  }
  auto done = db::FloatingIpRepository(db).associate(f->uuid, std::nullopt);
  if (!done.ok()) return done.status();
  spdlog::info("{} floating IP {} disassociated from server {}", req.request_id, *address, instance->uuid);
  return ApiResponse{202, nullptr, {}};
}

}  // namespace

namespace proxy {

void add_floating_ip_routes(ApiServer& server, ServerActionTable& actions, compute::ComputeAPI& compute,
                            db::Database& db) {
  const std::string fips = R"(/v2\.1/os-floating-ips)";
  server.route("GET", fips + "/?", [&db](const ApiRequest& r) { return list(db, r); });
  server.route("POST", fips + "/?", [&db](const ApiRequest& r) { return allocate(db, r); });
  server.route("GET", fips + R"(/([^/]+))", [&db](const ApiRequest& r) { return show(db, r); });
  server.route("DELETE", fips + R"(/([^/]+))", [&db](const ApiRequest& r) { return release(db, r); });
  server.route("GET", R"(/v2\.1/os-floating-ip-pools/?)", [&db](const ApiRequest& r) { return pools(db, r); });
  actions["addFloatingIp"] = [&compute, &db](const ApiRequest& r, const std::string& id) {
    return add_fip(compute, db, r, id);
  };
  actions["removeFloatingIp"] = [&compute, &db](const ApiRequest& r, const std::string& id) {
    return remove_fip(compute, db, r, id);
  };
}

}  // namespace proxy

}  // namespace stratus::core::api
