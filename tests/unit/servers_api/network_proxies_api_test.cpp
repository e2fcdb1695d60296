// Nova's network proxies: os-security-groups, os-security-group-rules,
// /servers/{id}/os-security-groups, os-floating-ips, os-floating-ip-pools,
// the add/remove security group and floating IP actions, security_groups on
// create and what the server view shows of them.
// GCC 12 reports a false maybe-uninitialized inside std::map when it inlines
// the support header's RPC decoding into this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <algorithm>

#include "core/db/floating_ip_repository.h"
#include "core/db/port_repository.h"
#include "core/db/security_group_repository.h"
#include "servers_test_support.h"

namespace stratus::core::api::test_support {
namespace {

using nlohmann::json;

class NetworkProxies : public ServersApiTest {
 protected:
  json make_group(const std::string& name, const std::string& who = "member") {
    auto r = post("/v2.1/os-security-groups", {{"security_group", {{"name", name}, {"description", "d"}}}}, who);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no reply");
    return r && r->status == 200 ? body(r)["security_group"] : json();
  }
  httplib::Result add_rule(const json& rule) {
    return post("/v2.1/os-security-group-rules", {{"security_group_rule", rule}});
  }
  static std::string message(const httplib::Result& r) {
    const json b = body(r);
    return b.begin().value().value("message", "");
  }
  httplib::Result at(const std::string& method, const std::string& path, const std::string& version,
                     const json& b = nullptr) {
    auto h = as("member", version);
    if (method == "GET") return client_->Get(path.c_str(), h);
    return client_->Post(path.c_str(), h, b.dump(), "application/json");
  }
};

TEST_F(NetworkProxies, GroupsCreateShowUpdateDeleteAsNova) {
  json g = make_group("web");
  EXPECT_EQ(g["name"], "web");
  EXPECT_EQ(g["tenant_id"], "p-member");
  EXPECT_EQ(g["rules"], json::array());  // Nova shows ingress rules only
  const std::string id = g["id"];
  auto list = get("/v2.1/os-security-groups");
  ASSERT_EQ(list->status, 200);
  const json listed = body(list);
  std::set<std::string> names;
  for (const auto& x : listed["security_groups"]) names.insert(x["name"]);
  EXPECT_EQ(names, (std::set<std::string>{"default", "web"}));
  auto upd = put("/v2.1/os-security-groups/" + id, {{"security_group", {{"name", "web2"}, {"description", "e"}}}});
  ASSERT_EQ(upd->status, 200) << upd->body;
  EXPECT_EQ(body(upd)["security_group"]["name"], "web2");
  // Nova's validation: empty name, missing description, non-uuid id.
  EXPECT_EQ(post("/v2.1/os-security-groups", {{"security_group", {{"name", ""}, {"description", "d"}}}})->status, 400);
  EXPECT_EQ(post("/v2.1/os-security-groups", {{"security_group", {{"name", "x"}}}})->status, 400);
  EXPECT_EQ(get("/v2.1/os-security-groups/not-a-uuid")->status, 400);
  EXPECT_EQ(get("/v2.1/os-security-groups/00000000-0000-4000-8000-000000000000")->status, 404);
  // The default group cannot be deleted: Neutron's 409 is Nova's 400.
  std::string def;
  for (const auto& x : listed["security_groups"]) {
    if (x["name"] == "default") def = x["id"];
  }
  EXPECT_EQ(del("/v2.1/os-security-groups/" + def)->status, 400);
  EXPECT_EQ(del("/v2.1/os-security-groups/" + id)->status, 202);
  EXPECT_EQ(get("/v2.1/os-security-groups/" + id)->status, 404);
  // Gone from 2.36, as Nova.
  const int want_at_236 = kMaxMicroversion >= Microversion{2, 36} ? 404 : 406;  // 406 while 2.36 is not served
  EXPECT_EQ(at("GET", "/v2.1/os-security-groups", "2.36")->status, want_at_236);
}

TEST_F(NetworkProxies, RulesTakeNovasBodiesAndErrors) {
  const std::string parent = make_group("web")["id"];
  const std::string peer = make_group("peer")["id"];
  auto r = add_rule({{"parent_group_id", parent}, {"ip_protocol", "tcp"}, {"from_port", 22}, {"to_port", 22},
                     {"cidr", "10.0.0.0/8"}});
  ASSERT_EQ(r->status, 200) << r->body;
  json rule = body(r)["security_group_rule"];
  EXPECT_EQ(rule["ip_protocol"], "tcp");
  EXPECT_EQ(rule["from_port"], 22);
  EXPECT_EQ(rule["ip_range"]["cidr"], "10.0.0.0/8");
  EXPECT_EQ(rule["group"], json::object());
  EXPECT_EQ(rule["parent_group_id"], parent);
  // A duplicate, bad protocol, bad range, bad id: 400; unknown parent: 404.
  EXPECT_EQ(add_rule({{"parent_group_id", parent}, {"ip_protocol", "tcp"}, {"from_port", 22}, {"to_port", 22},
                      {"cidr", "10.0.0.0/8"}})->status, 400);
  EXPECT_EQ(add_rule({{"parent_group_id", parent}, {"ip_protocol", "gre"}, {"from_port", 1}, {"to_port", 2}})->status, 400);
  EXPECT_EQ(add_rule({{"parent_group_id", parent}, {"ip_protocol", "tcp"}, {"from_port", 30}, {"to_port", 2}})->status, 400);
  EXPECT_EQ(add_rule({{"parent_group_id", parent}, {"ip_protocol", "tcp"}, {"from_port", 0}, {"to_port", 2}})->status, 400);
  EXPECT_EQ(add_rule({{"parent_group_id", parent}, {"ip_protocol", "tcp"}, {"from_port", "a"}, {"to_port", 2}})->status, 400);
  EXPECT_EQ(add_rule({{"parent_group_id", "xyz"}, {"ip_protocol", "tcp"}, {"from_port", 1}, {"to_port", 2}})->status, 400);
  EXPECT_EQ(add_rule({{"parent_group_id", "00000000-0000-4000-8000-000000000000"}, {"ip_protocol", "tcp"},
                      {"from_port", 1}, {"to_port", 2}})->status, 404);
  // From a peer group: all ports when none are given.
  auto g = add_rule({{"parent_group_id", parent}, {"ip_protocol", "tcp"}, {"group_id", peer}});
  ASSERT_EQ(g->status, 200) << g->body;
  EXPECT_EQ(body(g)["security_group_rule"]["group"]["name"], "peer");
  EXPECT_EQ(body(g)["security_group_rule"]["from_port"], 1);
  EXPECT_EQ(body(g)["security_group_rule"]["to_port"], 65535);
  auto shown = get("/v2.1/os-security-groups/" + parent);
  EXPECT_EQ(body(shown)["security_group"]["rules"].size(), 2u);
  // Deleting the peer takes its rule along.
  EXPECT_EQ(del("/v2.1/os-security-groups/" + peer)->status, 202);
  EXPECT_EQ(body(get("/v2.1/os-security-groups/" + parent))["security_group"]["rules"].size(), 1u);
  EXPECT_EQ(del("/v2.1/os-security-group-rules/" + rule["id"].get<std::string>())->status, 202);
  EXPECT_EQ(del("/v2.1/os-security-group-rules/" + rule["id"].get<std::string>())->status, 404);
}

TEST_F(NetworkProxies, ServersGetTheirGroupsAndActionsChangeThem) {
  make_group("web");
  // An unknown group on create is Nova's 400 and makes nothing.
  json bad = server_body("bad");
  bad["server"]["security_groups"] = json::array({{{"name", "nope"}}});
  auto refused = post("/v2.1/servers", bad);
  EXPECT_EQ(refused->status, 400) << refused->body;
  EXPECT_EQ(written().first, 0u);

  json with = server_body("vm");
  with["server"]["security_groups"] = json::array({{{"name", "web"}}});
  auto created = post("/v2.1/servers", with);
  ASSERT_EQ(created->status, 202) << created->body;
  EXPECT_EQ(body(created)["server"]["security_groups"], json::array({{{"name", "web"}}}));
  const std::string id = body(created)["server"]["id"];
  auto shown = get("/v2.1/servers/" + id);
  EXPECT_EQ(body(shown)["server"]["security_groups"], json::array({{{"name", "web"}}}));

  ASSERT_EQ(action(id, {{"addSecurityGroup", {{"name", "default"}}}})->status, 202);
  EXPECT_EQ(action(id, {{"addSecurityGroup", {{"name", "default"}}}})->status, 400);  // already in it
  EXPECT_EQ(action(id, {{"addSecurityGroup", {{"name", "nope"}}}})->status, 404);
  EXPECT_EQ(action(id, {{"addSecurityGroup", {{"name", ""}}}})->status, 400);
  auto groups = get("/v2.1/servers/" + id + "/os-security-groups");
  ASSERT_EQ(groups->status, 200);
  EXPECT_EQ(body(groups)["security_groups"].size(), 2u);
  ASSERT_EQ(action(id, {{"removeSecurityGroup", {{"name", "web"}}}})->status, 202);
  ASSERT_EQ(action(id, {{"removeSecurityGroup", {{"name", "default"}}}})->status, 202);
  EXPECT_EQ(action(id, {{"removeSecurityGroup", {{"name", "web"}}}})->status, 400);  // not in it
  // In no group: no security_groups key, as Nova.
  EXPECT_FALSE(body(get("/v2.1/servers/" + id))["server"].contains("security_groups"));

  // Without any asked, the project's default.
  const std::string plain = create_server("plain");
  EXPECT_EQ(body(get("/v2.1/servers/" + plain))["server"]["security_groups"], json::array({{{"name", "default"}}}));
}

// A new server in the default group changes what the other members admit
// (the group's rules name its members): the placed members get their rules
// again, the new address in them, from the API's refresh thread after the
// POST returned; a member of a group whose rules name no group is left alone.
TEST_F(NetworkProxies, ANewMemberRefreshesItsPlacedPeersOnly) {
  const std::string a = create_server("a");  // the project's default group
  set_state(a, "active");
  make_group("web");  // egress rules only
  json in_web = server_body("w");
  in_web["server"]["security_groups"] = json::array({{{"name", "web"}}});
  auto created = post("/v2.1/servers", in_web);
  ASSERT_EQ(created->status, 202) << created->body;
  const std::string w = body(created)["server"]["id"];
  set_state(w, "active");

  const std::string b = create_server("b");
  // Another member of web: nothing names web, so no one's rules change.
  json in_web2 = server_body("w2");
  in_web2["server"]["security_groups"] = json::array({{{"name", "web"}}});
  ASSERT_EQ(post("/v2.1/servers", in_web2)->status, 202);
  ASSERT_TRUE(compute_->security_group_refresh().flush(5s));
  auto refreshes_of = [&](const std::string& uuid) {
    std::vector<Received> out;
    for (const auto& r : services_.all()) {
      if (r.method == "refresh_security_groups" && r.instance_uuids == std::vector<std::string>{uuid}) out.push_back(r);
    }
    return out;
  };
  // a may first be refreshed by a pass that ran before b existed (its own
  // create's, once it was placed); a later one must carry b's address.
  const std::string b_ip = db::PortRepository(*db_).list_by_device(b)->front().ip_address;
  auto a_knows_b = [&] {
    for (const auto& r : refreshes_of(a)) {
      if (std::find(r.rule_prefixes.begin(), r.rule_prefixes.end(), b_ip + "/32") != r.rule_prefixes.end()) return true;
    }
    return false;
  };
  for (int i = 0; i < 1000 && !a_knows_b(); ++i) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(a_knows_b()) << "no refresh of a with b's address " << b_ip;
  EXPECT_LE(refreshes_of(a).size(), 2u);

  // w's own groups change now, so w is refreshed: the casts travel in order,
  // so one for w sent with b's or w2's create would have arrived before this.
  ASSERT_EQ(action(w, {{"addSecurityGroup", {{"name", "default"}}}})->status, 202);
  ASSERT_TRUE(compute_->security_group_refresh().flush(5s));
  for (int i = 0; i < 600 && refreshes_of(w).empty(); ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(refreshes_of(w).size(), 1u);
  EXPECT_TRUE(refreshes_of(b).empty());  // not placed: its build carries its rules
}

TEST_F(NetworkProxies, FloatingIpsAllocateAssociateAndShowInAddresses) {
  auto pools = get("/v2.1/os-floating-ip-pools");
  ASSERT_EQ(pools->status, 200);
  EXPECT_EQ(body(pools)["floating_ip_pools"], json::array({{{"name", "public"}}}));
  auto made = post("/v2.1/os-floating-ips", json::object());
  ASSERT_EQ(made->status, 200) << made->body;
  json fip = body(made)["floating_ip"];
  EXPECT_EQ(fip["pool"], "public");
  EXPECT_TRUE(fip["instance_id"].is_null());
  EXPECT_TRUE(fip["fixed_ip"].is_null());
  const std::string address = fip["ip"];
  EXPECT_EQ(post("/v2.1/os-floating-ips", {{"pool", "nope"}})->status, 404);

  const std::string id = create_server();
  ASSERT_EQ(action(id, {{"addFloatingIp", {{"address", address}}}})->status, 202);
  auto shown = get("/v2.1/os-floating-ips/" + fip["id"].get<std::string>());
  EXPECT_EQ(body(shown)["floating_ip"]["instance_id"], id);
  EXPECT_EQ(body(shown)["floating_ip"]["fixed_ip"], "10.0.0.2");
  json addresses = body(get("/v2.1/servers/" + id))["server"]["addresses"]["private"];
  ASSERT_EQ(addresses.size(), 2u) << addresses;
  EXPECT_EQ(addresses[1]["OS-EXT-IPS:type"], "floating");
  EXPECT_EQ(addresses[1]["addr"], address);

  EXPECT_EQ(action(id, {{"addFloatingIp", {{"address", "0.0.0.77"}}}})->status, 404);
  EXPECT_EQ(action(id, {{"removeFloatingIp", {{"address", "0.0.0.77"}}}})->status, 404);
  ASSERT_EQ(action(id, {{"removeFloatingIp", {{"address", address}}}})->status, 202);
  EXPECT_EQ(action(id, {{"removeFloatingIp", {{"address", address}}}})->status, 409);
  EXPECT_EQ(body(get("/v2.1/servers/" + id))["server"]["addresses"]["private"].size(), 1u);
  EXPECT_EQ(del("/v2.1/os-floating-ips/" + fip["id"].get<std::string>())->status, 202);
  EXPECT_EQ(body(get("/v2.1/os-floating-ips"))["floating_ips"].size(), 0u);
}

}  // namespace
}  // namespace stratus::core::api::test_support
