// /network/v2.0/floatingips (Neutron's l3 extension, floating IPs only; no
// routers: any port of a guest can be associated, nothing is routed).
// Admins see every floating IP, others their project's; associating needs
// a port the caller may see. Neutron's default quota (50) applies.
#include <spdlog/spdlog.h>

#include "core/common/time_util.h"
#include "core/db/floating_ip_repository.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/network/api/network_policy.h"
#include "core/network/api/network_routes.h"
#include "core/network/api/neutron_error.h"
#include "core/network/api/neutron_query.h"
#include "core/network/api/request_body.h"
#include "core/network/floating_ip_allocation.h"

namespace stratus::core::api::network {

namespace {

using nlohmann::json;
using sdk::Result;

std::string timestamp(const std::string& stored) { return stored.empty() ? "" : common::to_api_seconds(stored); }

json nullable(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

json fip_view(const db::FloatingIpRecord& f) {
  return {{"id", f.uuid},
          {"floating_ip_address", f.floating_ip_address},
          {"floating_network_id", f.floating_network_id},
          {"router_id", nullptr},
          {"port_id", nullable(f.port_id)},
          {"fixed_ip_address", nullable(f.fixed_ip_address)},
          {"status", f.status()},
          {"project_id", f.project_id},
          {"tenant_id", f.project_id},
          {"description", f.description},
          {"tags", json::array()},
          {"port_forwardings", json::array()},
          {"created_at", timestamp(f.created_at)},
          {"updated_at", timestamp(f.updated_at)},
          {"revision_number", f.revision_number}};
}

bool may_see(const AuthContext& auth, const db::FloatingIpRecord& f) {
  return auth.is_admin || f.project_id == auth.project_id;
}

ApiResponse fip_not_found(const std::string& id) {
  return neutron_error(404, "FloatingIPNotFound", "Floating IP " + id + " could not be found");
}

Result<ApiResponse> list(db::Database& db, const ApiRequest& req) {
  auto fips = db::FloatingIpRepository(db).list(req.auth.is_admin ? std::nullopt
                                                                   : std::optional<std::string>(req.auth.project_id));
  if (!fips.ok()) return fips.status();
  std::vector<json> views;
  for (const auto& f : *fips) views.push_back(fip_view(f));
  return list_reply(req, "floatingips", "FloatingIP", attribute_names(fip_view({})), views);
}

Result<ApiResponse> show(db::Database& db, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  auto f = db::FloatingIpRepository(db).get(id);
  if (f.status().is(sdk::StatusCode::kNotFound) || (f.ok() && !may_see(req.auth, *f))) return fip_not_found(id);
  if (!f.ok()) return f.status();
  return show_reply(req, "floatingip", fip_view(*f));
}

// The port to associate, checked as Neutron checks it: visible to the
// caller, not on the floating IP's own network, holding fixed_ip if given.
Result<std::optional<ApiResponse>> check_port(db::Database& db, const ApiRequest& req, const std::string& port_id,
                                              const std::optional<std::string>& fixed_ip,
                                              const std::string& floating_network) {
  auto port = db::PortRepository(db).get(port_id);
  if (port.status().is(sdk::StatusCode::kNotFound)) return std::optional<ApiResponse>(not_found("Port", port_id));
  if (!port.ok()) return port.status();
  auto net = db::NetworkRepository(db).get(port->network_uuid);
  if (!may_get_port(req.auth, *port, net.ok() ? net->project_id : std::string())) {
    return std::optional<ApiResponse>(not_found("Port", port_id));
  }
  if (port->network_uuid == floating_network) {
    return std::optional<ApiResponse>(bad_request("Bad floatingip request: Cannot add floating IP to port on "
                                                  "subnet " + port->subnet_uuid + " which has no gateway_ip."));
  }
  if (fixed_ip && *fixed_ip != port->ip_address) {
    return std::optional<ApiResponse>(
        bad_request("Bad floatingip request: Port " + port_id + " does not have fixed ip " + *fixed_ip + "."));
  }
  return std::optional<ApiResponse>();
}

Result<ApiResponse> create(db::Database& db, const ApiRequest& req) {
  auto parsed = RequestBody::parse(req.body, "floatingip",
                                   {"floating_network_id", "floating_ip_address", "port_id", "fixed_ip_address",
                                    "description", "project_id", "tenant_id", "subnet_id", "dns_name", "dns_domain"});
  if (auto* refused = std::get_if<ApiResponse>(&parsed)) return *refused;
  auto& body = std::get<RequestBody>(parsed);
  if (!body.has("floating_network_id")) {
    return bad_request("Failed to parse request. Required attribute 'floating_network_id' not specified");
  }
  const std::string network = body.string("floating_network_id").value_or("");
  std::optional<std::string> address;
  if (!body.is_null("floating_ip_address")) address = body.string("floating_ip_address");
  std::optional<std::string> port_id;
  if (!body.is_null("port_id")) port_id = body.string("port_id");
  std::optional<std::string> fixed_ip;
  if (!body.is_null("fixed_ip_address")) fixed_ip = body.string("fixed_ip_address");
  const std::string description = body.is_null("description") ? "" : body.string("description").value_or("");
  if (body.error()) return *body.error();
  auto project = owning_project(body, req.auth);
  if (auto* refused = std::get_if<ApiResponse>(&project)) return *refused;
  auto net = db::NetworkRepository(db).get(network);
  if (net.status().is(sdk::StatusCode::kNotFound) || (net.ok() && !may_get_network(req.auth, *net))) {
    return not_found("Network", network);
  }
  if (!net.ok()) return net.status();
  if (!net->router_external) {
    return bad_request("Bad floatingip request: Network " + network + " is not a valid external network.");
  }
  if (address && !req.auth.is_admin) return policy_denied("create_floatingip:floating_ip_address");
  if (port_id) {
    auto bad = check_port(db, req, *port_id, fixed_ip, network);
    if (!bad.ok()) return bad.status();
    if (*bad) return **bad;
  }
  auto created = core::network::allocate_floating_ip(db, network, std::get<std::string>(project), address,
                                                     description, port_id);
  if (!created.ok()) {
    const auto& st = created.status();
    if (st.reason() == sdk::StatusReason::kQuotaExceeded) return neutron_error(409, "OverQuota", st.message());
    if (st.is(sdk::StatusCode::kConflict) && address) {
      return neutron_error(409, "IpAddressAlreadyAllocated",
                           "IP address " + *address + " already allocated in subnet");
    }
    if (st.is(sdk::StatusCode::kConflict)) {
      return neutron_error(409, "IpAddressGenerationFailure", "No more IP addresses available on network " + network + ".");
    }
    if (st.is(sdk::StatusCode::kAlreadyExists)) return neutron_error(409, "FloatingIPPortAlreadyAssociated", st.message());
    return neutron_failure(st, "FloatingIP", "");
  }
  // refresh: none (floating IPs are not enforced by the guest's filters).
  spdlog::info("{} floating IP {} ({}) allocated to project {}", req.request_id, created->uuid,
               created->floating_ip_address, created->project_id);
  return show_reply(req, "floatingip", fip_view(*created), 201);
}

Result<ApiResponse> update(db::Database& db, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  db::FloatingIpRepository fips(db);
  auto f = fips.get(id);
  if (f.status().is(sdk::StatusCode::kNotFound) || (f.ok() && !may_see(req.auth, *f))) return fip_not_found(id);
  if (!f.ok()) return f.status();
  auto parsed = RequestBody::parse(req.body, "floatingip", {"port_id", "fixed_ip_address", "description"});
  if (auto* refused = std::get_if<ApiResponse>(&parsed)) return *refused;
  auto& body = std::get<RequestBody>(parsed);
  if (!body.has("port_id")) {
    // Neutron answers a description-only update; nothing else to change here.
    if (body.error()) return *body.error();
    return show_reply(req, "floatingip", fip_view(*f));
  }
  std::optional<std::string> port_id;
  if (!body.is_null("port_id")) port_id = body.string("port_id");
  std::optional<std::string> fixed_ip;
  if (!body.is_null("fixed_ip_address")) fixed_ip = body.string("fixed_ip_address");
  if (body.error()) return *body.error();
  if (port_id) {
    auto bad = check_port(db, req, *port_id, fixed_ip, f->floating_network_id);
    if (!bad.ok()) return bad.status();
    if (*bad) return **bad;
  }
  auto done = fips.associate(id, port_id);
  if (done.status().is(sdk::StatusCode::kAlreadyExists)) {
    return neutron_error(409, "FloatingIPPortAlreadyAssociated", done.status().message());
  }
  if (!done.ok()) return neutron_failure(done.status(), "FloatingIP", id);
  spdlog::info("{} floating IP {} {}", req.request_id, id,
               port_id ? "associated with port " + *port_id : std::string("disassociated"));
  return show_reply(req, "floatingip", fip_view(*done));
}

Result<ApiResponse> remove(db::Database& db, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  db::FloatingIpRepository fips(db);
  auto f = fips.get(id);
  if (f.status().is(sdk::StatusCode::kNotFound) || (f.ok() && !may_see(req.auth, *f))) return fip_not_found(id);
  if (!f.ok()) return f.status();
  auto st = fips.remove(id);
  if (st.is(sdk::StatusCode::kNotFound)) return fip_not_found(id);
  if (!st.ok()) return st;
  spdlog::info("{} floating IP {} released", req.request_id, id);
  return ApiResponse{204, nullptr, {}};
}

}  // namespace

void add_floatingips_routes(ApiServer& server, db::Database& db) {
  const std::string collection = R"(/network/v2\.0/floatingips)";
  const std::string member = collection + R"(/([^/]+))";
  server.route("GET", collection + "/?", [&db](const ApiRequest& r) { return list(db, r); });
  server.route("POST", collection + "/?", [&db](const ApiRequest& r) { return create(db, r); });
  server.route("GET", member, [&db](const ApiRequest& r) { return show(db, r); });
  server.route("PUT", member, [&db](const ApiRequest& r) { return update(db, r); });
  server.route("DELETE", member, [&db](const ApiRequest& r) { return remove(db, r); });
}

}  // namespace stratus::core::api::network
