// /v2.1/os-aggregates and the zones it gives hosts, over HTTP against a real
// database: Nova's shapes (uuid from 2.41), admin-only policy, Nova's 400,
// 404 and 409 cases, and nothing written by a refused request.
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>

#include "api_test_support.h"

#include "core/compute/api/aggregates_controller.h"
#include "core/compute/api/availability_zones_controller.h"
#include "core/db/aggregate_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/service_repository.h"

namespace stratus::core::api {
namespace {

using nlohmann::json;

class AggregatesApi : public test_support::ApiTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open_database());
    db::ServiceRepository services(*db_);
    ASSERT_TRUE(services.register_service("host1", "stratus-compute", "compute").ok());
    ASSERT_TRUE(services.register_service("host2", "stratus-compute", "compute").ok());
    ASSERT_TRUE(services.register_service("ctl", "stratus-scheduler", "scheduler").ok());
    ASSERT_NO_FATAL_FAILURE(start_server([](ApiServer& s, db::Database& db) {
      add_aggregate_routes(s, db);
      add_availability_zone_routes(s, db);
    }));
  }

  httplib::Result post(const std::string& path, const json& b, const std::string& token = "admin",
                       const std::string& version = "") {
    return client_->Post(path, as(token, version), b.dump(), "application/json");
  }

  std::int64_t create_ok(const std::string& name, const std::optional<std::string>& zone = std::nullopt) {
    json agg = {{"name", name}};
    if (zone) agg["availability_zone"] = *zone;
    auto r = post("/v2.1/os-aggregates", {{"aggregate", agg}});
    EXPECT_TRUE(r);
    if (!r) return -1;
    EXPECT_EQ(r->status, 200) << r->body;
    return body(r)["aggregate"]["id"].get<std::int64_t>();
  }

  httplib::Result action(std::int64_t id, const json& b, const std::string& token = "admin") {
    return post("/v2.1/os-aggregates/" + std::to_string(id) + "/action", b, token);
  }
};

