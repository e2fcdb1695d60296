// Policy: the role nesting, the rule table, and the two checks ApiServer
// applies to every call (readers may not write; microversion headers only on
// the compute API).
#include "core/http/policy.h"

#include <gtest/gtest.h>

#include "core/compute/api/keypairs_controller.h"
#include "core/compute/api/quota_sets_controller.h"
#include "tests/unit/api/api_test_support.h"

namespace stratus::core::api {
namespace {

AuthContext with_roles(std::vector<std::string> roles, std::string project = "p1") {
  AuthContext a;
  a.user_id = "u1";
  a.project_id = std::move(project);
  a.roles = std::move(roles);
  a.is_admin = false;
  return a;
}

TEST(PolicyTest, RolesNestAdminOverMemberOverReader) {
  auto admin = with_roles({"admin"});
  auto member = with_roles({"member"});
  auto reader = with_roles({"reader"});
  auto none = with_roles({});
  EXPECT_TRUE(has_role(admin, "admin") && has_role(admin, "member") && has_role(admin, "reader"));
  EXPECT_FALSE(has_role(member, "admin"));
  EXPECT_TRUE(has_role(member, "member") && has_role(member, "reader"));
  EXPECT_FALSE(has_role(reader, "member"));
  EXPECT_TRUE(has_role(reader, "reader"));
  EXPECT_FALSE(has_role(none, "reader"));
  // The is_admin flag an authenticator sets counts as the admin role.
  auto flagged = with_roles({});
  flagged.is_admin = true;
  EXPECT_TRUE(has_role(flagged, "admin"));
}

TEST(PolicyTest, AdminRulesRefuseMembers) {
  for (const char* rule : {"os_compute_api:os-hypervisors:list", "os_compute_api:os-services:update",
                           "os_compute_api:os-flavor-manage:create", "os_compute_api:servers:create:forced_host",
                           "os_compute_api:servers:detail:get_all_tenants"}) {
    EXPECT_TRUE(policy_allows(with_roles({"admin"}), rule)) << rule;
    EXPECT_FALSE(policy_allows(with_roles({"member"}), rule)) << rule;
    EXPECT_FALSE(policy_allows(with_roles({"reader"}), rule)) << rule;
  }
}

TEST(PolicyTest, OwnerRulesLookAtTheTargetProject) {
  const char* rule = "os_compute_api:os-quota-sets:show";
  EXPECT_TRUE(policy_allows(with_roles({"reader"}, "p1"), rule, "p1"));
  EXPECT_FALSE(policy_allows(with_roles({"member"}, "p1"), rule, "p2"));
  EXPECT_TRUE(policy_allows(with_roles({"admin"}, "p1"), rule, "p2"));
}

TEST(PolicyTest, WritesNeedTheMemberRole) {
  EXPECT_TRUE(policy_allows(with_roles({"member"}), "stratus:write"));
  EXPECT_FALSE(policy_allows(with_roles({"reader"}), "stratus:write"));
}

TEST(PolicyTest, AnUnknownRuleIsRefusedEvenToAdmins) {
  EXPECT_FALSE(policy_requirement("os_compute_api:no-such-rule").has_value());
  EXPECT_FALSE(policy_allows(with_roles({"admin"}), "os_compute_api:no-such-rule"));
}

TEST(PolicyTest, TheTableListsEveryRuleOnce) {
  auto rules = policy_rules();
  ASSERT_FALSE(rules.empty());
  for (std::size_t i = 1; i < rules.size(); ++i) EXPECT_LT(rules[i - 1].first, rules[i].first);
}

class PolicyApiTest : public test_support::ApiTest {
 protected:
  void SetUp() override {
    open_database();
    start_server([](ApiServer& s, db::Database& db) {
      add_keypair_routes(s, db);
      add_quota_set_routes(s, db);
      // A non-compute route, as the image and network APIs register theirs.
      s.route("GET", R"(/image/probe)", [](const ApiRequest&) -> sdk::Result<ApiResponse> {
        return ApiResponse{200, {{"ok", true}}, {}};
      });
    });
  }
};

TEST_F(PolicyApiTest, AReaderLooksButCannotWrite) {
  auto list = client_->Get("/v2.1/os-keypairs", as("reader"));
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200);
  const std::string create = R"({"keypair": {"name": "k1"}})";
  auto refused = client_->Post("/v2.1/os-keypairs", as("reader"), create, "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(body(refused)["forbidden"]["code"], 403);
  // Nothing was written: the member of the same project sees no key pair.
  auto after = client_->Get("/v2.1/os-keypairs", as("member"));
  ASSERT_TRUE(after);
  EXPECT_TRUE(body(after)["keypairs"].empty());
  auto allowed = client_->Post("/v2.1/os-keypairs", as("member"), create, "application/json");
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200);
}

TEST_F(PolicyApiTest, AMemberReadsItsOwnQuotasOnly) {
  auto own = client_->Get("/v2.1/os-quota-sets/p-member", as("member"));
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200);
  auto other = client_->Get("/v2.1/os-quota-sets/p-admin", as("member"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
  EXPECT_NE(body(other)["forbidden"]["message"].get<std::string>().find("os_compute_api:os-quota-sets:show"),
            std::string::npos);
}

TEST_F(PolicyApiTest, MicroversionHeadersOnlyOnTheComputeApi) {
  auto compute = client_->Get("/v2.1/os-keypairs", as("member"));
  ASSERT_TRUE(compute);
  EXPECT_EQ(compute->get_header_value("OpenStack-API-Version"), "compute 2.1");
  EXPECT_FALSE(compute->get_header_value("X-OpenStack-Request-Id").empty());
  auto other = client_->Get("/image/probe", as("member"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_FALSE(other->has_header("OpenStack-API-Version"));
  EXPECT_FALSE(other->has_header("X-Compute-Request-Id"));
  EXPECT_EQ(other->get_header_value("X-OpenStack-Request-Id").rfind("req-", 0), 0u);
}

}  // namespace
}  // namespace stratus::core::api
