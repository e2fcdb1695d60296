// The compute API's admin and legacy resources over HTTP against a real
// database: os-hosts, os-simple-tenant-usage, os-instance_usage_audit_log,
// extensions, os-server-external-events and the nova-network era routes,
// with Nova's policy, errors and microversion limits.
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>

#include "api_test_support.h"

#include "core/common/time_util.h"
#include "core/compute/api/admin_routes.h"
#include "core/compute/api/aggregates_controller.h"
#include "core/db/compute_node_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/network_repository.h"
#include "core/db/service_repository.h"

namespace stratus::core::api {
namespace {

using nlohmann::json;

class AdminApis : public test_support::ApiTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open_database());
    db::ServiceRepository services(*db_);
    ASSERT_TRUE(services.register_service("host1", "stratus-compute", "compute").ok());
    ASSERT_TRUE(services.register_service("ctl", "stratus-scheduler", "scheduler").ok());
    sdk::HostResources r;
    r.hypervisor_hostname = "node1";
    r.hypervisor_type = "fake";
    r.vcpus = 8;
    r.vcpus_used = 3;
    r.memory_mb = 8192;
    r.memory_mb_used = 1024;
    r.local_gb = 100;
    r.local_gb_used = 10;
    ASSERT_TRUE(db::ComputeNodeRepository(*db_).upsert("host1", r).ok());
    ASSERT_NO_FATAL_FAILURE(start_server([](ApiServer& s, db::Database& db) {
      add_aggregate_routes(s, db);
      add_admin_routes(s, db);
    }));
  }

  // An instance of `project` on host1, launched at `launched` (stored form).
  std::string add_instance(const std::string& project, const std::string& launched, int vcpus = 1) {
    db::InstanceRecord vm;
    vm.display_name = "vm-" + project;
    vm.project_id = project;
    vm.user_id = "u";
    vm.flavor.name = "m1.tiny";
    vm.flavor.vcpus = vcpus;
    vm.flavor.memory_mb = 512;
    vm.flavor.root_gb = 1;
    vm.vm_state = "active";
    vm.host = "host1";
    vm.node = "node1";
    auto created = db::InstanceRepository(*db_).create({vm}, {false});
    EXPECT_TRUE(created.ok()) << created.status();
    if (!created.ok()) return {};
    db::InstanceUpdate u;
    u.launched_at = std::optional<std::string>(launched);
    EXPECT_TRUE(db::InstanceRepository(*db_).update(created->at(0).uuid, u).ok());
    return created->at(0).uuid;
  }
};

TEST_F(AdminApis, HostsListZonesAndRemovedAt243) {
  auto r = client_->Get("/v2.1/os-hosts", as("admin"));
  ASSERT_EQ(r->status, 200) << r->body;
  json hosts = body(r)["hosts"];
  ASSERT_EQ(hosts.size(), 2u);
  for (const auto& h : hosts) {
    EXPECT_EQ(keys(h), (std::set<std::string>{"host_name", "service", "zone"}));
    EXPECT_EQ(h["zone"], h["host_name"] == "host1" ? "nova" : "internal");
  }
  EXPECT_EQ(body(client_->Get("/v2.1/os-hosts?zone=nova", as("admin")))["hosts"].size(), 1u);
  EXPECT_EQ(body(client_->Get("/v2.1/os-hosts?zone=", as("admin")))["hosts"].size(), 2u);
  EXPECT_EQ(body(client_->Get("/v2.1/os-hosts?zone=nowhere", as("admin")))["hosts"].size(), 0u);
  EXPECT_EQ(client_->Get("/v2.1/os-hosts", as("member"))->status, 403);
  EXPECT_EQ(client_->Get("/v2.1/os-hosts", as("admin", "2.42"))->status, 200);
  EXPECT_EQ(client_->Get("/v2.1/os-hosts", as("admin", "2.43"))->status, 404);
}

