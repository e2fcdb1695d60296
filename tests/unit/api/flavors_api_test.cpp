// The flavors API over real HTTP on loopback, against a real database in a
// temporary directory: shapes as Nova 26 answers at 2.1, errors in Nova's
// format, and nothing written on a rejected request.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <httplib.h>

#include "api_test_support.h"

#include "core/http/api_server.h"
#include "core/compute/api/flavors_controller.h"
#include "core/compute/api/version_documents.h"
#include "core/db/database.h"
#include "core/db/flavor_repository.h"
#include "core/db/seed.h"

namespace stratus::core::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class FlavorsApi : public test_support::ApiTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open_database());
    ApiServerOptions options;
    options.max_body_bytes = 4096;
    ASSERT_NO_FATAL_FAILURE(start_server(
        [](ApiServer& s, db::Database& db) {
          add_version_routes(s);
          add_flavor_routes(s, db);
        },
        options));
  }

  size_t flavor_count() { return db::FlavorRepository(*db_).list({})->size(); }
};

TEST_F(FlavorsApi, VersionDocumentsNeedNoToken) {
  auto r = client_->Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body(r)["versions"][1]["id"], "v2.1");
  auto v = client_->Get("/v2.1");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->status, 200);
  EXPECT_EQ(body(v)["version"]["links"][0]["href"], base_ + "/v2.1/");
}

TEST_F(FlavorsApi, EverythingElseNeedsAToken) {
  for (const char* token : {"", "wrong"}) {
    auto r = client_->Get("/v2.1/flavors", as(token));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(body(r)["unauthorized"]["code"], 401);
  }
  auto none = client_->Get("/v2.1/flavors");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
}

TEST_F(FlavorsApi, ListAndDetailHaveNovasShapes) {
  auto list = client_->Get("/v2.1/flavors", as("member"));
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  json flavors = body(list)["flavors"];
  ASSERT_EQ(flavors.size(), 5u);
  EXPECT_EQ(flavors[0]["name"], "m1.tiny");
  std::set<std::string> brief;
  for (const auto& [k, v] : flavors[0].items()) brief.insert(k);
  EXPECT_EQ(brief, (std::set<std::string>{"id", "links", "name"}));

  auto detail = client_->Get("/v2.1/flavors/detail", as("member"));
  ASSERT_TRUE(detail);
  json tiny = body(detail)["flavors"][0];
  // The keys of real_flavors_detail_2.1.json from Nova 26.
  std::set<std::string> keys;
  for (const auto& [k, v] : tiny.items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"OS-FLV-DISABLED:disabled", "OS-FLV-EXT-DATA:ephemeral", "disk", "id",
                                         "links", "name", "os-flavor-access:is_public", "ram", "rxtx_factor", "swap",
                                         "vcpus"}));
  EXPECT_EQ(tiny["ram"], 512);
  EXPECT_EQ(tiny["vcpus"], 1);
  EXPECT_EQ(tiny["disk"], 1);
  EXPECT_EQ(tiny["swap"], "");
  EXPECT_EQ(tiny["links"][0]["href"], base_ + "/v2.1/flavors/1");
  EXPECT_EQ(tiny["links"][1]["rel"], "bookmark");
  EXPECT_EQ(detail->get_header_value("OpenStack-API-Version"), "compute 2.1");
  EXPECT_EQ(detail->get_header_value("X-OpenStack-Request-Id").rfind("req-", 0), 0u);
}

TEST_F(FlavorsApi, FiltersAndPagination) {
  auto big = client_->Get("/v2.1/flavors?minRam=4096", as("member"));
  ASSERT_TRUE(big);
  EXPECT_EQ(body(big)["flavors"].size(), 3u);

  auto page = client_->Get("/v2.1/flavors?limit=2", as("member"));
  ASSERT_TRUE(page);
  json p = body(page);
  ASSERT_EQ(p["flavors"].size(), 2u);
  EXPECT_EQ(p["flavors_links"][0]["rel"], "next");
  EXPECT_EQ(p["flavors_links"][0]["href"], base_ + "/v2.1/flavors?limit=2&marker=2");
  auto next = client_->Get("/v2.1/flavors?limit=2&marker=2", as("member"));
  ASSERT_TRUE(next);
  EXPECT_EQ(body(next)["flavors"][0]["id"], "3");
  auto last = client_->Get("/v2.1/flavors?limit=2&marker=4", as("member"));
  ASSERT_TRUE(last);
  EXPECT_EQ(body(last)["flavors"].size(), 1u);
  EXPECT_FALSE(body(last).contains("flavors_links"));

  auto bad_marker = client_->Get("/v2.1/flavors?marker=nope", as("member"));
  ASSERT_TRUE(bad_marker);
  EXPECT_EQ(bad_marker->status, 400);
  EXPECT_EQ(body(bad_marker)["badRequest"]["message"], "marker [nope] not found");
  auto bad_limit = client_->Get("/v2.1/flavors?limit=-1", as("member"));
  ASSERT_TRUE(bad_limit);
  EXPECT_EQ(bad_limit->status, 400);
}

