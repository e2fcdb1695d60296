// The Network service's discovery documents: versions, resources and the
// extensions it honours.
#include "core/api/network/network_routes.h"
#include "core/api/network/neutron_error.h"

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
                                           std::pair{"port", "ports"}}) {
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

void add_network_routes(ApiServer& server, db::Database& db) {
  network::add_network_service_documents(server);
  network::add_networks_routes(server, db);
  network::add_subnets_routes(server, db);
  network::add_ports_routes(server, db);
}

}  // namespace stratus::core::api
