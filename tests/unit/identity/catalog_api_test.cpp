// Keystone's services, endpoints and regions (GET /v3/services, /endpoints,
// /regions): the catalog a token carries, as resources, with Keystone's
// filters and policy; writes are refused.
#include <set>
#include <string>

#include "identity_api_fixture.h"

namespace stratus::core::identity {
namespace {

class CatalogApiTest : public IdentityAdminApiTest {
 protected:
  // The catalog of a fresh token of root's.
  json token_catalog() {
    httplib::Headers h{{"X-Auth-Token", root_}, {"X-Subject-Token", root_}};
    auto v = client_->Get("/identity/v3/auth/tokens", h);
    return json::parse(v->body)["token"]["catalog"];
  }
};

TEST_F(CatalogApiTest, ServicesAreTheTokensCatalogEntries) {
  auto list = call("GET", "/identity/v3/services", root_);
  ASSERT_EQ(list->status, 200) << list->body;
  const json services = body(list)["services"];
  const json catalog = token_catalog();
  ASSERT_EQ(services.size(), catalog.size());
  std::set<std::string> from_api, from_token;
  for (const auto& s : services) {
    from_api.insert(s["id"].get<std::string>() + " " + s["type"].get<std::string>() + " " + s["name"].get<std::string>());
    EXPECT_EQ(s["enabled"], true);
    EXPECT_EQ(s["links"]["self"], base_ + "/identity/v3/services/" + s["id"].get<std::string>());
  }
  for (const auto& s : catalog) {
    from_token.insert(s["id"].get<std::string>() + " " + s["type"].get<std::string>() + " " +
                      s["name"].get<std::string>());
  }
  EXPECT_EQ(from_api, from_token);
  EXPECT_EQ(body(list)["links"]["self"], base_ + "/identity/v3/services");

  auto compute = call("GET", "/identity/v3/services?type=compute", root_);
  ASSERT_EQ(body(compute)["services"].size(), 1u);
  const json nova = body(compute)["services"][0];
  EXPECT_EQ(nova["name"], "nova");
  EXPECT_EQ(body(call("GET", "/identity/v3/services?name=glance", root_))["services"][0]["type"], "image");
  EXPECT_EQ(body(call("GET", "/identity/v3/services?type=volumev3", root_))["services"].size(), 0u);

  auto shown = call("GET", "/identity/v3/services/" + nova["id"].get<std::string>(), root_);
  ASSERT_EQ(shown->status, 200);
  EXPECT_EQ(body(shown)["service"], nova);
  auto missing = call("GET", "/identity/v3/services/nope", root_);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(message(missing), "Could not find service: nope.");
}

TEST_F(CatalogApiTest, EndpointsCarryTheTokensUrlsAndFilter) {
  auto list = call("GET", "/identity/v3/endpoints", root_);
  ASSERT_EQ(list->status, 200) << list->body;
  const json endpoints = body(list)["endpoints"];
  std::set<std::string> from_api, from_token;
  for (const auto& e : endpoints) {
    from_api.insert(e["service_id"].get<std::string>() + " " + e["id"].get<std::string>() + " " +
                    e["interface"].get<std::string>() + " " + e["url"].get<std::string>());
    EXPECT_EQ(e["region_id"], "RegionOne");
  }
  for (const auto& s : token_catalog()) {
    for (const auto& e : s["endpoints"]) {
      from_token.insert(s["id"].get<std::string>() + " " + e["id"].get<std::string>() + " " +
                        e["interface"].get<std::string>() + " " + e["url"].get<std::string>());
    }
  }
  EXPECT_EQ(from_api, from_token);
  EXPECT_EQ(from_api.size(), 12u);  // four services, three interfaces each

  const json nova = body(call("GET", "/identity/v3/services?type=compute", root_))["services"][0];
  auto public_compute =
      call("GET", "/identity/v3/endpoints?interface=public&service_id=" + nova["id"].get<std::string>(), root_);
  ASSERT_EQ(body(public_compute)["endpoints"].size(), 1u);
  const json e = body(public_compute)["endpoints"][0];
  EXPECT_EQ(e["url"], base_ + "/v2.1");
  EXPECT_EQ(body(call("GET", "/identity/v3/endpoints?region_id=RegionTwo", root_))["endpoints"].size(), 0u);
  EXPECT_EQ(body(call("GET", "/identity/v3/endpoints?interface=admin", root_))["endpoints"].size(), 4u);
  EXPECT_EQ(body(call("GET", "/identity/v3/endpoints/" + e["id"].get<std::string>(), root_))["endpoint"], e);
  EXPECT_EQ(call("GET", "/identity/v3/endpoints/nope", root_)->status, 404);
}

TEST_F(CatalogApiTest, RegionsAreReadableByAnyTokenServicesAndEndpointsByAdmins) {
  auto regions = call("GET", "/identity/v3/regions", alice_);
  ASSERT_EQ(regions->status, 200) << regions->body;
  ASSERT_EQ(body(regions)["regions"].size(), 1u);
  EXPECT_EQ(body(regions)["regions"][0]["id"], "RegionOne");
  EXPECT_TRUE(body(regions)["regions"][0]["parent_region_id"].is_null());
  EXPECT_EQ(body(call("GET", "/identity/v3/regions?parent_region_id=RegionOne", alice_))["regions"].size(), 0u);
  EXPECT_EQ(body(call("GET", "/identity/v3/regions/RegionOne", alice_))["region"]["id"], "RegionOne");
  EXPECT_EQ(call("GET", "/identity/v3/regions/Elsewhere", alice_)->status, 404);
  EXPECT_EQ(call("GET", "/identity/v3/regions", "")->status, 401);

  auto services = call("GET", "/identity/v3/services", alice_);
  EXPECT_EQ(services->status, 403);
  EXPECT_EQ(message(services), "You are not authorized to perform the requested action: identity:list_services.");
  EXPECT_EQ(call("GET", "/identity/v3/endpoints", alice_)->status, 403);
}

TEST_F(CatalogApiTest, WritesAreRefusedAfterThePolicyCheck) {
  const json service = {{"service", {{"type", "volumev3"}, {"name", "cinder"}}}};
  auto as_member = call("POST", "/identity/v3/services", alice_, service);
  EXPECT_EQ(as_member->status, 403);
  EXPECT_EQ(message(as_member), "You are not authorized to perform the requested action: identity:create_service.");
  EXPECT_EQ(call("POST", "/identity/v3/services", root_, service)->status, 501);
  EXPECT_EQ(call("DELETE", "/identity/v3/endpoints/x", alice_)->status, 403);
  EXPECT_EQ(call("DELETE", "/identity/v3/endpoints/x", root_)->status, 501);
  EXPECT_EQ(call("PATCH", "/identity/v3/regions/RegionOne", root_, {{"region", {{"description", "x"}}}})->status, 501);
  // Nothing changed.
  EXPECT_EQ(body(call("GET", "/identity/v3/services", root_))["services"].size(), 4u);
}

}  // namespace
}  // namespace stratus::core::identity
