// GET /v2.1/limits and /v2.1/os-availability-zone over real HTTP on loopback
// against a real database, in Nova's shapes at 2.1.
#include <unistd.h>

#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "api_test_support.h"
#include <httplib.h>

#include "core/http/api_server.h"
#include "core/compute/api/availability_zones_controller.h"
#include "core/compute/api/limits_controller.h"
#include "core/db/database.h"
#include "core/db/quota_repository.h"
#include "core/db/seed.h"
#include "core/db/server_group_repository.h"
#include "core/db/service_repository.h"

namespace stratus::core::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class LimitsApi : public test_support::ApiTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open_database());
    ASSERT_NO_FATAL_FAILURE(start_server([](ApiServer& s, db::Database& db) {
      add_limits_routes(s, db);
      add_availability_zone_routes(s, db);
    }));
  }

};

TEST_F(LimitsApi, AbsoluteLimitsHaveNovasShapeAndDefaults) {
  auto r = client_->Get("/v2.1/limits", as("member"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json limits = body(r)["limits"];
  EXPECT_EQ(keys(limits), (std::set<std::string>{"absolute", "rate"}));
  EXPECT_EQ(limits["rate"], json::array());
  json a = limits["absolute"];
  // The keys of Nova's limit-get-resp.json at 2.1.
  EXPECT_EQ(keys(a), (std::set<std::string>{
                         "maxImageMeta", "maxPersonality", "maxPersonalitySize", "maxSecurityGroupRules",
                         "maxSecurityGroups", "maxServerGroupMembers", "maxServerGroups", "maxServerMeta",
                         "maxTotalCores", "maxTotalFloatingIps", "maxTotalInstances", "maxTotalKeypairs",
                         "maxTotalRAMSize", "totalCoresUsed", "totalFloatingIpsUsed", "totalInstancesUsed",
                         "totalRAMUsed", "totalSecurityGroupsUsed", "totalServerGroupsUsed"}));
  EXPECT_EQ(a["maxTotalInstances"], 10);
  EXPECT_EQ(a["maxTotalCores"], 20);
  EXPECT_EQ(a["maxTotalRAMSize"], 51200);
  EXPECT_EQ(a["maxServerMeta"], 128);
  EXPECT_EQ(a["maxImageMeta"], 128);
  EXPECT_EQ(a["maxPersonality"], 5);
  EXPECT_EQ(a["maxPersonalitySize"], 10240);
  EXPECT_EQ(a["maxTotalKeypairs"], 100);
  EXPECT_EQ(a["maxServerGroups"], 10);
  EXPECT_EQ(a["maxServerGroupMembers"], 10);
  EXPECT_EQ(a["totalInstancesUsed"], 0);
  EXPECT_EQ(a["totalServerGroupsUsed"], 0);
}

TEST_F(LimitsApi, PerProjectOverridesAndUsage) {
  ASSERT_TRUE(db::QuotaRepository(*db_).set_limit("p-member", db::kQuotaCores, 7).ok());
  db::ServerGroupRecord group;
  group.name = "g";
  group.project_id = "p-member";
  group.user_id = "u-member";
  group.policy = "affinity";
  ASSERT_TRUE(db::ServerGroupRepository(*db_).create(group).ok());

  json member = body(client_->Get("/v2.1/limits", as("member")))["limits"]["absolute"];
  EXPECT_EQ(member["maxTotalCores"], 7);
  EXPECT_EQ(member["totalServerGroupsUsed"], 1);
  json admin = body(client_->Get("/v2.1/limits", as("admin")))["limits"]["absolute"];
  EXPECT_EQ(admin["maxTotalCores"], 20);
  EXPECT_EQ(admin["totalServerGroupsUsed"], 0);
  // An admin may look at another project; a member only ever sees its own.
  EXPECT_EQ(body(client_->Get("/v2.1/limits?tenant_id=p-member", as("admin")))["limits"]["absolute"]["maxTotalCores"], 7);
  EXPECT_EQ(body(client_->Get("/v2.1/limits?tenant_id=p-admin", as("member")))["limits"]["absolute"]["maxTotalCores"], 7);
}

TEST_F(LimitsApi, AvailabilityZones) {
  auto none = client_->Get("/v2.1/os-availability-zone", as("member"));
  ASSERT_TRUE(none);
  ASSERT_EQ(none->status, 200);
  EXPECT_EQ(body(none), (json{{"availabilityZoneInfo",
                               json::array({{{"zoneName", "nova"}, {"zoneState", {{"available", true}}}, {"hosts", nullptr}}})}}));

  db::ServiceRepository services(*db_);
  ASSERT_TRUE(services.register_service("host1", "stratus-compute", "compute").ok());
  ASSERT_TRUE(services.register_service("ctl", "stratus-scheduler", "scheduler").ok());
  ASSERT_TRUE(services.set_disabled("host1", "stratus-compute", true).ok());
  json zones = body(client_->Get("/v2.1/os-availability-zone", as("member")))["availabilityZoneInfo"];
  ASSERT_EQ(zones.size(), 1u);
  EXPECT_EQ(zones[0]["zoneState"]["available"], false);

  EXPECT_EQ(client_->Get("/v2.1/os-availability-zone/detail", as("member"))->status, 403);
  auto detail = client_->Get("/v2.1/os-availability-zone/detail", as("admin"));
  ASSERT_EQ(detail->status, 200);
  json info = body(detail)["availabilityZoneInfo"];
  ASSERT_EQ(info.size(), 2u);
  EXPECT_EQ(info[0]["zoneName"], "internal");
  EXPECT_TRUE(info[0]["hosts"]["ctl"].contains("nova-scheduler"));
  EXPECT_EQ(info[1]["zoneName"], "nova");
  EXPECT_EQ(info[1]["hosts"]["host1"]["nova-compute"]["active"], false);
}

TEST_F(LimitsApi, MicroversionsDropRetiredLimits) {
  json at21 = body(client_->Get("/v2.1/limits", as("member")))["limits"]["absolute"];
  EXPECT_TRUE(at21.contains("maxTotalFloatingIps"));
  json at236 = body(client_->Get("/v2.1/limits", as("member", "2.36")))["limits"]["absolute"];
  EXPECT_FALSE(at236.contains("maxTotalFloatingIps"));
  EXPECT_TRUE(at236.contains("maxImageMeta"));
  json at239 = body(client_->Get("/v2.1/limits", as("member", "2.39")))["limits"]["absolute"];
  EXPECT_FALSE(at239.contains("maxImageMeta"));
  EXPECT_TRUE(at239.contains("maxPersonality"));
  json at257 = body(client_->Get("/v2.1/limits", as("member", "2.57")))["limits"]["absolute"];
  EXPECT_FALSE(at257.contains("maxPersonality"));
  EXPECT_TRUE(at257.contains("maxTotalInstances"));
}

}  // namespace
}  // namespace stratus::core::api
