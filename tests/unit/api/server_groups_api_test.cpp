// /v2.1/os-server-groups over real HTTP on loopback against a real database:
// Nova's 2.1 shapes, per-project visibility, schema errors naming the field,
// the server_groups quota, and nothing written by a rejected request.
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>

#include "api_test_support.h"

#include "core/http/api_server.h"
#include "core/compute/api/server_groups_controller.h"
#include "core/db/database.h"
#include "core/db/quota_repository.h"
#include "core/db/server_group_repository.h"

namespace stratus::core::api {
namespace {

using nlohmann::json;

class ServerGroupsApi : public test_support::ApiTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open_database());
    ASSERT_NO_FATAL_FAILURE(start_server([](ApiServer& s, db::Database& db) { add_server_group_routes(s, db); }));
  }

  httplib::Result create(const json& b, const std::string& token = "member", const std::string& version = "") {
    return client_->Post("/v2.1/os-server-groups", as(token, version), b.dump(), "application/json");
  }

  std::string create_ok(const std::string& name, const std::string& policy, const std::string& token = "member") {
    // The soft policies exist from microversion 2.15.
    const bool soft = policy.rfind("soft-", 0) == 0;
    auto r = create({{"server_group", {{"name", name}, {"policies", {policy}}}}}, token, soft ? "2.15" : "");
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << r->body;
    return body(r)["server_group"]["id"].get<std::string>();
  }

  size_t group_count() { return db::ServerGroupRepository(*db_).list()->size(); }
};

