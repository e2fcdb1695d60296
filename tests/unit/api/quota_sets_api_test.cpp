// /v2.1/os-quota-sets over real HTTP on loopback against a real database:
// Nova's 2.1 shapes and defaults, usage in detail, admin-only writes, bad
// input rejected naming the key and changing nothing.
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>

#include "api_test_support.h"

#include "core/http/api_server.h"
#include "core/compute/api/quota_sets_controller.h"
#include "core/db/database.h"
#include "core/db/instance_repository.h"
#include "core/db/quota_repository.h"
#include "core/db/server_group_repository.h"

namespace stratus::core::api {
namespace {

using nlohmann::json;

// Nova's 2.1 quota_set keys.
const std::set<std::string> kQuotaKeys = {
    "instances",      "cores",          "ram",           "key_pairs",
    "metadata_items", "server_groups",  "server_group_members", "injected_files",
    "injected_file_content_bytes", "injected_file_path_bytes", "fixed_ips", "floating_ips",
    "security_groups", "security_group_rules"};

std::set<std::string> with_id(std::set<std::string> s) {
  s.insert("id");
  return s;
}

class QuotaSetsApi : public test_support::ApiTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open_database());
    ASSERT_NO_FATAL_FAILURE(start_server([](ApiServer& s, db::Database& db) { add_quota_set_routes(s, db); }));
  }

  httplib::Result put(const std::string& project, const json& b, const std::string& token = "admin") {
    return client_->Put("/v2.1/os-quota-sets/" + project, as(token), b.dump(), "application/json");
  }

  std::map<std::string, std::int64_t> limits(const std::string& project) {
    return db::QuotaRepository(*db_).limits(project).value();
  }

  void add_instance(const std::string& project, std::int32_t vcpus, std::int64_t ram, const std::string& user = "u") {
    db::InstanceRecord vm;
    vm.display_name = "vm";
    vm.project_id = project;
    vm.user_id = user;
    vm.flavor.id = "1";
    vm.flavor.vcpus = vcpus;
    vm.flavor.memory_mb = ram;
    auto created = db::InstanceRepository(*db_).create({vm}, {false});
    ASSERT_TRUE(created.ok()) << created.status();
  }
};

