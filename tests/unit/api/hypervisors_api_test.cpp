// GET /v2.1/os-hypervisors[...] over real HTTP on loopback against a real
// database: Nova's 2.1 shapes, state and status from the compute service
// record, admin only, 404 in Nova's format.
#include <chrono>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>

#include "api_test_support.h"

#include "core/http/api_server.h"
#include "core/compute/api/hypervisors_controller.h"
#include "core/db/compute_node_repository.h"
#include "core/db/database.h"
#include "core/db/instance_repository.h"
#include "core/db/service_repository.h"
#include "core/db/connection.h"

namespace stratus::core::api {
namespace {

using nlohmann::json;

class HypervisorsApi : public test_support::ApiTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open_database());
    // host1: up and enabled; host2: its last heartbeat long ago, disabled
    // with a reason; host3: a node whose service record is gone.
    db::ServiceRepository services(*db_);
    ASSERT_TRUE(services.register_service("host1", "stratus-compute", "compute").ok());
    ASSERT_TRUE(services.heartbeat("host1", "stratus-compute").ok());
    ASSERT_TRUE(services.register_service("host2", "stratus-compute", "compute").ok());
    ASSERT_TRUE(services.set_disabled("host2", "stratus-compute", true, std::string("maintenance")).ok());
    ASSERT_TRUE(set_last_seen_up("host2", "2020-01-01T00:00:00.000000").ok());
    // A scheduler on host1 is not what makes host1's hypervisor up.
    ASSERT_TRUE(services.register_service("host1", "stratus-scheduler", "scheduler").ok());

    node1_ = add_node("host1", "node1", 8, 16384, 100);
    node2_ = add_node("host2", "node2", 4, 8192, 50);
    add_node("host3", "node3", 2, 2048, 10);
    ASSERT_TRUE(db_->write("usage", [](db::Connection& c) {
                     return c.exec("usage",
                                   "UPDATE compute_nodes SET vcpus_used = 3, memory_mb_used = 4096, local_gb_used = 20, "
                                   "running_vms = 2 WHERE hypervisor_hostname = 'node1'");
                   }).ok());
    ASSERT_NO_FATAL_FAILURE(start_server([](ApiServer& s, db::Database& db) {
      HypervisorsOptions options;
      options.host_ip = "192.0.2.10";
      // A stand-in for the compute host's RPC answer: names the host asked.
      options.host_uptime = [](const sdk::RequestContext&, const std::string& host) -> sdk::Result<std::string> {
        return " 10:00:00 up 1 day,  2:03,  load average: 0.00, 0.01, 0.05 (" + host + ")";
      };
      add_hypervisor_routes(s, db, options);
    }));
  }

  std::int64_t add_node(const std::string& host, const std::string& name, std::int32_t vcpus, std::int64_t ram,
                        std::int64_t disk) {
    sdk::HostResources r;
    r.hypervisor_hostname = name;
    r.hypervisor_type = "fake";
    r.hypervisor_version = 1002003;
    r.cpu_info = R"({"arch": "x86_64"})";
    r.vcpus = vcpus;
    r.memory_mb = ram;
    r.local_gb = disk;
    auto n = db::ComputeNodeRepository(*db_).upsert(host, r);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? n->id : 0;
  }

  sdk::Status set_last_seen_up(const std::string& host, const std::string& when) {
    return db_->write("backdate heartbeat", [&](db::Connection& c) {
      return c.exec("backdate heartbeat", "UPDATE services SET last_seen_up = ? WHERE host = ?", when, host);
    });
  }

  std::int64_t node1_ = 0;
  std::int64_t node2_ = 0;
};

