// /network/v2.0/security-groups, /security-group-rules, /floatingips and the
// ports' security_groups over real HTTP on loopback against a real
// database: shapes, Neutron's errors, the default group, who sees what.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>

#include "core/db/database.h"
#include "core/db/instance_repository.h"
#include "core/db/port_repository.h"
#include "core/db/seed.h"
#include "core/http/api_server.h"
#include "core/network/api/network_routes.h"
#include "tests/unit/network_api/network_api_fixture.h"

namespace stratus::core::api {
namespace {

using nlohmann::json;

class SecurityGroupsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("stratus-sgapi-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto db = db::Database::open(dir_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db.value());
    ASSERT_TRUE(db::seed_defaults(*db_).ok());
    server_ = std::make_unique<ApiServer>(std::make_shared<ThreeUserAuthenticator>());
    add_network_routes(*server_, *db_);
    auto port = server_->start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  struct Reply {
    int status = 0;
    json body;
  };
  static Reply reply(const httplib::Result& r) {
    if (!r) return {};
    return {r->status, r->body.empty() ? json() : json::parse(r->body, nullptr, false)};
  }
  httplib::Headers as(const std::string& token) { return {{"X-Auth-Token", token}}; }
  Reply get(const std::string& path, const std::string& token = "alice") { return reply(client_->Get(path, as(token))); }
  Reply post(const std::string& path, const json& body, const std::string& token = "alice") {
    return reply(client_->Post(path, as(token), body.dump(), "application/json"));
  }
  Reply put(const std::string& path, const json& body, const std::string& token = "alice") {
    return reply(client_->Put(path, as(token), body.dump(), "application/json"));
  }
  Reply del(const std::string& path, const std::string& token = "alice") {
    return reply(client_->Delete(path, as(token)));
  }
  std::string group(const std::string& name, const std::string& token = "alice") {
    auto r = post("/network/v2.0/security-groups", {{"security_group", {{"name", name}}}}, token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.body["security_group"].value("id", "");
  }
  Reply rule(const json& attrs, const std::string& token = "alice") {
    return post("/network/v2.0/security-group-rules", {{"security_group_rule", attrs}}, token);
  }
  std::string port_of_server(const std::string& project) {
    db::InstanceRecord r;
    r.project_id = project;
    r.user_id = "u";
    auto created = db::InstanceRepository(*db_).create({r});
    EXPECT_TRUE(created.ok());
    auto port = db::PortRepository(*db_).create(db::kDefaultNetworkUuid, created->front().uuid);
    EXPECT_TRUE(port.ok());
    return port->uuid;
  }
  static void expect_error(const Reply& r, int status, const std::string& type) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.body["NeutronError"].value("type", ""), type) << r.body;
  }