TEST_F(QuotaSetsApi, ShowHasNovas21KeysAndDefaults) {
  auto r = client_->Get("/v2.1/os-quota-sets/p-member", as("member"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json q = body(r)["quota_set"];
  EXPECT_EQ(keys(q), with_id(kQuotaKeys));
  EXPECT_EQ(q, (json{{"id", "p-member"},
                     {"instances", 10},
                     {"cores", 20},
                     {"ram", 51200},
                     {"key_pairs", 100},
                     {"metadata_items", 128},
                     {"server_groups", 10},
                     {"server_group_members", 10},
                     {"injected_files", 5},
                     {"injected_file_content_bytes", 10240},
                     {"injected_file_path_bytes", 255},
                     {"fixed_ips", -1},
                     {"floating_ips", -1},
                     {"security_groups", -1},
                     {"security_group_rules", -1}}));
}

TEST_F(QuotaSetsApi, NonAdminsReadOnlyTheirOwnProject) {
  for (const char* path : {"/v2.1/os-quota-sets/p-admin", "/v2.1/os-quota-sets/p-admin/detail"}) {
    auto r = client_->Get(path, as("member"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << path;
    EXPECT_TRUE(body(r).contains("forbidden"));
  }
  EXPECT_EQ(body(client_->Get("/v2.1/os-quota-sets/p-admin", as("member")))["forbidden"]["message"],
            "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.");
  EXPECT_EQ(client_->Get("/v2.1/os-quota-sets/p-member/detail", as("member"))->status, 200);
  EXPECT_EQ(client_->Get("/v2.1/os-quota-sets/p-member", as("admin"))->status, 200);
  // The defaults are anyone's to read.
  EXPECT_EQ(client_->Get("/v2.1/os-quota-sets/p-admin/defaults", as("member"))->status, 200);

  auto w = put("p-member", {{"quota_set", {{"instances", 50}}}}, "member");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->status, 403);
  EXPECT_EQ(body(w)["forbidden"]["message"], "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed.");
  auto d = client_->Delete("/v2.1/os-quota-sets/p-member", as("member"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 403);
  EXPECT_EQ(limits("p-member").at("instances"), 10);
}

TEST_F(QuotaSetsApi, DefaultsIgnoreTheProjectsOverrides) {
  ASSERT_TRUE(db::QuotaRepository(*db_).set_limit("p-member", "cores", 4).ok());
  ASSERT_TRUE(db::QuotaRepository(*db_).set_default("instances", 30).ok());
  json q = body(client_->Get("/v2.1/os-quota-sets/p-member/defaults", as("member")))["quota_set"];
  EXPECT_EQ(keys(q), with_id(kQuotaKeys));
  EXPECT_EQ(q["id"], "p-member");
  EXPECT_EQ(q["cores"], 20);
  EXPECT_EQ(q["instances"], 30);
  json shown = body(client_->Get("/v2.1/os-quota-sets/p-member", as("member")))["quota_set"];
  EXPECT_EQ(shown["cores"], 4);
  EXPECT_EQ(shown["instances"], 30);
}

TEST_F(QuotaSetsApi, DetailShowsUsage) {
  ASSERT_NO_FATAL_FAILURE(add_instance("p-member", 2, 1024));
  ASSERT_NO_FATAL_FAILURE(add_instance("p-member", 1, 512));
  ASSERT_NO_FATAL_FAILURE(add_instance("p-other", 4, 4096));
  db::ServerGroupRecord g;
  g.name = "g";
  g.project_id = "p-member";
  g.user_id = "u-member";
  g.policy = "affinity";
  ASSERT_TRUE(db::ServerGroupRepository(*db_).create(g).ok());

  auto r = client_->Get("/v2.1/os-quota-sets/p-member/detail", as("member"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json q = body(r)["quota_set"];
  EXPECT_EQ(keys(q), with_id(kQuotaKeys));
  EXPECT_EQ(q["id"], "p-member");
  EXPECT_EQ(q["instances"], (json{{"in_use", 2}, {"limit", 10}, {"reserved", 0}}));
  EXPECT_EQ(q["cores"], (json{{"in_use", 3}, {"limit", 20}, {"reserved", 0}}));
  EXPECT_EQ(q["ram"], (json{{"in_use", 1536}, {"limit", 51200}, {"reserved", 0}}));
  EXPECT_EQ(q["server_groups"], (json{{"in_use", 1}, {"limit", 10}, {"reserved", 0}}));
  EXPECT_EQ(q["key_pairs"], (json{{"in_use", 0}, {"limit", 100}, {"reserved", 0}}));
  EXPECT_EQ(q["floating_ips"], (json{{"in_use", 0}, {"limit", -1}, {"reserved", 0}}));
}

TEST_F(QuotaSetsApi, UpdateSetsLimits) {
  auto r = put("p-member", {{"quota_set", {{"instances", 20}, {"cores", "30"}, {"ram", -1}}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json q = body(r)["quota_set"];
  // Nova's update answers without "id".
  EXPECT_EQ(keys(q), kQuotaKeys);
  EXPECT_EQ(q["instances"], 20);
  EXPECT_EQ(q["cores"], 30);
  EXPECT_EQ(q["ram"], -1);
  EXPECT_EQ(q["key_pairs"], 100);
  auto stored = limits("p-member");
  EXPECT_EQ(stored.at("instances"), 20);
  EXPECT_EQ(stored.at("cores"), 30);
  EXPECT_EQ(stored.at("ram"), -1);
  // Other projects keep the defaults.
  EXPECT_EQ(limits("p-admin").at("instances"), 10);
  EXPECT_EQ(body(client_->Get("/v2.1/os-quota-sets/p-member", as("member")))["quota_set"]["instances"], 20);
}

TEST_F(QuotaSetsApi, BadUpdatesChangeNothing) {
  const std::pair<json, std::string> cases[] = {
      {{{"quota_set", {{"instances", 20}, {"bogus", 1}}}}, "bogus"},
      {{{"quota_set", {{"instances", 20}, {"floating_ips", -5}}}}, "quota_set/floating_ips"},
      {{{"quota_set", {{"instances", 20}, {"cores", -2}}}}, "quota_set/cores"},
      {{{"quota_set", {{"instances", 20}, {"cores", "-2"}}}}, "quota_set/cores"},
      {{{"quota_set", {{"instances", 20}, {"cores", "abc"}}}}, "quota_set/cores"},
      {{{"quota_set", {{"instances", 20}, {"cores", 2147483648LL}}}}, "quota_set/cores"},
      {{{"quota_set", {{"instances", 20}, {"cores", "2147483648"}}}}, "quota_set/cores"},
      {{{"quota_set", {{"instances", 20}, {"cores", 1.5}}}}, "quota_set/cores"},
      {{{"quota_set", {{"instances", 20}, {"force", "maybe"}}}}, "quota_set/force"},
      {{{"instances", 20}}, "instances"},
      {json::object(), "quota_set"},
  };
  for (const auto& [b, field] : cases) {
    auto r = put("p-member", b);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << b.dump();
    const std::string message = body(r)["badRequest"]["message"].get<std::string>();
    EXPECT_NE(message.find(field), std::string::npos) << b.dump() << " -> " << message;
  }
  // The same bodies for a user are refused alike.
  for (const auto& [b, field] : cases) {
    auto r = put("p-member?user_id=u-member", b);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << b.dump();
  }
  EXPECT_EQ(limits("p-member"), db::builtin_quota_defaults());
  EXPECT_TRUE(db::QuotaRepository(*db_).user_overrides("p-member", "u-member")->empty());
}

// Tempest's test_get_updated_quotas, and Nova's rules for a user's limits.
TEST_F(QuotaSetsApi, PerUserQuotas) {
  ASSERT_EQ(put("p-member", {{"quota_set", {{"ram", "5120"}}}})->status, 200);
  auto r = put("p-member?user_id=u-member", {{"quota_set", {{"ram", "2048"}}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["quota_set"]["ram"], 2048);
  EXPECT_FALSE(body(r)["quota_set"].contains("id"));
  json user = body(client_->Get("/v2.1/os-quota-sets/p-member?user_id=u-member", as("member")))["quota_set"];
  EXPECT_EQ(keys(user), with_id(kQuotaKeys));
  EXPECT_EQ(user["id"], "p-member");
  EXPECT_EQ(user["ram"], 2048);
  EXPECT_EQ(user["instances"], 10);  // the project's
  // The project's own limit and other users' are untouched.
  EXPECT_EQ(body(client_->Get("/v2.1/os-quota-sets/p-member", as("member")))["quota_set"]["ram"], 5120);
  EXPECT_EQ(body(client_->Get("/v2.1/os-quota-sets/p-member?user_id=u-other", as("admin")))["quota_set"]["ram"], 5120);
  // An empty user_id is no user (Nova's parse_qs drops it).
  EXPECT_EQ(body(client_->Get("/v2.1/os-quota-sets/p-member?user_id=", as("member")))["quota_set"]["ram"], 5120);

  // Detail counts the user's own usage.
  ASSERT_NO_FATAL_FAILURE(add_instance("p-member", 2, 1024, "u-member"));
  ASSERT_NO_FATAL_FAILURE(add_instance("p-member", 1, 512, "u-other"));
  json detail = body(client_->Get("/v2.1/os-quota-sets/p-member/detail?user_id=u-member", as("member")))["quota_set"];
  EXPECT_EQ(detail["id"], "p-member");
  EXPECT_EQ(detail["ram"], (json{{"in_use", 1024}, {"limit", 2048}, {"reserved", 0}}));
  EXPECT_EQ(detail["instances"], (json{{"in_use", 1}, {"limit", 10}, {"reserved", 0}}));
  EXPECT_EQ(body(client_->Get("/v2.1/os-quota-sets/p-member/detail", as("member")))["quota_set"]["ram"]["in_use"], 1536);

  // At most what the project has not handed out (5120 - 2048 to u-member);
  // u-member may go up to that plus their own.
  r = put("p-member?user_id=u-other", {{"quota_set", {{"ram", 3073}}}});
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body(r)["badRequest"]["message"], "Quota limit 3073 for ram must be less than or equal to 3072.");
  r = put("p-member?user_id=u-other", {{"quota_set", {{"ram", -1}}}});
  EXPECT_EQ(body(r)["badRequest"]["message"], "Quota limit -1 for ram must be less than or equal to 3072.");
  r = put("p-member?user_id=u-member", {{"quota_set", {{"ram", 5121}}}});
  EXPECT_EQ(body(r)["badRequest"]["message"], "Quota limit 5121 for ram must be less than or equal to 5120.");
  // At least what the user uses.
  r = put("p-member?user_id=u-member", {{"quota_set", {{"ram", 1000}, {"instances", 5}}}});
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body(r)["badRequest"]["message"],
            "Quota limit 1000 for ram must be greater than or equal to already used and reserved 1024.");
  EXPECT_EQ(db::QuotaRepository(*db_).user_limits("p-member", "u-member")->at("ram"), 2048);
  EXPECT_EQ(db::QuotaRepository(*db_).user_limits("p-member", "u-member")->at("instances"), 10);  // none of it
  // force skips both checks.
  EXPECT_EQ(put("p-member?user_id=u-other", {{"quota_set", {{"ram", 9000}, {"force", true}}}})->status, 200);
  EXPECT_EQ(db::QuotaRepository(*db_).user_limits("p-member", "u-other")->at("ram"), 9000);
  ASSERT_EQ(client_->Delete("/v2.1/os-quota-sets/p-member?user_id=u-other", as("admin"))->status, 202);

  // The project may not go below what its users hold.
  r = put("p-member", {{"quota_set", {{"ram", 2047}}}});
  EXPECT_EQ(body(r)["badRequest"]["message"],
            "Quota limit 2047 for ram must be greater than or equal to already used and reserved 2048.");
  EXPECT_EQ(limits("p-member").at("ram"), 5120);

  // Only an admin sets or drops a user's limits.
  EXPECT_EQ(put("p-member?user_id=u-member", {{"quota_set", {{"ram", 1024}}}}, "member")->status, 403);
  EXPECT_EQ(client_->Delete("/v2.1/os-quota-sets/p-member?user_id=u-member", as("member"))->status, 403);
  EXPECT_EQ(db::QuotaRepository(*db_).user_limits("p-member", "u-member")->at("ram"), 2048);

  // DELETE ?user_id= gives the user the project's limits back; the project keeps its own.
  r = client_->Delete("/v2.1/os-quota-sets/p-member?user_id=u-member", as("admin"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(body(client_->Get("/v2.1/os-quota-sets/p-member?user_id=u-member", as("member")))["quota_set"]["ram"], 5120);
  EXPECT_EQ(limits("p-member").at("ram"), 5120);
}

TEST_F(QuotaSetsApi, UpdateBelowUsageNeedsForce) {
  ASSERT_NO_FATAL_FAILURE(add_instance("p-member", 2, 1024));
  ASSERT_NO_FATAL_FAILURE(add_instance("p-member", 2, 1024));
  auto r = put("p-member", {{"quota_set", {{"ram", 4096}, {"cores", 3}}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body(r)["badRequest"]["message"],
            "Quota limit 3 for cores must be greater than or equal to already used and reserved 4.");
  EXPECT_EQ(limits("p-member").at("ram"), 51200);
  EXPECT_EQ(limits("p-member").at("cores"), 20);

  EXPECT_EQ(put("p-member", {{"quota_set", {{"cores", 4}}}})->status, 200);
  r = put("p-member", {{"quota_set", {{"instances", 1}, {"force", "True"}}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(limits("p-member").at("instances"), 1);
  EXPECT_EQ(limits("p-member").at("cores"), 4);
}

TEST_F(QuotaSetsApi, DeleteRevertsToDefaults) {
  ASSERT_TRUE(db::QuotaRepository(*db_).set_limit("p-member", "instances", 3).ok());
  ASSERT_TRUE(db::QuotaRepository(*db_).set_limit("p-admin", "instances", 7).ok());
  auto r = client_->Delete("/v2.1/os-quota-sets/p-member", as("admin"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(limits("p-member").at("instances"), 10);
  EXPECT_EQ(limits("p-admin").at("instances"), 7);
}

TEST_F(QuotaSetsApi, QuotaClassesAndMicroversions) {
  EXPECT_EQ(client_->Get("/v2.1/os-quota-class-sets/default", as("member"))->status, 403);
  json before = body(client_->Get("/v2.1/os-quota-class-sets/default", as("admin")))["quota_class_set"];
  EXPECT_EQ(before["id"], "default");
  EXPECT_EQ(before["fixed_ips"], -1);
  EXPECT_FALSE(before.contains("server_groups"));  // not before 2.50
  auto put = client_->Put("/v2.1/os-quota-class-sets/default", as("admin"),
                          R"({"quota_class_set": {"instances": 15, "fixed_ips": 99}})", "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  EXPECT_EQ(body(put)["quota_class_set"]["instances"], 15);
  EXPECT_EQ(body(put)["quota_class_set"]["fixed_ips"], 99);
  EXPECT_FALSE(body(put)["quota_class_set"].contains("id"));
  // The default class is what projects start from.
  EXPECT_EQ(body(client_->Get("/v2.1/os-quota-sets/p-member", as("member")))["quota_set"]["instances"], 15);
  EXPECT_EQ(client_->Put("/v2.1/os-quota-class-sets/default", as("admin"), R"({"quota_class_set": {"bogus": 1}})",
                         "application/json")->status, 400);
  json at257 = body(client_->Get("/v2.1/os-quota-class-sets/default", as("admin", "2.57")))["quota_class_set"];
  EXPECT_TRUE(at257.contains("server_groups"));
  EXPECT_FALSE(at257.contains("fixed_ips"));
  EXPECT_FALSE(at257.contains("injected_files"));
  EXPECT_EQ(client_->Put("/v2.1/os-quota-class-sets/default", as("admin", "2.57"),
                         R"({"quota_class_set": {"injected_files": 1}})", "application/json")->status, 400);
  // Quota sets: network quotas gone at 2.36, injected files at 2.57.
  json qs236 = body(client_->Get("/v2.1/os-quota-sets/p-member", as("member", "2.36")))["quota_set"];
  EXPECT_FALSE(qs236.contains("floating_ips"));
  EXPECT_TRUE(qs236.contains("injected_files"));
  json qs257 = body(client_->Get("/v2.1/os-quota-sets/p-member", as("member", "2.57")))["quota_set"];
  EXPECT_FALSE(qs257.contains("injected_files"));
  EXPECT_EQ(client_->Put("/v2.1/os-quota-sets/p-member", as("admin", "2.57"), R"({"quota_set": {"injected_files": 1}})",
                         "application/json")->status, 400);
  // nova-network's quotas: accepted and ignored until 2.36 (they show -1), refused after.
  auto put21 = client_->Put("/v2.1/os-quota-sets/p-member", as("admin"),
                            R"({"quota_set": {"floating_ips": 20, "security_groups": 20, "ram": 4096}})",
                            "application/json");
  ASSERT_EQ(put21->status, 200) << put21->body;
  EXPECT_EQ(body(put21)["quota_set"]["floating_ips"], -1);
  EXPECT_EQ(body(put21)["quota_set"]["ram"], 4096);
  EXPECT_EQ(client_->Put("/v2.1/os-quota-sets/p-member", as("admin", "2.36"), R"({"quota_set": {"floating_ips": 1}})",
                         "application/json")->status, 400);
}

}  // namespace
}  // namespace stratus::core::api