TEST_F(HypervisorsApi, NonAdminsArePolicyDenied) {
  const std::pair<std::string, std::string> cases[] = {
      {"/v2.1/os-hypervisors", "list"},
      {"/v2.1/os-hypervisors/detail", "list-detail"},
      {"/v2.1/os-hypervisors/statistics", "statistics"},
      {"/v2.1/os-hypervisors/" + std::to_string(node1_), "show"},
      {"/v2.1/os-hypervisors/node/search", "search"},
  };
  for (const auto& [path, rule] : cases) {
    auto r = client_->Get(path, as("member"));
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 403) << path;
    EXPECT_EQ(body(r)["forbidden"]["message"],
              "Policy doesn't allow os_compute_api:os-hypervisors:" + rule + " to be performed.")
        << path;
  }
}

TEST_F(HypervisorsApi, ListShowsStateAndStatusFromTheComputeService) {
  auto r = client_->Get("/v2.1/os-hypervisors", as("admin"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json list = body(r)["hypervisors"];
  // node3's host has no compute service: left out, as Nova does.
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0], (json{{"id", node1_}, {"hypervisor_hostname", "node1"}, {"state", "up"}, {"status", "enabled"}}));
  EXPECT_EQ(list[1],
            (json{{"id", node2_}, {"hypervisor_hostname", "node2"}, {"state", "down"}, {"status", "disabled"}}));
}