TEST_F(AdminApis, HostDetailTotalsAndPerProject) {
  add_instance("p1", "2026-01-01T00:00:00.000000", 2);
  add_instance("p2", "2026-01-01T00:00:00.000000", 1);
  auto r = client_->Get("/v2.1/os-hosts/host1", as("admin"));
  ASSERT_EQ(r->status, 200) << r->body;
  json host = body(r)["host"];
  ASSERT_EQ(host.size(), 5u);
  EXPECT_EQ(host[0]["resource"], (json{{"host", "host1"}, {"project", "(total)"}, {"cpu", 8}, {"memory_mb", 8192}, {"disk_gb", 100}}));
  EXPECT_EQ(host[1]["resource"]["project"], "(used_now)");
  const auto node = db::ComputeNodeRepository(*db_).list(std::string("host1"))->front();
  EXPECT_EQ(host[1]["resource"]["cpu"], node.vcpus_used);
  EXPECT_EQ(host[1]["resource"]["memory_mb"], node.memory_mb_used);
  EXPECT_EQ(host[2]["resource"], (json{{"host", "host1"}, {"project", "(used_max)"}, {"cpu", 3}, {"memory_mb", 1024}, {"disk_gb", 2}}));
  std::set<std::string> projects = {host[3]["resource"]["project"], host[4]["resource"]["project"]};
  EXPECT_EQ(projects, (std::set<std::string>{"p1", "p2"}));
  auto missing = client_->Get("/v2.1/os-hosts/nohost", as("admin"));
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(body(missing)["itemNotFound"]["message"], "Compute host nohost could not be found.");
}

TEST_F(AdminApis, HostActionsAreNotSupportedOnceTheHostIsFound) {
  const json enable = {{"status", "enable"}};
  EXPECT_EQ(client_->Put("/v2.1/os-hosts/host1", as("admin"), enable.dump(), "application/json")->status, 501);
  EXPECT_EQ(client_->Put("/v2.1/os-hosts/nohost", as("admin"), enable.dump(), "application/json")->status, 404);
  EXPECT_EQ(client_->Put("/v2.1/os-hosts/host1", as("admin"), json{{"status", "bogus"}}.dump(), "application/json")->status,
            400);
  EXPECT_EQ(client_->Put("/v2.1/os-hosts/host1", as("admin"), json::object().dump(), "application/json")->status, 400);
  EXPECT_EQ(client_->Put("/v2.1/os-hosts/host1", as("member"), enable.dump(), "application/json")->status, 403);
  for (const char* a : {"startup", "shutdown", "reboot"}) {
    EXPECT_EQ(client_->Get(std::string("/v2.1/os-hosts/host1/") + a, as("admin"))->status, 501) << a;
    EXPECT_EQ(client_->Get(std::string("/v2.1/os-hosts/nohost/") + a, as("admin"))->status, 404) << a;
    EXPECT_EQ(client_->Get(std::string("/v2.1/os-hosts/host1/") + a, as("member"))->status, 403) << a;
  }
}