TEST_F(FlavorsApi, ShowAndNotFound) {
  auto r = client_->Get("/v2.1/flavors/3", as("member"));
  ASSERT_TRUE(r);
  EXPECT_EQ(body(r)["flavor"]["name"], "m1.medium");
  auto missing = client_->Get("/v2.1/flavors/42", as("member"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, R"({"itemNotFound":{"code":404,"message":"Flavor 42 could not be found."}})");
  auto no_route = client_->Get("/v2.1/flavours", as("member"));
  ASSERT_TRUE(no_route);
  EXPECT_EQ(no_route->status, 404);
  EXPECT_EQ(body(no_route)["itemNotFound"]["code"], 404);
}

TEST_F(FlavorsApi, AdminCreatesAndDeletes) {
  auto created = client_->Post("/v2.1/flavors", as("admin"),
                               R"({"flavor": {"name": "g1.huge", "id": "g1", "ram": 65536, "vcpus": 16, "disk": 100,
                                   "OS-FLV-EXT-DATA:ephemeral": 10, "swap": 1024, "rxtx_factor": 2.0}})",
                               "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  json f = body(created)["flavor"];
  EXPECT_EQ(f["id"], "g1");
  EXPECT_EQ(f["swap"], 1024);
  EXPECT_EQ(f["OS-FLV-EXT-DATA:ephemeral"], 10);
  EXPECT_EQ(body(client_->Get("/v2.1/flavors/g1", as("member")))["flavor"]["ram"], 65536);

  auto specs = client_->Post("/v2.1/flavors/g1/os-extra_specs", as("admin"),
                             R"({"extra_specs": {"hw:cpu_policy": "dedicated"}})", "application/json");
  ASSERT_TRUE(specs);
  EXPECT_EQ(specs->status, 200) << specs->body;
  EXPECT_EQ(body(client_->Get("/v2.1/flavors/g1/os-extra_specs", as("member")))["extra_specs"]["hw:cpu_policy"],
            "dedicated");

  auto dup = client_->Post("/v2.1/flavors", as("admin"),
                           R"({"flavor": {"name": "g1.huge", "ram": 1, "vcpus": 1, "disk": 1}})", "application/json");
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->status, 409);
  EXPECT_TRUE(body(dup).contains("conflictingRequest"));

  auto deleted = client_->Delete("/v2.1/flavors/g1", as("admin"));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 202);
  EXPECT_EQ(client_->Get("/v2.1/flavors/g1", as("member"))->status, 404);
  EXPECT_EQ(client_->Delete("/v2.1/flavors/g1", as("admin"))->status, 404);
}