TEST_F(ServerGroupsApi, CreateHasNovas21ShapeAndIsStored) {
  auto r = create({{"server_group", {{"name", "web"}, {"policies", {"anti-affinity"}}}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json g = body(r)["server_group"];
  EXPECT_EQ(keys(g), (std::set<std::string>{"id", "name", "policies", "members", "metadata"}));
  EXPECT_EQ(g["name"], "web");
  EXPECT_EQ(g["policies"], json::array({"anti-affinity"}));
  EXPECT_EQ(g["members"], json::array());
  EXPECT_EQ(g["metadata"], json::object());

  auto stored = db::ServerGroupRepository(*db_).get(g["id"].get<std::string>());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->project_id, "p-member");
  EXPECT_EQ(stored->user_id, "u-member");
  EXPECT_EQ(stored->policy, "anti-affinity");

  for (const char* policy : {"affinity", "soft-affinity", "soft-anti-affinity"}) {
    EXPECT_FALSE(create_ok(std::string("g-") + policy, policy).empty());
  }
  EXPECT_EQ(group_count(), 4u);
}

TEST_F(ServerGroupsApi, BadBodiesAreRejectedNamingTheField) {
  const std::pair<json, std::string> cases[] = {
      {json::object(), "'server_group'"},
      {{{"server_group", {{"policies", {"affinity"}}}}}, "'name'"},
      {{{"server_group", {{"name", "g"}}}}, "'policies'"},
      {{{"server_group", {{"name", "g"}, {"policies", json::array()}}}}, "server_group/policies"},
      {{{"server_group", {{"name", "g"}, {"policies", {"affinity", "anti-affinity"}}}}}, "server_group/policies"},
      {{{"server_group", {{"name", "g"}, {"policies", {"best-effort"}}}}}, "server_group/policies"},
      {{{"server_group", {{"name", "g"}, {"policies", "affinity"}}}}, "server_group/policies"},
      {{{"server_group", {{"name", ""}, {"policies", {"affinity"}}}}}, "server_group/name"},
      {{{"server_group", {{"name", " lead"}, {"policies", {"affinity"}}}}}, "server_group/name"},
      {{{"server_group", {{"name", 42}, {"policies", {"affinity"}}}}}, "server_group/name"},
      {{{"server_group", {{"name", "g"}, {"policies", {"affinity"}}, {"rules", json::object()}}}}, "rules"},
  };
  for (const auto& [b, field] : cases) {
    auto r = create(b);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << b.dump();
    const std::string message = body(r)["badRequest"]["message"].get<std::string>();
    EXPECT_NE(message.find(field), std::string::npos) << b.dump() << " -> " << message;
  }
  EXPECT_EQ(group_count(), 0u);
}

TEST_F(ServerGroupsApi, ProjectsSeeTheirOwnGroups) {
  const std::string mine = create_ok("mine", "affinity");
  const std::string theirs = create_ok("theirs", "affinity", "admin");

  json list = body(client_->Get("/v2.1/os-server-groups", as("member")))["server_groups"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], mine);
  // all_projects is an admin's; anyone else gets their own.
  list = body(client_->Get("/v2.1/os-server-groups?all_projects=True", as("member")))["server_groups"];
  ASSERT_EQ(list.size(), 1u);
  list = body(client_->Get("/v2.1/os-server-groups", as("admin")))["server_groups"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], theirs);
  list = body(client_->Get("/v2.1/os-server-groups?all_projects=True", as("admin")))["server_groups"];
  EXPECT_EQ(list.size(), 2u);

  auto show = client_->Get("/v2.1/os-server-groups/" + mine, as("member"));
  ASSERT_TRUE(show);
  ASSERT_EQ(show->status, 200);
  EXPECT_EQ(body(show)["server_group"]["name"], "mine");
  // An admin sees any group.
  EXPECT_EQ(client_->Get("/v2.1/os-server-groups/" + mine, as("admin"))->status, 200);

  // Another project's group is as absent as a missing one.
  for (const std::string& id : {theirs, std::string("no-such-group")}) {
    auto r = client_->Get("/v2.1/os-server-groups/" + id, as("member"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(body(r), (json{{"itemNotFound", {{"code", 404}, {"message", "Instance group " + id + " could not be found."}}}}));
    auto del = client_->Delete("/v2.1/os-server-groups/" + id, as("member"));
    ASSERT_TRUE(del);
    EXPECT_EQ(del->status, 404);
  }
  EXPECT_EQ(group_count(), 2u);
}

TEST_F(ServerGroupsApi, MembersAreShown) {
  const std::string id = create_ok("g", "anti-affinity");
  ASSERT_TRUE(db::ServerGroupRepository(*db_).add_members(id, {"11111111-1111-1111-1111-111111111111"}).ok());
  json g = body(client_->Get("/v2.1/os-server-groups/" + id, as("member")))["server_group"];
  EXPECT_EQ(g["members"], json::array({"11111111-1111-1111-1111-111111111111"}));
}

TEST_F(ServerGroupsApi, Delete) {
  const std::string id = create_ok("g", "affinity");
  auto r = client_->Delete("/v2.1/os-server-groups/" + id, as("member"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(group_count(), 0u);
  EXPECT_EQ(client_->Delete("/v2.1/os-server-groups/" + id, as("member"))->status, 404);
  // An admin may delete any project's group.
  const std::string other = create_ok("g2", "affinity");
  EXPECT_EQ(client_->Delete("/v2.1/os-server-groups/" + other, as("admin"))->status, 204);
  EXPECT_EQ(group_count(), 0u);
}

TEST_F(ServerGroupsApi, QuotaIsEnforced) {
  ASSERT_TRUE(db::QuotaRepository(*db_).set_limit("p-member", "server_groups", 2).ok());
  create_ok("a", "affinity");
  create_ok("b", "affinity");
  auto r = create({{"server_group", {{"name", "c"}, {"policies", {"affinity"}}}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(body(r), (json{{"forbidden", {{"code", 403}, {"message", "Quota exceeded, too many server groups."}}}}));
  EXPECT_EQ(group_count(), 2u);
  // Another project's groups do not count; -1 is unlimited.
  create_ok("x", "affinity", "admin");
  ASSERT_TRUE(db::QuotaRepository(*db_).set_limit("p-member", "server_groups", -1).ok());
  create_ok("c", "affinity");
  EXPECT_EQ(group_count(), 4u);
}

// A user's own server_groups limit (os-quota-sets ?user_id=) counts only
// their groups in the project; the project's limit still holds.
TEST_F(ServerGroupsApi, UsersOwnQuotaIsEnforced) {
  db::ServerGroupRecord other;
  other.name = "theirs";
  other.project_id = "p-member";
  other.user_id = "u-other";
  other.policy = "affinity";
  ASSERT_TRUE(db::ServerGroupRepository(*db_).create(other).ok());
  ASSERT_TRUE(db::QuotaRepository(*db_).set_user_limits("p-member", "u-member", {{"server_groups", 1}}).ok());
  create_ok("mine", "affinity");
  auto r = create({{"server_group", {{"name", "second"}, {"policies", {"affinity"}}}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(body(r)["forbidden"]["message"], "Quota exceeded, too many server groups.");
  EXPECT_EQ(group_count(), 2u);
  // Raised above the project's limit of 2, the project's binds.
  ASSERT_TRUE(db::QuotaRepository(*db_).set_limit("p-member", "server_groups", 2).ok());
  ASSERT_TRUE(db::QuotaRepository(*db_).set_user_limits("p-member", "u-member", {{"server_groups", 5}}).ok());
  EXPECT_EQ(create({{"server_group", {{"name", "second"}, {"policies", {"affinity"}}}}})->status, 403);
  EXPECT_EQ(group_count(), 2u);
}

TEST_F(ServerGroupsApi, LimitAndOffset) {
  for (const char* name : {"a", "b", "c"}) create_ok(name, "affinity");
  json page = body(client_->Get("/v2.1/os-server-groups?limit=1&offset=1", as("member")))["server_groups"];
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0]["name"], "b");
  EXPECT_EQ(body(client_->Get("/v2.1/os-server-groups?offset=3", as("member")))["server_groups"], json::array());
  for (const char* bad : {"limit=-1", "limit=x", "offset=-2"}) {
    auto r = client_->Get(std::string("/v2.1/os-server-groups?") + bad, as("member"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad;
  }
}

TEST_F(ServerGroupsApi, MicroversionedPolicies) {
  EXPECT_EQ(client_->Post("/v2.1/os-server-groups", as("member", "2.14"),
                          R"({"server_group": {"name": "g", "policies": ["soft-affinity"]}})", "application/json")->status,
            400);
  auto g213 = client_->Post("/v2.1/os-server-groups", as("member", "2.15"),
                            R"({"server_group": {"name": "g", "policies": ["soft-affinity"]}})", "application/json");
  ASSERT_EQ(g213->status, 200) << g213->body;
  EXPECT_EQ(body(g213)["server_group"]["project_id"], "p-member");
  EXPECT_EQ(body(g213)["server_group"]["user_id"], "u-member");
  auto g264 = client_->Post("/v2.1/os-server-groups", as("member", "2.64"),
                            R"({"server_group": {"name": "h", "policy": "anti-affinity", "rules": {"max_server_per_host": 2}}})",
                            "application/json");
  ASSERT_EQ(g264->status, 200) << g264->body;
  json v = body(g264)["server_group"];
  EXPECT_EQ(v["policy"], "anti-affinity");
  EXPECT_EQ(v["rules"]["max_server_per_host"], 2);
  EXPECT_FALSE(v.contains("policies"));
  EXPECT_FALSE(v.contains("metadata"));
  EXPECT_EQ(client_->Post("/v2.1/os-server-groups", as("member", "2.64"),
                          R"({"server_group": {"name": "i", "policy": "affinity", "rules": {"max_server_per_host": 2}}})",
                          "application/json")->status, 400);
  EXPECT_EQ(client_->Post("/v2.1/os-server-groups", as("member", "2.64"),
                          R"({"server_group": {"name": "i", "policies": ["affinity"]}})", "application/json")->status, 400);
  json old = body(client_->Get("/v2.1/os-server-groups/" + v["id"].get<std::string>(), as("member")))["server_group"];
  EXPECT_EQ(old["policies"], json::array({"anti-affinity"}));
}

}  // namespace
}  // namespace stratus::core::api
