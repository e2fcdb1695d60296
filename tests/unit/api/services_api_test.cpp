// /v2.1/os-services over real HTTP on loopback against a real database:
// Nova's 2.1 shapes, filters, enable/disable with the scheduler callback,
// errors in Nova's format and nothing changed by a rejected request. Also the
// up/down rule both os-services and os-hypervisors use (service_state.h).
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "api_test_support.h"

#include "core/http/api_server.h"
#include "core/compute/api/service_state.h"
#include "core/compute/api/services_controller.h"
#include "core/db/database.h"
#include "core/db/service_repository.h"
#include "core/db/connection.h"

namespace stratus::core::api {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using std::chrono::system_clock;

class ServicesApi : public test_support::ApiTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open_database());
    db::ServiceRepository services(*db_);
    ASSERT_TRUE(services.register_service("host1", "stratus-compute", "compute").ok());
    ASSERT_TRUE(services.heartbeat("host1", "stratus-compute").ok());
    ASSERT_TRUE(services.register_service("host2", "stratus-compute", "compute").ok());
    ASSERT_TRUE(services.register_service("ctl", "stratus-scheduler", "scheduler").ok());
    ASSERT_TRUE(services.heartbeat("ctl", "stratus-scheduler").ok());
    // host2 last reported long ago.
    ASSERT_TRUE(db_->write("backdate", [](db::Connection& c) {
                     return c.exec("backdate", "UPDATE services SET last_seen_up = '2020-01-01T00:00:00.000000' "
                                               "WHERE host = 'host2'");
                   }).ok());
    ASSERT_NO_FATAL_FAILURE(start_server([this](ApiServer& s, db::Database& db) {
      ServicesOptions options;
      options.service_down_time = seconds(60);
      options.on_disabled_change = [this](const std::string& host, const std::string& binary, bool disabled) {
        std::lock_guard lock(mu_);
        calls_.emplace_back(host, binary, disabled);
      };
      add_service_routes(s, db, options);
    }));
  }

  httplib::Result put(const std::string& action, const json& b, const std::string& token = "admin") {
    return client_->Put("/v2.1/os-services/" + action, as(token), b.dump(), "application/json");
  }

  std::vector<std::tuple<std::string, std::string, bool>> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

  db::ServiceRecord service(const std::string& host, const std::string& binary) {
    return db::ServiceRepository(*db_).get(host, binary).value();
  }

  std::mutex mu_;
  std::vector<std::tuple<std::string, std::string, bool>> calls_;
};