TEST_F(FlavorsApi, MembersMayNotWriteAndNothingChanges) {
  const size_t before = flavor_count();
  auto r = client_->Post("/v2.1/flavors", as("member"), R"({"flavor": {"name": "x", "ram": 1, "vcpus": 1, "disk": 1}})",
                         "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(body(r)["forbidden"]["message"], "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed.");
  EXPECT_EQ(client_->Delete("/v2.1/flavors/1", as("member"))->status, 403);
  EXPECT_EQ(flavor_count(), before);
}

TEST_F(FlavorsApi, BadBodiesAreRejectedNamingTheFieldAndWriteNothing) {
  const size_t before = flavor_count();
  struct Case {
    const char* body;
    const char* expect;
  };
  for (const Case& c : {Case{R"({"flavor": {"name": "x", "ram": "lots", "vcpus": 1, "disk": 1}})", "flavor/ram"},
                        Case{R"({"flavor": {"name": "x", "ram": 0, "vcpus": 1, "disk": 1}})", "flavor/ram"},
                        Case{R"({"flavor": {"name": "x", "ram": 1, "disk": 1}})", "vcpus"},
                        Case{R"({"flavor": {"name": "", "ram": 1, "vcpus": 1, "disk": 1}})", "flavor/name"},
                        Case{R"({"flavor": {"name": "x", "ram": 1, "vcpus": 1, "disk": 1, "colour": "red"}})", "colour"},
                        Case{R"({"flavour": {}})", "flavour"},
                        Case{R"({not json)", "Malformed request body"}}) {
    auto r = client_->Post("/v2.1/flavors", as("admin"), c.body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << c.body;
    EXPECT_NE(r->body.find(c.expect), std::string::npos) << c.body << " -> " << r->body;
  }
  auto huge = client_->Post("/v2.1/flavors", as("admin"), std::string(8192, ' '), "application/json");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
  EXPECT_EQ(flavor_count(), before);
}

TEST_F(FlavorsApi, NumbersAreCheckedAsNovaDoesWhateverTheirJsonType) {
  const size_t before = flavor_count();
  for (const char* body : {R"({"flavor": {"name": "x", "ram": "0", "vcpus": 1, "disk": 1}})",
                           R"({"flavor": {"name": "x", "ram": "99999999999999999999", "vcpus": 1, "disk": 1}})",
                           R"({"flavor": {"name": "x", "ram": 1, "vcpus": 4294967297, "disk": 1}})",
                           R"({"flavor": {"name": "x", "ram": 1, "vcpus": 1, "disk": 1, "rxtx_factor": "abc"}})",
                           R"({"flavor": {"name": "x", "ram": 1, "vcpus": 1, "disk": 1, "rxtx_factor": "-1"}})"}) {
    auto r = client_->Post("/v2.1/flavors", as("admin"), body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << body << " -> " << r->body;
  }
  EXPECT_EQ(flavor_count(), before);
  auto ok = client_->Post("/v2.1/flavors", as("admin"), R"({"flavor": {"name": "s", "ram": "64", "vcpus": "2", "disk": "0"}})",
                          "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(body(ok)["flavor"]["vcpus"], 2);
}

TEST_F(FlavorsApi, HostileInputGetsAnAnswerNotACrash) {
  // A deeply nested value in a rejected field: the error must not recurse into it.
  std::string nested = R"({"flavor": {"name": )" + std::string(1800, '[') + std::string(1800, ']') +
                       R"(, "ram": 1, "vcpus": 1, "disk": 1}})";
  auto deep = client_->Post("/v2.1/flavors", as("admin"), nested, "application/json");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 400);
  // Only scalars are echoed: dumping nesting as deep as a 1 MB body allows
  // would overflow the stack of the thread serving it.
  EXPECT_NE(deep->body.find("flavor/name"), std::string::npos) << deep->body;
  EXPECT_EQ(deep->body.find("[["), std::string::npos) << deep->body.substr(0, 200);
  // Invalid UTF-8 echoed back in a message is replaced, and the reply is JSON.
  auto bad_utf8 = client_->Get("/v2.1/flavors/%FF%FE", as("member"));
  ASSERT_TRUE(bad_utf8);
  EXPECT_EQ(bad_utf8->status, 404);
  EXPECT_EQ(body(bad_utf8)["itemNotFound"]["code"], 404);
  auto limit0 = client_->Get("/v2.1/flavors?limit=0", as("member"));
  ASSERT_TRUE(limit0);
  EXPECT_EQ(limit0->status, 400);
}

TEST_F(FlavorsApi, PrivateFlavorsAreHiddenFromMembers) {
  auto created = client_->Post("/v2.1/flavors", as("admin"),
                               R"({"flavor": {"name": "secret", "id": "p 1", "ram": 1, "vcpus": 1, "disk": 1,
                                   "os-flavor-access:is_public": false}})",
                               "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  EXPECT_EQ(client_->Get("/v2.1/flavors/p%201", as("member"))->status, 404);
  EXPECT_EQ(client_->Get("/v2.1/flavors/p%201/os-extra_specs", as("member"))->status, 404);
  EXPECT_EQ(client_->Get("/v2.1/flavors/p%201", as("admin"))->status, 200);
  EXPECT_EQ(body(client_->Get("/v2.1/flavors", as("member")))["flavors"].size(), 5u);
  // Admins page through it; the marker in the next link is percent-encoded.
  auto page = client_->Get("/v2.1/flavors?limit=1", as("admin"));
  ASSERT_TRUE(page);
  // As in Nova, an admin's list shows private flavors with is_public=None.
  EXPECT_EQ(body(client_->Get("/v2.1/flavors", as("admin")))["flavors"].size(), 5u);
  auto all = body(client_->Get("/v2.1/flavors?is_public=None", as("admin")))["flavors"];
  ASSERT_EQ(all.size(), 6u);
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    if (all[i]["id"] == "p 1") {
      auto after = client_->Get("/v2.1/flavors?limit=1&marker=p%201&is_public=None", as("admin"));
      ASSERT_TRUE(after);
      EXPECT_EQ(body(after)["flavors"][0]["id"], all[i + 1]["id"]);
    }
  }
}

