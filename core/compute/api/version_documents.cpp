#include "core/compute/api/version_documents.h"

#include "core/http/api_server.h"
#include "core/http/microversion.h"

namespace stratus::core::api {

namespace {

nlohmann::json links(const std::string& href) {
  return nlohmann::json::array({{{"rel", "self"}, {"href", href}}});
}

// Nova's own dates for these versions: clients compare them, not we.
nlohmann::json v20(const std::string& base_url) {
  return {{"id", "v2.0"},         {"status", "SUPPORTED"},       {"version", ""},
          {"min_version", ""},    {"updated", "2011-01-21T11:33:21Z"}, {"links", links(base_url + "/v2/")}};
}

nlohmann::json v21(const std::string& base_url) {
  return {{"id", "v2.1"},
          {"status", "CURRENT"},
          {"version", kMaxMicroversion.to_string()},
          {"min_version", kMinMicroversion.to_string()},
          {"updated", "2013-07-23T11:33:21Z"},
          {"links", links(base_url + "/v2.1/")}};
}

}  // namespace

nlohmann::json versions_document(const std::string& base_url) {
  return {{"versions", nlohmann::json::array({v20(base_url), v21(base_url)})}};
}

nlohmann::json v20_version_document(const std::string& base_url) {
  nlohmann::json doc = v20(base_url);
  doc["links"].push_back({{"rel", "describedby"}, {"type", "text/html"}, {"href", "https://docs.openstack.org/"}});
  doc["media-types"] = nlohmann::json::array(
      {{{"base", "application/json"}, {"type", "application/vnd.openstack.compute+json;version=2"}}});
  return {{"version", doc}};
}

nlohmann::json v21_version_document(const std::string& base_url) {
  nlohmann::json doc = v21(base_url);
  doc["links"].push_back({{"rel", "describedby"},
                          {"type", "text/html"},
                          {"href", "https://docs.openstack.org/"}});
  doc["media-types"] = nlohmann::json::array(
      {{{"base", "application/json"}, {"type", "application/vnd.openstack.compute+json;version=2.1"}}});
  return {{"version", doc}};
}

void add_version_routes(ApiServer& server) {
  server.route("GET", "/", [](const ApiRequest& req) -> sdk::Result<ApiResponse> {
    // 200, as Nova answers (tempest's list_versions schema holds it to that).
    return ApiResponse{200, versions_document(req.base_url), {}};
  }, /*is_public=*/true);
  // The v2.0 document GET / links to (tempest follows every self link).
  server.route("GET", R"(/v2/?)", [](const ApiRequest& req) -> sdk::Result<ApiResponse> {
    return ApiResponse{200, v20_version_document(req.base_url), {}};
  }, /*is_public=*/true);
  server.route("GET", R"(/v2\.1/?)", [](const ApiRequest& req) -> sdk::Result<ApiResponse> {
    return ApiResponse{200, v21_version_document(req.base_url), {}};
  }, /*is_public=*/true);
}

}  // namespace stratus::core::api