  std::filesystem::path dir_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(SecurityGroupsApi, ListingMakesTheDefaultGroupWhichStays) {
  auto list = get("/network/v2.0/security-groups");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.body["security_groups"].size(), 1u);
  const json& def = list.body["security_groups"][0];
  EXPECT_EQ(def["name"], "default");
  EXPECT_EQ(def["project_id"], "p-alice");
  EXPECT_EQ(def["security_group_rules"].size(), 4u);
  for (const char* key : {"id", "description", "tenant_id", "stateful", "revision_number", "created_at"}) {
    EXPECT_TRUE(def.contains(key)) << key;
  }
  // Listed again: the same one, not a second.
  EXPECT_EQ(get("/network/v2.0/security-groups").body["security_groups"].size(), 1u);
  expect_error(del("/network/v2.0/security-groups/" + def["id"].get<std::string>()), 409,
               "SecurityGroupCannotRemoveDefault");
  expect_error(post("/network/v2.0/security-groups", {{"security_group", {{"name", "default"}}}}), 409,
               "SecurityGroupDefaultAlreadyExists");
  // Bob neither sees nor touches it.
  expect_error(get("/network/v2.0/security-groups/" + def["id"].get<std::string>(), "bob"), 404,
               "SecurityGroupNotFound");
}

TEST_F(SecurityGroupsApi, NeutronsDefaultQuotaOfTenGroupsHolds) {
  for (int i = 0; i < 9; ++i) group("g" + std::to_string(i));  // with "default": 10
  expect_error(post("/network/v2.0/security-groups", {{"security_group", {{"name", "eleventh"}}}}), 409, "OverQuota");
  // Another project's quota is its own.
  EXPECT_EQ(post("/network/v2.0/security-groups", {{"security_group", {{"name", "b"}}}}, "bob").status, 201);
}

TEST_F(SecurityGroupsApi, QuotasShowTheLimitsEnforcedAndTheirUse) {
  group("web");
  auto q = get("/network/v2.0/quotas/p-alice");
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(q.body["quota"]["security_group"], 10);
  EXPECT_EQ(q.body["quota"]["security_group_rule"], 100);
  EXPECT_EQ(q.body["quota"]["floatingip"], 50);
  EXPECT_EQ(q.body["quota"]["network"], 100);
  EXPECT_EQ(q.body["quota"]["port"], 500);
  auto d = get("/network/v2.0/quotas/p-alice/details");
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.body["quota"]["security_group"]["used"], 2);  // default and web
  EXPECT_EQ(d.body["quota"]["security_group_rule"]["used"], 6);
  EXPECT_EQ(d.body["quota"]["floatingip"]["used"], 0);
  expect_error(get("/network/v2.0/quotas/p-alice", "bob"), 403, "PolicyNotAuthorized");
  EXPECT_EQ(get("/network/v2.0/quotas/p-alice", "admin").status, 200);
  // Only admins set them (update_quota).
  expect_error(put("/network/v2.0/quotas/p-alice", {{"quota", {{"floatingip", 3}}}}, "alice"), 403, "PolicyNotAuthorized");
  auto set = put("/network/v2.0/quotas/p-alice", {{"quota", {{"floatingip", 3}}}}, "admin");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.body["quota"]["floatingip"], 3);
  EXPECT_EQ(get("/network/v2.0/quotas/p-alice").body["quota"]["floatingip"], 3);
}