TEST_F(FlavorsApi, Microversions) {
  EXPECT_EQ(client_->Get("/v2.1/flavors", as("member", "2.1"))->status, 200);
  auto latest = client_->Get("/v2.1/flavors", as("member", "latest"));
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->get_header_value("OpenStack-API-Version"), "compute " + kMaxMicroversion.to_string());
  auto too_new = client_->Get("/v2.1/flavors", as("member", "2.999"));
  ASSERT_TRUE(too_new);
  EXPECT_EQ(too_new->status, 406);
  EXPECT_TRUE(body(too_new).contains("notAcceptable"));
  auto malformed = client_->Get("/v2.1/flavors", as("member", "two"));
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
}

TEST_F(FlavorsApi, CreateTakesNumericAndNullIdsAndLenientIsPublic) {
  auto numeric = client_->Post("/v2.1/flavors", as("admin"),
                               R"({"flavor": {"name": "n1", "id": 4242, "ram": 64, "vcpus": 1, "disk": 0,
                                   "os-flavor-access:is_public": "False"}})",
                               "application/json");
  ASSERT_TRUE(numeric);
  ASSERT_EQ(numeric->status, 200) << numeric->body;
  EXPECT_EQ(body(numeric)["flavor"]["id"], "4242");
  EXPECT_EQ(body(numeric)["flavor"]["os-flavor-access:is_public"], false);
  auto null_id = client_->Post("/v2.1/flavors", as("admin"),
                               R"({"flavor": {"name": "n2", "id": null, "ram": 64, "vcpus": 1, "disk": 0}})",
                               "application/json");
  ASSERT_TRUE(null_id);
  ASSERT_EQ(null_id->status, 200);
  EXPECT_EQ(body(null_id)["flavor"]["id"].get<std::string>().size(), 36u);
  auto dup = client_->Post("/v2.1/flavors", as("admin"),
                           R"({"flavor": {"name": "n3", "id": 4242, "ram": 64, "vcpus": 1, "disk": 0}})",
                           "application/json");
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->status, 409);
  auto bad_public = client_->Post("/v2.1/flavors", as("admin"),
                                  R"({"flavor": {"name": "n4", "ram": 64, "vcpus": 1, "disk": 0,
                                      "os-flavor-access:is_public": "maybe"}})",
                                  "application/json");
  ASSERT_TRUE(bad_public);
  EXPECT_EQ(bad_public->status, 400);
  auto trailing_space = client_->Post("/v2.1/flavors", as("admin"),
                                      R"({"flavor": {"name": "n5", "id": "a ", "ram": 64, "vcpus": 1, "disk": 0}})",
                                      "application/json");
  ASSERT_TRUE(trailing_space);
  EXPECT_EQ(trailing_space->status, 400);
}