TEST_F(HypervisorsApi, DetailHasNovas21Fields) {
  auto r = client_->Get("/v2.1/os-hypervisors/detail", as("admin"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json list = body(r)["hypervisors"];
  ASSERT_EQ(list.size(), 2u);
  json h = list[0];
  EXPECT_EQ(keys(h), (std::set<std::string>{"id", "hypervisor_hostname", "state", "status", "vcpus", "vcpus_used",
                                            "memory_mb", "memory_mb_used", "local_gb", "local_gb_used", "free_ram_mb",
                                            "free_disk_gb", "current_workload", "running_vms", "hypervisor_type",
                                            "hypervisor_version", "host_ip", "disk_available_least", "cpu_info",
                                            "service"}));
  EXPECT_EQ(h["vcpus"], 8);
  EXPECT_EQ(h["vcpus_used"], 3);
  EXPECT_EQ(h["memory_mb"], 16384);
  EXPECT_EQ(h["memory_mb_used"], 4096);
  EXPECT_EQ(h["free_ram_mb"], 16384 - 4096);
  EXPECT_EQ(h["local_gb"], 100);
  EXPECT_EQ(h["local_gb_used"], 20);
  EXPECT_EQ(h["free_disk_gb"], 80);
  EXPECT_EQ(h["disk_available_least"], 80);
  EXPECT_EQ(h["current_workload"], 0);
  EXPECT_EQ(h["running_vms"], 2);
  EXPECT_EQ(h["hypervisor_type"], "fake");
  EXPECT_EQ(h["hypervisor_version"], 1002003);
  EXPECT_EQ(h["host_ip"], "192.0.2.10");
  // A JSON string before microversion 2.28.
  ASSERT_TRUE(h["cpu_info"].is_string());
  EXPECT_EQ(json::parse(h["cpu_info"].get<std::string>())["arch"], "x86_64");
  auto host1 = db::ServiceRepository(*db_).get("host1", "stratus-compute");
  ASSERT_TRUE(host1.ok());
  EXPECT_EQ(h["service"], (json{{"host", "host1"}, {"id", host1->id}, {"disabled_reason", nullptr}}));
  EXPECT_EQ(list[1]["service"]["disabled_reason"], "maintenance");
  EXPECT_EQ(list[1]["state"], "down");
}

TEST_F(HypervisorsApi, ShowOneAndNotFoundInNovasFormat) {
  auto r = client_->Get("/v2.1/os-hypervisors/" + std::to_string(node2_), as("admin"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json h = body(r)["hypervisor"];
  EXPECT_EQ(h["hypervisor_hostname"], "node2");
  EXPECT_EQ(h["status"], "disabled");
  EXPECT_EQ(h["vcpus"], 4);
  EXPECT_EQ(h["service"]["host"], "host2");

  auto node3 = db::ComputeNodeRepository(*db_).get("node3");
  ASSERT_TRUE(node3.ok());
  for (const std::string& id : {std::string("999"), std::string("abc"), std::to_string(node3->id)}) {
    auto missing = client_->Get("/v2.1/os-hypervisors/" + id, as("admin"));
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404) << id;
    EXPECT_EQ(body(missing),
              (json{{"itemNotFound", {{"code", 404}, {"message", "Hypervisor with ID '" + id + "' could not be found."}}}}));
  }
}

TEST_F(HypervisorsApi, StatisticsSumTheNodesOfEnabledServices) {
  auto r = client_->Get("/v2.1/os-hypervisors/statistics", as("admin"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  // node2's service is disabled and node3 has none: node1 alone, as Nova's
  // compute_node_statistics counts.
  EXPECT_EQ(body(r), (json{{"hypervisor_statistics",
                            {{"count", 1}, {"current_workload", 0}, {"disk_available_least", 80}, {"free_disk_gb", 80},
                             {"free_ram_mb", 12288}, {"local_gb", 100}, {"local_gb_used", 20}, {"memory_mb", 16384},
                             {"memory_mb_used", 4096}, {"running_vms", 2}, {"vcpus", 8}, {"vcpus_used", 3}}}}));

  ASSERT_TRUE(db::ServiceRepository(*db_).set_disabled("host2", "stratus-compute", false).ok());
  json stats = body(client_->Get("/v2.1/os-hypervisors/statistics", as("admin")))["hypervisor_statistics"];
  EXPECT_EQ(stats["count"], 2);
  EXPECT_EQ(stats["vcpus"], 12);
  EXPECT_EQ(stats["memory_mb"], 16384 + 8192);
}

TEST_F(HypervisorsApi, StateFollowsTheHeartbeat) {
  ASSERT_TRUE(db::ServiceRepository(*db_).heartbeat("host2", "stratus-compute").ok());
  json list = body(client_->Get("/v2.1/os-hypervisors", as("admin")))["hypervisors"];
  EXPECT_EQ(list[1]["state"], "up");
  ASSERT_TRUE(db::ServiceRepository(*db_).set_forced_down("host2", "stratus-compute", true).ok());
  list = body(client_->Get("/v2.1/os-hypervisors", as("admin")))["hypervisors"];
  EXPECT_EQ(list[1]["state"], "down");
}

TEST_F(HypervisorsApi, SearchAndServers) {
  auto r = client_->Get("/v2.1/os-hypervisors/ode1/search", as("admin"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json found = body(r)["hypervisors"];
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["hypervisor_hostname"], "node1");
  EXPECT_EQ(keys(found[0]), (std::set<std::string>{"id", "hypervisor_hostname", "state", "status"}));

  auto none = client_->Get("/v2.1/os-hypervisors/nothing/search", as("admin"));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);
  EXPECT_EQ(body(none)["itemNotFound"]["message"], "No hypervisor matching 'nothing' could be found.");

  db::InstanceRecord vm;
  vm.display_name = "vm";
  vm.project_id = "p-member";
  vm.user_id = "u-member";
  vm.flavor.id = "1";
  vm.flavor.vcpus = 1;
  vm.flavor.memory_mb = 512;
  vm.host = "host1";
  vm.node = "node1";
  auto created = db::InstanceRepository(*db_).create({vm}, {false});
  ASSERT_TRUE(created.ok()) << created.status();
  json servers = body(client_->Get("/v2.1/os-hypervisors/node/servers", as("admin")))["hypervisors"];
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[0]["servers"],
            (json::array({{{"name", created->at(0).name}, {"uuid", created->at(0).uuid}}})));
  EXPECT_FALSE(servers[1].contains("servers"));
}

TEST_F(HypervisorsApi, UptimeAsksTheNodesHost) {
  auto r = client_->Get("/v2.1/os-hypervisors/" + std::to_string(node1_) + "/uptime", as("admin"));
  ASSERT_EQ(r->status, 200) << r->body;
  json h = body(r)["hypervisor"];
  EXPECT_EQ(h["id"], node1_);
  EXPECT_EQ(h["hypervisor_hostname"], "node1");
  EXPECT_NE(h["uptime"].get<std::string>().find("(host1)"), std::string::npos);
  EXPECT_EQ(client_->Get("/v2.1/os-hypervisors/" + std::to_string(node1_) + "/uptime", as("member"))->status, 403);
  // host2's service is down: Nova's 400, nothing asked.
  EXPECT_EQ(client_->Get("/v2.1/os-hypervisors/" + std::to_string(node2_) + "/uptime", as("admin"))->status, 400);
  EXPECT_EQ(client_->Get("/v2.1/os-hypervisors/999/uptime", as("admin"))->status, 404);
  // Gone at 2.88, where the show view carries it instead.
  EXPECT_EQ(client_->Get("/v2.1/os-hypervisors/" + std::to_string(node1_) + "/uptime", as("admin", "2.88"))->status, 404);
}

TEST_F(HypervisorsApi, MicroversionedShapes) {
  json at228 = body(client_->Get("/v2.1/os-hypervisors/detail", as("admin", "2.28")))["hypervisors"][0];
  EXPECT_TRUE(at228["cpu_info"].is_object());
  EXPECT_EQ(at228["cpu_info"]["arch"], "x86_64");
  json at253 = body(client_->Get("/v2.1/os-hypervisors/detail", as("admin", "2.53")))["hypervisors"];
  ASSERT_FALSE(at253.empty());
  const std::string uuid = at253[0]["id"].get<std::string>();
  EXPECT_EQ(uuid.size(), 36u);
  EXPECT_EQ(at253[0]["service"]["id"].get<std::string>().size(), 36u);
  EXPECT_EQ(client_->Get("/v2.1/os-hypervisors/" + uuid, as("admin", "2.53"))->status, 200);
  EXPECT_EQ(client_->Get("/v2.1/os-hypervisors/" + std::to_string(node1_), as("admin", "2.53"))->status, 400);
  EXPECT_EQ(client_->Get("/v2.1/os-hypervisors/node/search", as("admin", "2.53"))->status, 404);
  json matched = body(client_->Get("/v2.1/os-hypervisors?hypervisor_hostname_pattern=node2", as("admin", "2.53")));
  ASSERT_EQ(matched["hypervisors"].size(), 1u);
  EXPECT_EQ(matched["hypervisors"][0]["hypervisor_hostname"], "node2");
  // 2.33 paging: one per page, a next link, the marker continues.
  json page = body(client_->Get("/v2.1/os-hypervisors?limit=1", as("admin", "2.33")));
  ASSERT_EQ(page["hypervisors"].size(), 1u);
  ASSERT_TRUE(page.contains("hypervisors_links"));
  json next = body(client_->Get("/v2.1/os-hypervisors?limit=1&marker=" + std::to_string(page["hypervisors"][0]["id"].get<std::int64_t>()),
                                as("admin", "2.33")));
  ASSERT_EQ(next["hypervisors"].size(), 1u);
  EXPECT_NE(next["hypervisors"][0]["id"], page["hypervisors"][0]["id"]);
  EXPECT_EQ(client_->Get("/v2.1/os-hypervisors?marker=12345", as("admin", "2.33"))->status, 400);
  // 2.88: no inventory, no statistics; uptime in show.
  json at288 = body(client_->Get("/v2.1/os-hypervisors/" + uuid, as("admin", "2.88")))["hypervisor"];
  EXPECT_FALSE(at288.contains("vcpus"));
  EXPECT_FALSE(at288.contains("cpu_info"));
  EXPECT_TRUE(at288.contains("uptime"));
  EXPECT_EQ(client_->Get("/v2.1/os-hypervisors/statistics", as("admin", "2.88"))->status, 404);
}

}  // namespace
}  // namespace stratus::core::api