TEST_F(AggregatesApi, CreateShowListInNovasShapes) {
  auto r = post("/v2.1/os-aggregates", {{"aggregate", {{"name", "rack1"}, {"availability_zone", "az1"}}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json a = body(r)["aggregate"];
  EXPECT_EQ(keys(a), (std::set<std::string>{"id", "name", "availability_zone", "created_at", "updated_at", "deleted",
                                            "deleted_at"}));
  EXPECT_EQ(a["name"], "rack1");
  EXPECT_EQ(a["availability_zone"], "az1");
  EXPECT_EQ(a["deleted"], false);
  const std::string id = std::to_string(a["id"].get<std::int64_t>());

  json shown = body(client_->Get("/v2.1/os-aggregates/" + id, as("admin")))["aggregate"];
  EXPECT_EQ(shown["hosts"], json::array());
  EXPECT_EQ(shown["metadata"], (json{{"availability_zone", "az1"}}));
  EXPECT_FALSE(shown.contains("uuid"));
  json v241 = body(client_->Get("/v2.1/os-aggregates/" + id, as("admin", "2.41")))["aggregate"];
  EXPECT_EQ(v241["uuid"].get<std::string>().size(), 36u);

  json list = body(client_->Get("/v2.1/os-aggregates", as("admin")))["aggregates"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "rack1");
}

TEST_F(AggregatesApi, AdminOnly) {
  const auto id = create_ok("a");
  auto list = client_->Get("/v2.1/os-aggregates", as("member"));
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 403);
  EXPECT_EQ(body(list)["forbidden"]["message"], "Policy doesn't allow os_compute_api:os-aggregates:index to be performed.");
  EXPECT_EQ(post("/v2.1/os-aggregates", {{"aggregate", {{"name", "b"}}}}, "member")->status, 403);
  EXPECT_EQ(action(id, {{"add_host", {{"host", "host1"}}}}, "member")->status, 403);
  EXPECT_EQ(client_->Delete("/v2.1/os-aggregates/" + std::to_string(id), as("member"))->status, 403);
  EXPECT_EQ(db::AggregateRepository(*db_).get(id)->hosts.size(), 0u);
}

TEST_F(AggregatesApi, BadNamesAndDuplicates) {
  create_ok("dup");
  auto dup = post("/v2.1/os-aggregates", {{"aggregate", {{"name", "dup"}}}});
  EXPECT_EQ(dup->status, 409);
  EXPECT_EQ(body(dup)["conflictingRequest"]["message"], "Aggregate dup already exists.");
  EXPECT_EQ(post("/v2.1/os-aggregates", {{"aggregate", {{"name", ""}}}})->status, 400);
  EXPECT_EQ(post("/v2.1/os-aggregates", {{"aggregate", {{"name", std::string(256, 'x')}}}})->status, 400);
  EXPECT_EQ(post("/v2.1/os-aggregates", {{"aggregate", {{"name", "x"}, {"availability_zone", "a:b"}}}})->status, 400);
  EXPECT_EQ(client_->Get("/v2.1/os-aggregates/abc", as("admin"))->status, 400);
  auto missing = client_->Get("/v2.1/os-aggregates/999", as("admin"));
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(body(missing)["itemNotFound"]["message"], "Aggregate 999 could not be found.");
  EXPECT_EQ(db::AggregateRepository(*db_).list()->size(), 1u);
}

TEST_F(AggregatesApi, HostsAddRemoveAndTheirErrors) {
  const auto id = create_ok("a");
  auto added = action(id, {{"add_host", {{"host", "host1"}}}});
  ASSERT_EQ(added->status, 200) << added->body;
  EXPECT_EQ(body(added)["aggregate"]["hosts"], json::array({"host1"}));
  EXPECT_EQ(action(id, {{"add_host", {{"host", "host1"}}}})->status, 409);
  auto unknown = action(id, {{"add_host", {{"host", "nohost"}}}});
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(body(unknown)["itemNotFound"]["message"], "Compute host nohost could not be found.");
  EXPECT_EQ(action(id, {{"add_host", {{"host", "ctl"}}}})->status, 404);  // not a compute host

  auto not_empty = client_->Delete("/v2.1/os-aggregates/" + std::to_string(id), as("admin"));
  EXPECT_EQ(not_empty->status, 400);
  EXPECT_EQ(body(not_empty)["badRequest"]["message"],
            "Cannot remove host from aggregate " + std::to_string(id) + ". Reason: Host aggregate is not empty.");

  auto not_in = action(id, {{"remove_host", {{"host", "host2"}}}});
  EXPECT_EQ(not_in->status, 404);
  EXPECT_EQ(body(not_in)["itemNotFound"]["message"], "Cannot remove host host2 in aggregate " + std::to_string(id));
  EXPECT_EQ(body(action(id, {{"remove_host", {{"host", "host1"}}}}))["aggregate"]["hosts"], json::array());
  EXPECT_EQ(client_->Delete("/v2.1/os-aggregates/" + std::to_string(id), as("admin"))->status, 200);
  EXPECT_TRUE(db::AggregateRepository(*db_).list()->empty());
}

TEST_F(AggregatesApi, AHostIsInOneZoneOnly) {
  const auto az1 = create_ok("a1", "az1");
  const auto az2 = create_ok("a2", "az2");
  const auto plain = create_ok("plain");
  ASSERT_EQ(action(az1, {{"add_host", {{"host", "host1"}}}})->status, 200);
  auto second = action(az2, {{"add_host", {{"host", "host1"}}}});
  EXPECT_EQ(second->status, 409);
  EXPECT_EQ(body(second)["conflictingRequest"]["message"],
            "Cannot add host to aggregate " + std::to_string(az2) +
                ". Reason: One or more hosts already in availability zone(s) ['az1'].");
  EXPECT_EQ(action(plain, {{"add_host", {{"host", "host1"}}}})->status, 200);  // no zone: fine
  // Giving the zoneless aggregate another zone would move host1: 400.
  auto meta = action(plain, {{"set_metadata", {{"metadata", {{"availability_zone", "az2"}}}}}});
  EXPECT_EQ(meta->status, 400);
  auto upd = client_->Put("/v2.1/os-aggregates/" + std::to_string(plain), as("admin"),
                          json{{"aggregate", {{"availability_zone", "az2"}}}}.dump(), "application/json");
  EXPECT_EQ(upd->status, 400);
  auto empty = client_->Put("/v2.1/os-aggregates/" + std::to_string(az1), as("admin"),
                            json{{"aggregate", {{"availability_zone", nullptr}}}}.dump(), "application/json");
  EXPECT_EQ(empty->status, 400);
  EXPECT_FALSE(db::AggregateRepository(*db_).get(plain)->availability_zone().has_value());

  // The zone shows in os-availability-zone; host2 stays in "nova".
  json zones = body(client_->Get("/v2.1/os-availability-zone", as("member")))["availabilityZoneInfo"];
  std::set<std::string> names;
  for (const auto& z : zones) names.insert(z["zoneName"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"az1", "nova"}));
  json detail = body(client_->Get("/v2.1/os-availability-zone/detail", as("admin")))["availabilityZoneInfo"];
  for (const auto& z : detail) {
    if (z["zoneName"] == "az1") {
      EXPECT_TRUE(z["hosts"].contains("host1"));
    }
    if (z["zoneName"] == "nova") {
      EXPECT_EQ(keys(z["hosts"]), (std::set<std::string>{"host2"}));
    }
  }
}

TEST_F(AggregatesApi, HostWithInstancesKeepsItsZone) {
  db::InstanceRecord vm;
  vm.display_name = "vm";
  vm.project_id = "p-member";
  vm.user_id = "u-member";
  vm.host = "host1";
  ASSERT_TRUE(db::InstanceRepository(*db_).create({vm}, {false}).ok());
  const auto az = create_ok("a1", "az1");
  auto r = action(az, {{"add_host", {{"host", "host1"}}}});
  EXPECT_EQ(r->status, 409);
  EXPECT_NE(body(r)["conflictingRequest"]["message"].get<std::string>().find("would change from 'None' to 'az1'"),
            std::string::npos);
  const auto plain = create_ok("plain");
  ASSERT_EQ(action(plain, {{"add_host", {{"host", "host1"}}}})->status, 200);
  EXPECT_EQ(action(plain, {{"set_metadata", {{"metadata", {{"availability_zone", "az9"}}}}}})->status, 400);
}

TEST_F(AggregatesApi, SetMetadataMergesAndNullRemoves) {
  const auto id = create_ok("a");
  auto r = action(id, {{"set_metadata", {{"metadata", {{"ssd", "true"}, {"tier", "gold"}}}}}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["aggregate"]["metadata"], (json{{"ssd", "true"}, {"tier", "gold"}}));
  EXPECT_FALSE(body(r)["aggregate"]["updated_at"].is_null());
  r = action(id, {{"set_metadata", {{"metadata", {{"ssd", nullptr}}}}}});
  EXPECT_EQ(body(r)["aggregate"]["metadata"], (json{{"tier", "gold"}}));
  EXPECT_EQ(action(id, {{"set_metadata", {{"metadata", {{"bad/key", "x"}}}}}})->status, 400);
  EXPECT_EQ(action(id, {{"frobnicate", json::object()}})->status, 400);
  auto renamed = client_->Put("/v2.1/os-aggregates/" + std::to_string(id), as("admin"),
                              json{{"aggregate", {{"name", "b"}}}}.dump(), "application/json");
  ASSERT_EQ(renamed->status, 200);
  EXPECT_EQ(body(renamed)["aggregate"]["name"], "b");
  EXPECT_EQ(body(renamed)["aggregate"]["metadata"], (json{{"tier", "gold"}}));
}

}  // namespace
}  // namespace stratus::core::api