TEST_F(FlavorsApi, PrivateFlavorsFollowTheAccessList) {
  ASSERT_EQ(client_->Post("/v2.1/flavors", as("admin"),
                          R"({"flavor": {"name": "priv", "id": "priv", "ram": 64, "vcpus": 1, "disk": 0,
                              "os-flavor-access:is_public": false}})",
                          "application/json")->status, 200);
  auto hidden = client_->Get("/v2.1/flavors/priv", as("member"));
  EXPECT_EQ(hidden->status, 404);
  json member_list = body(client_->Get("/v2.1/flavors", as("member")))["flavors"];
  for (const auto& f : member_list) EXPECT_NE(f["id"], "priv");
  // Members may not grant themselves access.
  auto denied = client_->Post("/v2.1/flavors/priv/action", as("member"),
                              R"({"addTenantAccess": {"tenant": "p-member"}})", "application/json");
  EXPECT_EQ(denied->status, 403);
  auto added = client_->Post("/v2.1/flavors/priv/action", as("admin"),
                             R"({"addTenantAccess": {"tenant": "p-member"}})", "application/json");
  ASSERT_EQ(added->status, 200) << added->body;
  EXPECT_EQ(body(added)["flavor_access"], json::parse(R"([{"flavor_id": "priv", "tenant_id": "p-member"}])"));
  auto again = client_->Post("/v2.1/flavors/priv/action", as("admin"),
                             R"({"addTenantAccess": {"tenant": "p-member"}})", "application/json");
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(client_->Get("/v2.1/flavors/priv", as("member"))->status, 200);
  bool listed = false;
  json granted = body(client_->Get("/v2.1/flavors", as("member")))["flavors"];
  for (const auto& f : granted) listed |= f["id"] == "priv";
  EXPECT_TRUE(listed);
  auto access = client_->Get("/v2.1/flavors/priv/os-flavor-access", as("admin"));
  EXPECT_EQ(body(access)["flavor_access"].size(), 1u);
  EXPECT_EQ(client_->Get("/v2.1/flavors/1/os-flavor-access", as("admin"))->status, 404);  // public
  auto removed = client_->Post("/v2.1/flavors/priv/action", as("admin"),
                               R"({"removeTenantAccess": {"tenant": "p-member"}})", "application/json");
  EXPECT_EQ(removed->status, 200);
  EXPECT_EQ(body(removed)["flavor_access"].size(), 0u);
  auto gone = client_->Post("/v2.1/flavors/priv/action", as("admin"),
                            R"({"removeTenantAccess": {"tenant": "p-member"}})", "application/json");
  EXPECT_EQ(gone->status, 404);
  EXPECT_EQ(client_->Get("/v2.1/flavors/priv", as("member"))->status, 404);
  // Admins see private flavors with is_public=None or false only.
  bool in_default = false, in_none = false, in_false = false;
  json by_default = body(client_->Get("/v2.1/flavors", as("admin")))["flavors"];
  json all = body(client_->Get("/v2.1/flavors?is_public=None", as("admin")))["flavors"];
  json only_private = body(client_->Get("/v2.1/flavors?is_public=false", as("admin")))["flavors"];
  for (const auto& f : by_default) in_default |= f["id"] == "priv";
  for (const auto& f : all) in_none |= f["id"] == "priv";
  for (const auto& f : only_private) in_false |= f["id"] == "priv";
  EXPECT_FALSE(in_default);
  EXPECT_TRUE(in_none);
  EXPECT_TRUE(in_false);
  EXPECT_EQ(only_private.size(), 1u);
  EXPECT_EQ(client_->Get("/v2.1/flavors?is_public=perhaps", as("admin"))->status, 400);
}

TEST_F(FlavorsApi, MicroversionedFields) {
  auto at21 = body(client_->Get("/v2.1/flavors/1", as("member", "2.1")))["flavor"];
  EXPECT_FALSE(at21.contains("description"));
  EXPECT_FALSE(at21.contains("extra_specs"));
  auto created = client_->Post("/v2.1/flavors", as("admin", "2.55"),
                               R"({"flavor": {"name": "d1", "id": "d1", "ram": 64, "vcpus": 1, "disk": 0,
                                   "description": "small"}})",
                               "application/json");
  ASSERT_EQ(created->status, 200) << created->body;
  EXPECT_EQ(body(created)["flavor"]["description"], "small");
  EXPECT_EQ(body(created)["flavor"]["swap"], "");
  // The description is unknown before 2.55.
  EXPECT_EQ(client_->Post("/v2.1/flavors", as("admin", "2.54"),
                          R"({"flavor": {"name": "d2", "ram": 64, "vcpus": 1, "disk": 0, "description": "x"}})",
                          "application/json")->status, 400);
  auto updated = client_->Put("/v2.1/flavors/d1", as("admin", "2.55"), R"({"flavor": {"description": null}})",
                              "application/json");
  ASSERT_EQ(updated->status, 200) << updated->body;
  EXPECT_TRUE(body(updated)["flavor"]["description"].is_null());
  EXPECT_EQ(client_->Put("/v2.1/flavors/d1", as("admin", "2.54"), R"({"flavor": {"description": "x"}})",
                         "application/json")->status, 404);
  EXPECT_EQ(client_->Put("/v2.1/flavors/d1", as("member", "2.55"), R"({"flavor": {"description": "x"}})",
                         "application/json")->status, 403);
  auto brief = body(client_->Get("/v2.1/flavors", as("member", "2.55")))["flavors"][0];
  EXPECT_TRUE(brief.contains("description"));
  auto at275 = body(client_->Get("/v2.1/flavors/d1", as("member", "2.75")))["flavor"];
  EXPECT_EQ(at275["swap"], 0);
  EXPECT_TRUE(at275["extra_specs"].is_object());
}