TEST_F(SecurityGroupsApi, RulesAreCheckedAsNeutronChecksThem) {
  const std::string g = group("web");
  auto ok = rule({{"security_group_id", g}, {"direction", "ingress"}, {"protocol", "tcp"},
                  {"port_range_min", 22}, {"port_range_max", "22"}, {"remote_ip_prefix", "10.1.0.0/16"}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.body["security_group_rule"]["ethertype"], "IPv4");
  EXPECT_EQ(ok.body["security_group_rule"]["port_range_max"], 22);
  const std::string id = ok.body["security_group_rule"]["id"];
  auto dup = rule({{"security_group_id", g}, {"direction", "ingress"}, {"protocol", "tcp"},
                   {"port_range_min", 22}, {"port_range_max", 22}, {"remote_ip_prefix", "10.1.0.0/16"}});
  expect_error(dup, 409, "SecurityGroupRuleExists");
  EXPECT_NE(dup.body["NeutronError"]["message"].get<std::string>().find(id), std::string::npos);
  expect_error(rule({{"security_group_id", g}, {"direction", "ingress"}, {"protocol", "tcp"},
                     {"port_range_min", 30}, {"port_range_max", 20}}),
               400, "SecurityGroupInvalidPortRange");
  expect_error(rule({{"security_group_id", g}, {"direction", "ingress"}, {"protocol", "bogus"}}), 400,
               "SecurityGroupRuleInvalidProtocol");
  expect_error(rule({{"security_group_id", g}, {"direction", "ingress"}, {"port_range_min", 1}}), 400,
               "SecurityGroupProtocolRequiredWithPorts");
  expect_error(rule({{"security_group_id", "00000000-0000-4000-8000-000000000000"}, {"direction", "ingress"}}), 404,
               "SecurityGroupNotFound");
  EXPECT_EQ(rule({{"security_group_id", g}}).status, 400);  // no direction
  // Bob cannot add to Alice's group.
  expect_error(rule({{"security_group_id", g}, {"direction", "ingress"}}, "bob"), 404, "SecurityGroupNotFound");
  // Show, list and delete.
  EXPECT_EQ(get("/network/v2.0/security-group-rules/" + id).status, 200);
  EXPECT_EQ(get("/network/v2.0/security-group-rules?security_group_id=" + g).body["security_group_rules"].size(), 3u);
  EXPECT_EQ(get("/network/v2.0/security-group-rules/" + id, "bob").status, 404);
  EXPECT_EQ(del("/network/v2.0/security-group-rules/" + id).status, 204);
  expect_error(del("/network/v2.0/security-group-rules/" + id), 404, "SecurityGroupRuleNotFound");
}

TEST_F(SecurityGroupsApi, PortsCarryTheirGroupsAndAGroupInUseStays) {
  const std::string g = group("db");
  const std::string port = port_of_server("p-alice");
  auto set = put("/network/v2.0/ports/" + port, {{"port", {{"security_groups", {g}}}}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.body["port"]["security_groups"], json::array({g}));
  EXPECT_EQ(get("/network/v2.0/ports/" + port).body["port"]["security_groups"], json::array({g}));
  expect_error(del("/network/v2.0/security-groups/" + g), 409, "SecurityGroupInUse");
  // Bob's group is not Alice's to use.
  const std::string bobs = group("b", "bob");
  expect_error(put("/network/v2.0/ports/" + port, {{"port", {{"security_groups", {bobs}}}}}), 404,
               "SecurityGroupNotFound");
  ASSERT_EQ(put("/network/v2.0/ports/" + port, {{"port", {{"security_groups", json::array()}}}}).status, 200);
  EXPECT_EQ(del("/network/v2.0/security-groups/" + g).status, 204);
}

TEST_F(SecurityGroupsApi, FloatingIpsAllocateAssociateAndRelease) {
  auto nets = get("/network/v2.0/networks?name=public");
  ASSERT_EQ(nets.body["networks"].size(), 1u) << nets.body;
  EXPECT_EQ(nets.body["networks"][0]["router:external"], true);
  const std::string pub = nets.body["networks"][0]["id"];
  auto made = post("/network/v2.0/floatingips", {{"floatingip", {{"floating_network_id", pub}}}});
  ASSERT_EQ(made.status, 201) << made.body;
  const json& f = made.body["floatingip"];
  EXPECT_EQ(f["status"], "DOWN");
  EXPECT_TRUE(f["port_id"].is_null());
  EXPECT_EQ(f["floating_ip_address"].get<std::string>().rfind("172.24.4.", 0), 0u);
  const std::string id = f["id"];
  // Not from a network that is not external.
  EXPECT_EQ(post("/network/v2.0/floatingips", {{"floatingip", {{"floating_network_id", db::kDefaultNetworkUuid}}}})
                .status,
            400);
  const std::string port = port_of_server("p-alice");
  auto assoc = put("/network/v2.0/floatingips/" + id, {{"floatingip", {{"port_id", port}}}});
  ASSERT_EQ(assoc.status, 200) << assoc.body;
  EXPECT_EQ(assoc.body["floatingip"]["status"], "ACTIVE");
  EXPECT_EQ(assoc.body["floatingip"]["fixed_ip_address"], "10.0.0.2");
  // Bob sees nothing of it and cannot use Alice's port.
  EXPECT_EQ(get("/network/v2.0/floatingips/" + id, "bob").status, 404);
  EXPECT_EQ(get("/network/v2.0/floatingips", "bob").body["floatingips"].size(), 0u);
  auto bobs = post("/network/v2.0/floatingips", {{"floatingip", {{"floating_network_id", pub}, {"port_id", port}}}},
                   "bob");
  EXPECT_EQ(bobs.status, 404) << bobs.body;
  auto wrong_ip = put("/network/v2.0/floatingips/" + id,
                      {{"floatingip", {{"port_id", port}, {"fixed_ip_address", "10.0.0.99"}}}});
  EXPECT_EQ(wrong_ip.status, 400) << wrong_ip.body;
  auto freed = put("/network/v2.0/floatingips/" + id, {{"floatingip", {{"port_id", nullptr}}}});
  ASSERT_EQ(freed.status, 200);
  EXPECT_EQ(freed.body["floatingip"]["status"], "DOWN");
  EXPECT_EQ(del("/network/v2.0/floatingips/" + id).status, 204);
  expect_error(get("/network/v2.0/floatingips/" + id), 404, "FloatingIPNotFound");
}

}  // namespace
}  // namespace stratus::core::api
