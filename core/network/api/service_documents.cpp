// The Network service's discovery documents: versions, resources and the
// extensions it honours.
#include "core/network/api/network_routes.h"
#include "core/network/api/neutron_error.h"

namespace stratus::core::api {
namespace network {

namespace {

using nlohmann::json;

struct Extension {
  const char* alias;
  const char* name;
  const char* description;
};

// Only what Stratus really does: each alias names attributes it shows and
// keeps, not ones it would ignore.
constexpr Extension kExtensions[] = {
    {"external-net", "Neutron external network", "Adds external network attribute to network resource."},
    {"network-mtu", "Network MTU", "Provides MTU attribute for a network resource."},
    {"standard-attr-description", "standard-attr-description",
     "Extension to add descriptions to standard attributes"},
    {"standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at fields to all Neutron resources "
                                                       "that have Neutron standard attributes."},
    {"standard-attr-revisions", "Resource revision numbers",
     "This extension will display the revision number of neutron resources."},
    {"binding", "Port Binding", "Expose port bindings of a virtual port to external application"},
    {"security-group", "security-group", "The security groups extension."},
    {"quotas", "Quota management support", "Expose functions for quotas management per project"},
    {"quota_details", "Quota details extension", "Expose functions for quotas usage statistics per project"},
    {"router", "Neutron L3 Router",
     "Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a "
     "NAT gateway."},
    {"ext-gw-mode", "Neutron L3 Configurable external gateway mode",
     "Extension of the router abstraction for specifying whether SNAT should occur on the external gateway"},
    {"agent", "agent", "The agent management extension."},
    {"port-security", "Port Security", "Provides port security"},
};

json extension_view(const Extension& e) {
  return {{"alias", e.alias},
          {"name", e.name},
          {"description", e.description},
          {"links", json::array()},
          {"updated", "2013-01-20T00:00:00-00:00"}};
}

}  // namespace

void add_network_service_documents(ApiServer& server) {
  // Neutron answers its root without a token, so clients can discover it.
  server.route("GET", R"(/network/?)", [](const ApiRequest& req) -> sdk::Result<ApiResponse> {
    json version = {{"id", "v2.0"},
                    {"status", "CURRENT"},
                    {"links", json::array({{{"href", req.base_url + "/network/v2.0/"}, {"rel", "self"}}})}};
    return ApiResponse{200, {{"versions", json::array({version})}}, {}};
  }, /*is_public=*/true);

  server.route("GET", R"(/network/v2\.0/?)", [](const ApiRequest& req) -> sdk::Result<ApiResponse> {
    json resources = json::array();
    for (const auto& [name, collection] : {std::pair{"network", "networks"}, std::pair{"subnet", "subnets"},
                                           std::pair{"port", "ports"},
                                           std::pair{"security_group", "security-groups"},
                                           std::pair{"security_group_rule", "security-group-rules"},
                                           std::pair{"floatingip", "floatingips"},
                                           std::pair{"router", "routers"}, std::pair{"quota", "quotas"},
                                           std::pair{"agent", "agents"}}) {
      resources.push_back(
          {{"name", name},
           {"collection", collection},
           {"links", json::array({{{"href", req.base_url + "/network/v2.0/" + collection}, {"rel", "self"}}})}});
    }
    return ApiResponse{200, {{"resources", resources}}, {}};
  });

  server.route("GET", R"(/network/v2\.0/extensions/?)", [](const ApiRequest&) -> sdk::Result<ApiResponse> {
    json list = json::array();
    for (const auto& e : kExtensions) list.push_back(extension_view(e));
    return ApiResponse{200, {{"extensions", list}}, {}};
  });

  server.route("GET", R"(/network/v2\.0/extensions/([^/]+))", [](const ApiRequest& req) -> sdk::Result<ApiResponse> {
    for (const auto& e : kExtensions) {
      if (req.path_params[0] == e.alias) return ApiResponse{200, {{"extension", extension_view(e)}}, {}};
    }
    return neutron_error(404, "HTTPNotFound", "Extension with alias " + req.path_params[0] + " does not exist");
  });
}

}  // namespace network

void add_network_routes(ApiServer& server, db::Database& db, core::network::SecurityGroupRefresh* refresh) {
  network::add_network_service_documents(server);
  network::add_networks_routes(server, db);
  network::add_subnets_routes(server, db);
  network::add_ports_routes(server, db, refresh);
  network::add_security_group_routes(server, db, refresh);
  network::add_floatingips_routes(server, db);
  network::add_quotas_routes(server, db);
  network::add_routers_routes(server, db);
  network::add_agents_routes(server);

  // Last, so they see only what no route above took: what Neutron has and
  // Stratus does not do says so in Neutron's format (a client shows it),
  // rather than as a bare 404 in Nova's.
  const std::string known = R"(/network/v2\.0/(networks|subnets)(/[^/]+)?)";
  for (const char* method : {"POST", "PUT", "DELETE"}) {
    server.route(method, known, [](const ApiRequest& req) -> sdk::Result<ApiResponse> {
      const std::string what = req.path_params[0];
      const std::string message = req.method == "PUT" ? "Updating " + what + " is not supported by Stratus."
                                                      : "This operation on " + what + " is not supported by Stratus.";
      return network::neutron_error(501, "HTTPNotImplemented", message);
    });
  }
  for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
    server.route(method, R"(/network/.*)", [](const ApiRequest&) -> sdk::Result<ApiResponse> {
      return network::neutron_error(404, "HTTPNotFound", "The resource could not be found.");
    });
  }
}

}  // namespace stratus::core::api