TEST_F(FlavorsApi, ExtraSpecsCrud) {
  auto set = client_->Post("/v2.1/flavors/1/os-extra_specs", as("admin"),
                           R"({"extra_specs": {"hw:numa_nodes": "1", "hw:cpu_policy": "shared"}})", "application/json");
  ASSERT_EQ(set->status, 200) << set->body;
  auto one = client_->Get("/v2.1/flavors/1/os-extra_specs/hw:numa_nodes", as("member"));
  ASSERT_EQ(one->status, 200);
  EXPECT_EQ(body(one), json::parse(R"({"hw:numa_nodes": "1"})"));
  auto put = client_->Put("/v2.1/flavors/1/os-extra_specs/hw:numa_nodes", as("admin"), R"({"hw:numa_nodes": "2"})",
                          "application/json");
  ASSERT_EQ(put->status, 200);
  EXPECT_EQ(client_->Put("/v2.1/flavors/1/os-extra_specs/hw:numa_nodes", as("admin"), R"({"hw:cpu_policy": "shared"})",
                         "application/json")->status, 400);  // body and URI disagree
  EXPECT_EQ(client_->Put("/v2.1/flavors/1/os-extra_specs/hw:numa_nodes", as("member"), R"({"hw:numa_nodes": "3"})",
                         "application/json")->status, 403);
  EXPECT_EQ(client_->Delete("/v2.1/flavors/1/os-extra_specs/hw:numa_nodes", as("member"))->status, 403);
  EXPECT_EQ(client_->Delete("/v2.1/flavors/1/os-extra_specs/hw:numa_nodes", as("admin"))->status, 200);
  EXPECT_EQ(client_->Delete("/v2.1/flavors/1/os-extra_specs/hw:numa_nodes", as("admin"))->status, 404);
  EXPECT_EQ(client_->Get("/v2.1/flavors/1/os-extra_specs/hw:numa_nodes", as("member"))->status, 404);
  // From 2.86 keys in Nova's namespaces are validated; before, anything goes.
  EXPECT_EQ(client_->Post("/v2.1/flavors/1/os-extra_specs", as("admin", "2.86"),
                          R"({"extra_specs": {"hw:cpu_policy": "sometimes"}})", "application/json")->status, 400);
  EXPECT_EQ(client_->Post("/v2.1/flavors/1/os-extra_specs", as("admin", "2.86"),
                          R"({"extra_specs": {"hw:no_such_thing": "1"}})", "application/json")->status, 400);
  EXPECT_EQ(client_->Post("/v2.1/flavors/1/os-extra_specs", as("admin", "2.86"),
                          R"({"extra_specs": {"foo:bar": "baz", "hw:numa_nodes": 2}})", "application/json")->status, 200);
  EXPECT_EQ(client_->Post("/v2.1/flavors/1/os-extra_specs", as("admin", "2.85"),
                          R"({"extra_specs": {"hw:no_such_thing": "1"}})", "application/json")->status, 200);
}

TEST_F(FlavorsApi, SortKeyAndDirection) {
  auto desc = body(client_->Get("/v2.1/flavors/detail?sort_key=memory_mb&sort_dir=desc", as("member")))["flavors"];
  ASSERT_GE(desc.size(), 2u);
  for (size_t i = 0; i + 1 < desc.size(); ++i) EXPECT_GE(desc[i]["ram"], desc[i + 1]["ram"]);
  EXPECT_EQ(client_->Get("/v2.1/flavors?sort_key=colour", as("member"))->status, 400);
  EXPECT_EQ(client_->Get("/v2.1/flavors?sort_dir=sideways", as("member"))->status, 400);
}

}  // namespace
}  // namespace stratus::core::api