TEST_F(AdminApis, TenantUsageHoursPolicyAndDates) {
  const std::string uuid = add_instance("p-member", "2026-01-01T00:00:00.000000", 2);
  add_instance("p-other", "2026-01-01T00:00:00.000000");
  const std::string q = "?start=2026-01-01T00:00:00&end=2026-01-01T10:00:00.000000";
  auto r = client_->Get("/v2.1/os-simple-tenant-usage/p-member" + q, as("member"));
  ASSERT_EQ(r->status, 200) << r->body;
  json u = body(r)["tenant_usage"];
  EXPECT_EQ(u["tenant_id"], "p-member");
  EXPECT_DOUBLE_EQ(u["total_hours"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(u["total_vcpus_usage"].get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(u["total_memory_mb_usage"].get<double>(), 5120.0);
  EXPECT_EQ(u["start"], "2026-01-01T00:00:00");
  EXPECT_EQ(u["stop"], "2026-01-01T10:00:00");
  ASSERT_EQ(u["server_usages"].size(), 1u);
  EXPECT_EQ(u["server_usages"][0]["instance_id"], uuid);
  EXPECT_EQ(u["server_usages"][0]["state"], "active");
  EXPECT_EQ(u["server_usages"][0]["ended_at"], nullptr);

  EXPECT_EQ(client_->Get("/v2.1/os-simple-tenant-usage/p-other" + q, as("member"))->status, 403);
  EXPECT_EQ(client_->Get("/v2.1/os-simple-tenant-usage" + q, as("member"))->status, 403);
  json all = body(client_->Get("/v2.1/os-simple-tenant-usage" + q, as("admin")))["tenant_usages"];
  ASSERT_EQ(all.size(), 2u);
  EXPECT_FALSE(all[0].contains("server_usages"));
  json detailed = body(client_->Get("/v2.1/os-simple-tenant-usage" + q + "&detailed=1", as("admin")))["tenant_usages"];
  EXPECT_TRUE(detailed[0].contains("server_usages"));

  auto reversed = client_->Get("/v2.1/os-simple-tenant-usage/p-member?start=2026-01-02T00:00:00&end=2026-01-01T00:00:00",
                               as("admin"));
  EXPECT_EQ(reversed->status, 400);
  EXPECT_EQ(body(reversed)["badRequest"]["message"], "Invalid start time. The start time cannot occur after the end time.");
  EXPECT_EQ(client_->Get("/v2.1/os-simple-tenant-usage?start=yesterday", as("admin"))->status, 400);
  // A period before the launch counts nothing: an empty usage.
  json before = body(client_->Get("/v2.1/os-simple-tenant-usage/p-member?start=2025-01-01T00:00:00&end=2025-02-01T00:00:00",
                                  as("admin")))["tenant_usage"];
  EXPECT_EQ(before, json::object());
}

TEST_F(AdminApis, TenantUsagePagesFrom240) {
  add_instance("p1", "2026-01-01T00:00:00.000000");
  add_instance("p1", "2026-01-01T00:00:00.000000");
  const std::string q = "?start=2026-01-01T00:00:00&end=2026-01-02T00:00:00&detailed=1&limit=1";
  json page = body(client_->Get("/v2.1/os-simple-tenant-usage" + q, as("admin", "2.40")));
  ASSERT_EQ(page["tenant_usages"][0]["server_usages"].size(), 1u);
  ASSERT_TRUE(page.contains("tenant_usages_links"));
  const std::string marker = page["tenant_usages"][0]["server_usages"][0]["instance_id"];
  json next = body(client_->Get("/v2.1/os-simple-tenant-usage" + q + "&marker=" + marker, as("admin", "2.40")));
  ASSERT_EQ(next["tenant_usages"][0]["server_usages"].size(), 1u);
  EXPECT_NE(next["tenant_usages"][0]["server_usages"][0]["instance_id"], marker);
  // Before 2.40 limit is not a paging parameter.
  json old = body(client_->Get("/v2.1/os-simple-tenant-usage" + q, as("admin")));
  EXPECT_EQ(old["tenant_usages"][0]["server_usages"].size(), 2u);
  EXPECT_EQ(client_->Get("/v2.1/os-simple-tenant-usage" + q + "&marker=nope", as("admin", "2.40"))->status, 400);
}

TEST_F(AdminApis, AuditLogWithoutAnyTaskRun) {
  auto r = client_->Get("/v2.1/os-instance_usage_audit_log/2026-03-15%2010:00:00", as("admin"));
  ASSERT_EQ(r->status, 200) << r->body;
  json log = body(r)["instance_usage_audit_log"];
  EXPECT_EQ(log["period_beginning"], "2026-02-01 00:00:00");
  EXPECT_EQ(log["period_ending"], "2026-03-01 00:00:00");
  EXPECT_EQ(log["num_hosts"], 1);
  EXPECT_EQ(log["hosts_not_run"], json::array({"host1"}));
  EXPECT_EQ(log["overall_status"], "0 of 1 hosts done. 0 errors.");
  EXPECT_EQ(log["log"], json::object());
  json jan = body(client_->Get("/v2.1/os-instance_usage_audit_log/2026-01-01%2000:00:00", as("admin")));
  EXPECT_EQ(jan["instance_usage_audit_log"]["period_beginning"], "2025-11-01 00:00:00");
  EXPECT_EQ(client_->Get("/v2.1/os-instance_usage_audit_log", as("admin"))->status, 200);
  EXPECT_EQ(client_->Get("/v2.1/os-instance_usage_audit_log", as("member"))->status, 403);
  auto bad = client_->Get("/v2.1/os-instance_usage_audit_log/2026-13-01%2000:00:00", as("admin"));
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(body(bad)["badRequest"]["message"], "Invalid timestamp for date 2026-13-01 00:00:00");
}

TEST_F(AdminApis, ExtensionsListAndShow) {
  json list = body(client_->Get("/v2.1/extensions", as("reader")))["extensions"];
  EXPECT_GT(list.size(), 50u);
  bool hosts = false;
  for (const auto& e : list) hosts = hosts || e["name"] == "Hosts";
  EXPECT_TRUE(hosts);
  auto one = client_->Get("/v2.1/extensions/os-consoles", as("member"));
  ASSERT_EQ(one->status, 200);
  EXPECT_EQ(keys(body(one)["extension"]),
            (std::set<std::string>{"alias", "description", "links", "name", "namespace", "updated"}));
  EXPECT_EQ(client_->Get("/v2.1/extensions/os-nothing", as("member"))->status, 404);
}

TEST_F(AdminApis, ExternalEventsPerEventCodes) {
  const std::string on_host = add_instance("p1", "2026-01-01T00:00:00.000000");
  db::InstanceRecord unplaced;
  unplaced.project_id = "p1";
  unplaced.user_id = "u";
  auto nohost = db::InstanceRepository(*db_).create({unplaced}, {false});
  ASSERT_TRUE(nohost.ok());
  const std::string missing = "00000000-0000-4000-8000-000000000000";
  auto post = [&](const json& events, const std::string& token = "admin", const std::string& version = "") {
    return client_->Post("/v2.1/os-server-external-events", as(token, version), json{{"events", events}}.dump(),
                         "application/json");
  };
  auto ok = post({{{"name", "network-changed"}, {"server_uuid", on_host}}});
  ASSERT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(body(ok)["events"][0]["code"], 200);
  EXPECT_EQ(body(ok)["events"][0]["status"], "completed");

  auto mixed = post({{{"name", "network-vif-plugged"}, {"server_uuid", on_host}, {"tag", "port"}},
                     {{"name", "network-changed"}, {"server_uuid", missing}},
                     {{"name", "network-changed"}, {"server_uuid", nohost->at(0).uuid}}});
  ASSERT_EQ(mixed->status, 207);
  json ev = body(mixed)["events"];
  EXPECT_EQ(ev[0]["code"], 200);
  EXPECT_EQ(ev[0]["tag"], "port");
  EXPECT_EQ(ev[1]["code"], 404);
  EXPECT_EQ(ev[1]["status"], "failed");
  EXPECT_EQ(ev[2]["code"], 422);

  // Names by microversion; tags where Nova needs them.
  const json power = {{{"name", "power-update"}, {"server_uuid", on_host}}};
  EXPECT_EQ(post(power, "admin", "2.75")->status, 400);
  auto untagged = post(power, "admin", "2.76");
  ASSERT_EQ(untagged->status, 207);
  EXPECT_EQ(body(untagged)["events"][0]["code"], 400);
  EXPECT_EQ(post({{{"name", "volume-reimaged"}, {"server_uuid", on_host}}}, "admin", "2.92")->status, 400);
  EXPECT_EQ(post({{{"name", "volume-reimaged"}, {"server_uuid", on_host}}}, "admin", "2.93")->status, 200);
  EXPECT_EQ(post(json::array())->status, 400);
  EXPECT_EQ(post({{{"name", "network-changed"}, {"server_uuid", on_host}}}, "member")->status, 403);
}

TEST_F(AdminApis, NetworkProxiesAndGoneApis) {
  db::NetworkRecord net;
  net.name = "private";
  net.project_id = "p-member";
  auto created = db::NetworkRepository(*db_).create(net);
  ASSERT_TRUE(created.ok()) << created.status();
  // The member's network among those it may use (the seeded shared ones too).
  const json tenant = body(client_->Get("/v2.1/os-tenant-networks", as("member")))["networks"];
  const auto all = db::NetworkRepository(*db_).list(std::string("p-member"));
  ASSERT_EQ(tenant.size(), all->size());
  bool found = false;
  for (const auto& n : tenant) {
    if (n["id"] == created->uuid) found = n == json{{"id", created->uuid}, {"cidr", "None"}, {"label", "private"}};
  }
  EXPECT_TRUE(found) << tenant.dump();
  auto shown = client_->Get("/v2.1/os-tenant-networks/" + created->uuid, as("member"));
  EXPECT_EQ(shown->status, 200);
  auto missing = client_->Get("/v2.1/os-networks/nope", as("member"));
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(body(missing)["itemNotFound"]["message"], "Network not found");
  json admin_view = body(client_->Get("/v2.1/os-networks/" + created->uuid, as("admin")))["network"];
  EXPECT_EQ(admin_view["label"], "private");
  EXPECT_TRUE(admin_view.contains("vlan"));
  json member_view = body(client_->Get("/v2.1/os-networks/" + created->uuid, as("member")))["network"];
  EXPECT_FALSE(member_view.contains("vlan"));
  EXPECT_EQ(client_->Get("/v2.1/os-tenant-networks", as("member", "2.36"))->status, 404);
  EXPECT_EQ(client_->Post("/v2.1/os-networks", as("admin"), "{}", "application/json")->status, 410);

  EXPECT_EQ(client_->Get("/v2.1/os-floating-ips-bulk", as("admin"))->status, 410);
  EXPECT_EQ(client_->Get("/v2.1/os-floating-ips-bulk", as("admin", "2.36"))->status, 404);
  EXPECT_EQ(client_->Get("/v2.1/os-fixed-ips/10.0.0.1", as("admin"))->status, 410);
  EXPECT_EQ(client_->Get("/v2.1/os-fixed-ips/10.0.0.1", as("admin", "2.28"))->status, 404);
  EXPECT_EQ(client_->Get("/v2.1/servers/x/os-virtual-interfaces", as("member", "2.43"))->status, 410);
  EXPECT_EQ(client_->Get("/v2.1/servers/x/os-virtual-interfaces", as("member", "2.44"))->status, 404);
}

}  // namespace
}  // namespace stratus::core::api