TEST_F(ServicesApi, ListHasNovas21Shape) {
  auto r = client_->Get("/v2.1/os-services", as("admin"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json list = body(r)["services"];
  ASSERT_EQ(list.size(), 3u);
  const db::ServiceRecord host1 = service("host1", "stratus-compute");
  // forced_down is 2.11+, so not shown at 2.1.
  EXPECT_EQ(list[0], (json{{"id", host1.id},
                           {"binary", "nova-compute"},
                           {"host", "host1"},
                           {"zone", "nova"},
                           {"status", "enabled"},
                           {"state", "up"},
                           {"updated_at", host1.updated_at},
                           {"disabled_reason", nullptr}}));
  EXPECT_EQ(list[1]["host"], "host2");
  EXPECT_EQ(list[1]["state"], "down");
  EXPECT_EQ(list[2]["binary"], "nova-scheduler");
  EXPECT_EQ(list[2]["zone"], "internal");
  EXPECT_EQ(list[2]["state"], "up");
}

TEST_F(ServicesApi, ListFilters) {
  json by_host = body(client_->Get("/v2.1/os-services?host=host2", as("admin")))["services"];
  ASSERT_EQ(by_host.size(), 1u);
  EXPECT_EQ(by_host[0]["host"], "host2");
  json by_binary = body(client_->Get("/v2.1/os-services?binary=nova-compute", as("admin")))["services"];
  ASSERT_EQ(by_binary.size(), 2u);
  for (const auto& s : by_binary) EXPECT_EQ(s["binary"], "nova-compute");  // what Tempest checks
  // Our own name for the binary finds the same services.
  EXPECT_EQ(body(client_->Get("/v2.1/os-services?binary=stratus-compute", as("admin")))["services"], by_binary);
  json schedulers = body(client_->Get("/v2.1/os-services?binary=nova-scheduler", as("admin")))["services"];
  ASSERT_EQ(schedulers.size(), 1u);
  EXPECT_EQ(schedulers[0]["host"], "ctl");
  EXPECT_EQ(body(client_->Get("/v2.1/os-services?binary=nova-network", as("admin")))["services"], json::array());
  json both = body(client_->Get("/v2.1/os-services?binary=stratus-compute&host=ctl", as("admin")))["services"];
  EXPECT_EQ(both, json::array());
}

TEST_F(ServicesApi, NonAdminsArePolicyDenied) {
  auto list = client_->Get("/v2.1/os-services", as("member"));
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 403);
  EXPECT_EQ(body(list)["forbidden"]["message"], "Policy doesn't allow os_compute_api:os-services:list to be performed.");
  auto r = put("disable", {{"host", "host1"}, {"binary", "stratus-compute"}}, "member");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(body(r)["forbidden"]["message"], "Policy doesn't allow os_compute_api:os-services:update to be performed.");
  EXPECT_FALSE(service("host1", "stratus-compute").disabled);
  EXPECT_TRUE(calls().empty());
}

TEST_F(ServicesApi, DisableWithReasonThenEnable) {
  auto r = put("disable-log-reason", {{"host", "host1"}, {"binary", "nova-compute"}, {"disabled_reason", "disk swap"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(body(r), (json{{"service",
                            {{"host", "host1"}, {"binary", "nova-compute"}, {"status", "disabled"},
                             {"disabled_reason", "disk swap"}}}}));
  EXPECT_TRUE(service("host1", "stratus-compute").disabled);
  EXPECT_EQ(service("host1", "stratus-compute").disabled_reason, "disk swap");
  ASSERT_EQ(calls().size(), 1u);
  EXPECT_EQ(calls()[0], std::make_tuple(std::string("host1"), std::string("stratus-compute"), true));
  json listed = body(client_->Get("/v2.1/os-services?host=host1", as("admin")))["services"][0];
  EXPECT_EQ(listed["status"], "disabled");
  EXPECT_EQ(listed["disabled_reason"], "disk swap");

  // Our own name for the binary works as well; the answer shows Nova's.
  r = put("enable", {{"host", "host1"}, {"binary", "stratus-compute"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(body(r), (json{{"service", {{"host", "host1"}, {"binary", "nova-compute"}, {"status", "enabled"}}}}));
  EXPECT_FALSE(service("host1", "stratus-compute").disabled);
  EXPECT_FALSE(service("host1", "stratus-compute").disabled_reason.has_value());
  ASSERT_EQ(calls().size(), 2u);
  EXPECT_EQ(calls()[1], std::make_tuple(std::string("host1"), std::string("stratus-compute"), false));
}

TEST_F(ServicesApi, PlainDisableClearsTheReason) {
  ASSERT_TRUE(db::ServiceRepository(*db_).set_disabled("host2", "stratus-compute", true, std::string("old")).ok());
  auto r = put("disable", {{"host", "host2"}, {"binary", "stratus-compute"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(body(r), (json{{"service", {{"host", "host2"}, {"binary", "nova-compute"}, {"status", "disabled"}}}}));
  EXPECT_TRUE(service("host2", "stratus-compute").disabled);
  EXPECT_FALSE(service("host2", "stratus-compute").disabled_reason.has_value());
}

TEST_F(ServicesApi, BadRequestsChangeNothing) {
  struct Case {
    std::string action;
    json body;
    int status;
    std::string message_part;
  };
  const Case cases[] = {
      {"disable-log-reason", {{"host", "host1"}, {"binary", "stratus-compute"}}, 400, "Missing disabled reason field"},
      {"disable", {{"host", "host1"}}, 400, "binary"},
      {"disable", {{"binary", "stratus-compute"}}, 400, "host"},
      {"disable", {{"host", "host1"}, {"binary", "stratus-compute"}, {"zone", "x"}}, 400, "zone"},
      {"disable", {{"host", "host 1"}, {"binary", "stratus-compute"}}, 400, "field/attribute host"},
      {"disable-log-reason", {{"host", "host1"}, {"binary", "stratus-compute"}, {"disabled_reason", ""}}, 400,
       "field/attribute disabled_reason"},
      {"disable", {{"host", "ctl"}, {"binary", "stratus-scheduler"}}, 400,
       "Updating a nova-scheduler service is not supported. Only nova-compute services can be updated."},
      {"disable", {{"host", "ctl"}, {"binary", "nova-scheduler"}}, 400,
       "Updating a nova-scheduler service is not supported. Only nova-compute services can be updated."},
      {"disable", {{"host", "nohost"}, {"binary", "stratus-compute"}}, 404,
       "Could not find binary nova-compute on host nohost."},
      {"disable", {{"host", "host1"}, {"binary", "nova-computer"}}, 400,
       "Updating a nova-computer service is not supported."},
      {"force-down", {{"host", "host1"}, {"binary", "stratus-compute"}}, 404, "Unknown action"},
  };
  for (const auto& c : cases) {
    auto r = put(c.action, c.body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.status) << c.body.dump();
    json b = body(r);
    const std::string fault = c.status == 400 ? "badRequest" : "itemNotFound";
    ASSERT_TRUE(b.contains(fault)) << r->body;
    EXPECT_NE(b[fault]["message"].get<std::string>().find(c.message_part), std::string::npos) << r->body;
  }
  auto raw = client_->Put("/v2.1/os-services/disable", as("admin"), "{not json", "application/json");
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->status, 400);
  EXPECT_FALSE(service("host1", "stratus-compute").disabled);
  EXPECT_FALSE(service("ctl", "stratus-scheduler").disabled);
  EXPECT_TRUE(calls().empty());
}

db::ServiceRecord record_with(std::optional<std::string> last_seen_up, std::string created_at = "2030-01-01T00:00:00.000000") {
  db::ServiceRecord s;
  s.last_seen_up = std::move(last_seen_up);
  s.created_at = std::move(created_at);
  return s;
}

system_clock::time_point at(int hour, int minute, int second) {
  // 2030-01-01T00:00:00Z is 1893456000 seconds after the epoch.
  return system_clock::time_point(seconds(1893456000 + hour * 3600 + minute * 60 + second));
}

TEST(ServiceState, UpWhileTheLastHeartbeatIsAtMostServiceDownTimeOld) {
  const auto s = record_with("2030-01-01T10:00:00.000000");
  EXPECT_TRUE(service_is_up(s, seconds(60), at(10, 0, 30)));
  EXPECT_TRUE(service_is_up(s, seconds(60), at(10, 1, 0)));   // exactly service_down_time: still up, as Nova
  EXPECT_FALSE(service_is_up(s, seconds(60), at(10, 1, 1)));
  EXPECT_TRUE(service_is_up(s, seconds(3600), at(10, 30, 0)));
  // Nova takes the absolute difference: a heartbeat slightly ahead of our clock is up.
  EXPECT_TRUE(service_is_up(s, seconds(60), at(9, 59, 30)));
  EXPECT_FALSE(service_is_up(s, seconds(60), at(9, 58, 0)));
  // Microseconds count.
  EXPECT_FALSE(service_is_up(record_with("2030-01-01T10:00:00.500000"), seconds(60), at(10, 1, 1)));
  EXPECT_TRUE(service_is_up(record_with("2030-01-01T10:00:00.500000"), seconds(60), at(10, 1, 0)));
}

TEST(ServiceState, BeforeTheFirstHeartbeatCreatedAtCountsAndForcedDownIsDown) {
  auto fresh = record_with(std::nullopt, "2030-01-01T10:00:00.000000");
  EXPECT_TRUE(service_is_up(fresh, seconds(60), at(10, 0, 10)));
  EXPECT_FALSE(service_is_up(fresh, seconds(60), at(10, 5, 0)));
  auto forced = record_with("2030-01-01T10:00:00.000000");
  forced.forced_down = true;
  EXPECT_FALSE(service_is_up(forced, seconds(60), at(10, 0, 0)));
  EXPECT_FALSE(service_is_up(record_with("garbage"), seconds(60), at(10, 0, 0)));
}

TEST(ServiceState, Zone) {
  db::ServiceRecord s;
  s.binary = "stratus-compute";
  s.topic = "compute";
  EXPECT_EQ(service_zone(s), "nova");
  s.binary = "stratus-conductor";
  s.topic = "conductor";
  EXPECT_EQ(service_zone(s), "internal");
}

TEST_F(ServicesApi, ForcedDownAndUuidsByMicroversion) {
  json at21 = body(client_->Get("/v2.1/os-services", as("admin")))["services"][0];
  EXPECT_FALSE(at21.contains("forced_down"));
  EXPECT_TRUE(at21["id"].is_number_integer());
  json at211 = body(client_->Get("/v2.1/os-services", as("admin", "2.11")))["services"][0];
  EXPECT_EQ(at211["forced_down"], false);
  auto forced = client_->Put("/v2.1/os-services/force-down", as("admin", "2.11"),
                             R"({"host": "host1", "binary": "nova-compute", "forced_down": true})", "application/json");
  ASSERT_EQ(forced->status, 200) << forced->body;
  EXPECT_EQ(body(forced)["service"]["forced_down"], true);
  EXPECT_EQ(body(forced)["service"]["binary"], "nova-compute");
  EXPECT_TRUE(service("host1", "stratus-compute").forced_down);
  // Not a route before 2.11.
  EXPECT_EQ(client_->Put("/v2.1/os-services/force-down", as("admin"),
                         R"({"host": "host1", "binary": "stratus-compute", "forced_down": true})", "application/json")
                ->status, 404);
  json services = body(client_->Get("/v2.1/os-services?host=host1&binary=stratus-compute", as("admin", "2.53")))["services"];
  ASSERT_EQ(services.size(), 1u);
  const std::string uuid = services[0]["id"].get<std::string>();
  EXPECT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[14], '3');  // a name-based uuid
  auto updated = client_->Put("/v2.1/os-services/" + uuid, as("admin", "2.53"),
                              R"({"status": "disabled", "disabled_reason": "maintenance", "forced_down": false})",
                              "application/json");
  ASSERT_EQ(updated->status, 200) << updated->body;
  EXPECT_EQ(body(updated)["service"]["status"], "disabled");
  EXPECT_EQ(body(updated)["service"]["disabled_reason"], "maintenance");
  EXPECT_EQ(body(updated)["service"]["forced_down"], false);
  EXPECT_EQ(body(updated)["service"]["id"], uuid);
  EXPECT_EQ(client_->Put("/v2.1/os-services/" + uuid, as("admin", "2.53"), R"({"status": "enabled", "disabled_reason": "x"})",
                         "application/json")->status, 400);
  EXPECT_EQ(client_->Put("/v2.1/os-services/" + uuid, as("admin", "2.53"), R"({})", "application/json")->status, 400);
  EXPECT_EQ(client_->Put("/v2.1/os-services/not-a-uuid", as("admin", "2.53"), R"({"status": "enabled"})",
                         "application/json")->status, 400);
  EXPECT_EQ(client_->Put("/v2.1/os-services/" + uuid, as("member", "2.53"), R"({"status": "enabled"})",
                         "application/json")->status, 403);
}

TEST_F(ServicesApi, DeleteRemovesTheRecord) {
  json services = body(client_->Get("/v2.1/os-services?host=ctl", as("admin")))["services"];
  ASSERT_EQ(services.size(), 1u);
  const std::string id = std::to_string(services[0]["id"].get<std::int64_t>());
  EXPECT_EQ(client_->Delete("/v2.1/os-services/" + id, as("member"))->status, 403);
  EXPECT_EQ(client_->Delete("/v2.1/os-services/" + id, as("admin"))->status, 204);
  EXPECT_EQ(client_->Delete("/v2.1/os-services/" + id, as("admin"))->status, 404);
  EXPECT_TRUE(body(client_->Get("/v2.1/os-services?host=ctl", as("admin")))["services"].empty());
}

}  // namespace
}  // namespace stratus::core::api

namespace stratus::core::api {
namespace {

// Conductor and scheduler rows (core/node/service_reporter.h) are listed but,
// as in Nova, only compute services are enabled, disabled or forced down, at
// every microversion; they are deleted without the compute checks.
TEST_F(ServicesApi, ConductorAndSchedulerRowsAreListedButNotUpdatable) {
  ASSERT_TRUE(db::ServiceRepository(*db_).register_service("ctl", "stratus-conductor", "conductor").ok());
  json on_ctl = body(client_->Get("/v2.1/os-services?host=ctl", as("admin")))["services"];
  ASSERT_EQ(on_ctl.size(), 2u);
  std::set<std::string> binaries;
  for (const auto& s : on_ctl) {
    binaries.insert(s["binary"].get<std::string>());
    EXPECT_EQ(s["zone"], "internal");
  }
  EXPECT_EQ(binaries, (std::set<std::string>{"nova-conductor", "nova-scheduler"}));

  const std::string refused = "Updating a nova-scheduler service is not supported. Only nova-compute services can be updated.";
  auto down = client_->Put("/v2.1/os-services/force-down", as("admin", "2.11"),
                           R"({"host": "ctl", "binary": "nova-scheduler", "forced_down": true})", "application/json");
  EXPECT_EQ(down->status, 400);
  EXPECT_EQ(body(down)["badRequest"]["message"], refused);
  // Refused before the host is looked at, as Nova.
  down = client_->Put("/v2.1/os-services/force-down", as("admin", "2.11"),
                      R"({"host": "nowhere", "binary": "nova-conductor", "forced_down": true})", "application/json");
  EXPECT_EQ(down->status, 400);

  json listed = body(client_->Get("/v2.1/os-services?binary=nova-scheduler", as("admin", "2.53")))["services"];
  ASSERT_EQ(listed.size(), 1u);
  const std::string uuid = listed[0]["id"].get<std::string>();
  for (const char* b : {R"({"forced_down": true})", R"({"status": "disabled"})", R"({})"}) {
    auto r = client_->Put("/v2.1/os-services/" + uuid, as("admin", "2.53"), b, "application/json");
    EXPECT_EQ(r->status, 400) << b;
    EXPECT_EQ(body(r)["badRequest"]["message"], refused) << b;
  }
  EXPECT_FALSE(service("ctl", "stratus-scheduler").forced_down);
  EXPECT_FALSE(service("ctl", "stratus-scheduler").disabled);
  EXPECT_TRUE(calls().empty());

  // A reason without a status is no update at all (Nova's order of checks).
  json compute = body(client_->Get("/v2.1/os-services?host=host1", as("admin", "2.53")))["services"][0];
  auto reason_only = client_->Put("/v2.1/os-services/" + compute["id"].get<std::string>(), as("admin", "2.53"),
                                  R"({"disabled_reason": "x"})", "application/json");
  EXPECT_EQ(reason_only->status, 400);
  EXPECT_EQ(body(reason_only)["badRequest"]["message"],
            "No updates were requested. Fields 'status' or 'forced_down' should be specified.");

  // Delete: an integer id before 2.53, Nova's 404 text; a conductor row goes.
  auto bad_id = client_->Delete("/v2.1/os-services/abc", as("admin"));
  EXPECT_EQ(bad_id->status, 400);
  EXPECT_EQ(body(bad_id)["badRequest"]["message"], "Invalid input received: id must be an integer");
  auto missing = client_->Delete("/v2.1/os-services/99999", as("admin"));
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(body(missing)["itemNotFound"]["message"], "Service 99999 not found.");
  const auto conductor = service("ctl", "stratus-conductor");
  EXPECT_EQ(client_->Delete("/v2.1/os-services/" + std::to_string(conductor.id), as("admin"))->status, 204);
  EXPECT_FALSE(db::ServiceRepository(*db_).get("ctl", "stratus-conductor").ok());
}

}  // namespace
}  // namespace stratus::core::api
