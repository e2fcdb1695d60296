// The Network API's writes beyond networks and subnets: ports made by users
// (fixed IPs, MACs, conflicts, policy, a server's delete unbinding them),
// Neutron's quotas (set, reset, defaults, enforced), routers with their
// interfaces recorded, and the empty agents list.
#include "core/db/network_quota_repository.h"
#include "core/db/security_group_repository.h"
#include "tests/unit/network_api/network_api_fixture.h"

namespace stratus::core::api {
namespace {

json fixed(const std::string& subnet, const std::string& ip = "") {
  json f = {{"subnet_id", subnet}};
  if (!ip.empty()) f["ip_address"] = ip;
  return json::array({f});
}

TEST_F(NetworkApi, UsersCreatePortsWithTheAddressAndMacTheyAskFor) {
  auto [net, subnet] = network_with_subnet("mine", "10.40.0.0/24", "alice");
  auto p = post("/network/v2.0/ports",
                {{"port", {{"network_id", net}, {"name", "p1"}, {"description", "d"},
                           {"fixed_ips", fixed(subnet, "10.40.0.10")}, {"mac_address", "fa:16:3e:00:00:01"}}}},
                "alice");
  ASSERT_EQ(p.status, 201) << p.body;
  const json& port = p.body["port"];
  EXPECT_EQ(port["name"], "p1");
  EXPECT_EQ(port["description"], "d");
  EXPECT_EQ(port["project_id"], "p-alice");
  EXPECT_EQ(port["mac_address"], "fa:16:3e:00:00:01");
  EXPECT_EQ(port["fixed_ips"], json::array({{{"subnet_id", subnet}, {"ip_address", "10.40.0.10"}}}));
  EXPECT_EQ(port["device_id"], "");
  EXPECT_EQ(port["status"], "DOWN");
  EXPECT_EQ(port["security_groups"].size(), 1u);  // the project's default group
  // Without a fixed IP: the lowest free address of the subnet.
  auto any = post("/network/v2.0/ports", {{"port", {{"network_id", net}}}}, "alice");
  ASSERT_EQ(any.status, 201) << any.body;
  EXPECT_EQ(any.body["port"]["fixed_ips"][0]["ip_address"], "10.40.0.2");

  // Neutron's conflicts.
  expect_neutron_error(post("/network/v2.0/ports", {{"port", {{"network_id", net}, {"fixed_ips", fixed(subnet, "10.40.0.10")}}}}, "alice"),
                       409, "IpAddressAlreadyAllocated", "IP address 10.40.0.10 already allocated in subnet " + subnet);
  expect_neutron_error(post("/network/v2.0/ports", {{"port", {{"network_id", net}, {"mac_address", "fa:16:3e:00:00:01"}}}}, "alice"),
                       409, "MacAddressInUse", "The mac address fa:16:3e:00:00:01 is in use.");
  expect_neutron_error(post("/network/v2.0/ports", {{"port", {{"network_id", net}, {"fixed_ips", fixed(subnet, "10.41.0.5")}}}}, "alice"),
                       400, "InvalidIpForSubnet", "IP address 10.41.0.5 is not a valid IP for the specified subnet.");
  expect_neutron_error(post("/network/v2.0/ports", {{"port", {{"network_id", net}, {"fixed_ips", json::array({{{"ip_address", "10.41.0.5"}}})}}}}, "alice"),
                       400, "InvalidIpForNetwork", "is not a valid IP for any of the subnets");
  expect_neutron_error(post("/network/v2.0/ports", {{"port", {{"network_id", net}, {"mac_address", "zz"}}}}, "alice"),
                       400, "HTTPBadRequest", "is not a valid MAC address");
  expect_neutron_error(post("/network/v2.0/ports", {{"port", {{"network_id", net}, {"fixed_ips", fixed("nope")}}}}, "alice"),
                       404, "SubnetNotFound", "Subnet nope could not be found.");
  expect_neutron_error(post("/network/v2.0/ports", {{"port", {{"name", "x"}}}}, "alice"), 400, "HTTPBadRequest",
                       "network_id");
  EXPECT_EQ(get("/network/v2.0/ports?network_id=" + net, "alice").body["ports"].size(), 2u);  // nothing more made
}

TEST_F(NetworkApi, PortPolicyIsNeutrons) {
  auto [net, subnet] = network_with_subnet("alices", "10.41.0.0/24", "alice");
  // Another project's private network does not exist for bob.
  expect_neutron_error(post("/network/v2.0/ports", {{"port", {{"network_id", net}}}}, "bob"), 404, "NetworkNotFound", net);
  // On a network it does not own (the cloud's shared one) a member may not pick the address or MAC.
  const std::string shared = db::kDefaultNetworkUuid;
  expect_neutron_error(post("/network/v2.0/ports", {{"port", {{"network_id", shared}, {"mac_address", "fa:16:3e:00:00:09"}}}}, "bob"),
                       403, "PolicyNotAuthorized", "create_port:mac_address");
  auto bobs = post("/network/v2.0/ports", {{"port", {{"network_id", shared}, {"name", "b"}}}}, "bob");
  ASSERT_EQ(bobs.status, 201) << bobs.body;
  const std::string bob_port = bobs.body["port"]["id"];
  // Alice neither sees nor changes it; bob renames it but may not change its MAC.
  expect_neutron_error(get("/network/v2.0/ports/" + bob_port, "alice"), 404, "PortNotFound", bob_port);
  expect_neutron_error(put("/network/v2.0/ports/" + bob_port, {{"port", {{"name", "x"}}}}, "alice"), 404, "PortNotFound", bob_port);
  expect_neutron_error(del("/network/v2.0/ports/" + bob_port, "alice"), 404, "PortNotFound", bob_port);
  auto renamed = put("/network/v2.0/ports/" + bob_port, {{"port", {{"name", "renamed"}, {"admin_state_up", false}}}}, "bob");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.body["port"]["name"], "renamed");
  EXPECT_EQ(renamed.body["port"]["admin_state_up"], false);
  expect_neutron_error(put("/network/v2.0/ports/" + bob_port, {{"port", {{"mac_address", "fa:16:3e:00:00:0a"}}}}, "bob"),
                       403, "PolicyNotAuthorized", "update_port:mac_address");
  EXPECT_EQ(del("/network/v2.0/ports/" + bob_port, "bob").status, 204);
  expect_neutron_error(get("/network/v2.0/ports/" + bob_port, "bob"), 404, "PortNotFound", bob_port);
}

TEST_F(NetworkApi, PortSetMovesTheAddressAndSecurity) {
  auto [net, subnet] = network_with_subnet("moving", "10.42.0.0/24", "alice");
  auto p = post("/network/v2.0/ports", {{"port", {{"network_id", net}}}}, "alice");
  ASSERT_EQ(p.status, 201) << p.body;
  const std::string id = p.body["port"]["id"];
  auto moved = put("/network/v2.0/ports/" + id, {{"port", {{"fixed_ips", fixed(subnet, "10.42.0.77")}}}}, "alice");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.body["port"]["fixed_ips"][0]["ip_address"], "10.42.0.77");
  // The old address is free again.
  auto next = post("/network/v2.0/ports", {{"port", {{"network_id", net}}}}, "alice");
  EXPECT_EQ(next.body["port"]["fixed_ips"][0]["ip_address"], "10.42.0.2") << next.body;
  // Port security off needs the groups gone first, as Neutron says.
  expect_neutron_error(put("/network/v2.0/ports/" + id, {{"port", {{"port_security_enabled", false}}}}, "alice"), 409,
                       "PortSecurityPortHasSecurityGroup", "Port has security group associated");
  auto off = put("/network/v2.0/ports/" + id, {{"port", {{"port_security_enabled", false}, {"security_groups", json::array()}}}},
                 "alice");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(off.body["port"]["port_security_enabled"], false);
  EXPECT_EQ(off.body["port"]["security_groups"], json::array());
}

TEST_F(NetworkApi, DeletingTheServerUnbindsAUsersPortAndFreesItsOwn) {
  auto [net, subnet] = network_with_subnet("bind", "10.43.0.0/24", "alice");
  auto p = post("/network/v2.0/ports", {{"port", {{"network_id", net}}}}, "alice");
  ASSERT_EQ(p.status, 201) << p.body;
  const std::string user_port = p.body["port"]["id"];
  const std::string vm = server_on(net, "p-alice");  // the server's own port
  // Not through the Network API: a server takes a port through the Compute API.
  expect_neutron_error(put("/network/v2.0/ports/" + user_port, {{"port", {{"device_id", vm}}}}, "alice"), 400,
                       "BadRequest", "is a server");
  db::PortRepository ports(*db_);
  ASSERT_TRUE(ports.bind(user_port, vm).ok());
  EXPECT_EQ(ports.bind(user_port, "other-vm").code(), sdk::StatusCode::kConflict);
  auto bound = get("/network/v2.0/ports/" + user_port, "alice");
  EXPECT_EQ(bound.body["port"]["device_id"], vm);
  EXPECT_EQ(bound.body["port"]["device_owner"], "compute:nova");
  EXPECT_EQ(get("/network/v2.0/ports?device_id=" + vm, "alice").body["ports"].size(), 2u);
  auto freed = ports.remove_by_device(vm);
  ASSERT_TRUE(freed.ok());
  EXPECT_EQ(*freed, 2);
  auto after = get("/network/v2.0/ports?network_id=" + net, "alice");
  ASSERT_EQ(after.body["ports"].size(), 1u) << after.body;
  EXPECT_EQ(after.body["ports"][0]["id"], user_port);
  EXPECT_EQ(after.body["ports"][0]["device_id"], "");
  EXPECT_EQ(after.body["ports"][0]["device_owner"], "");
  EXPECT_EQ(after.body["ports"][0]["project_id"], "p-alice");
}

TEST_F(NetworkApi, QuotasAreSetResetListedAndEnforced) {
  auto set = put("/network/v2.0/quotas/p-alice", {{"quota", {{"port", 2}, {"network", "1"}, {"router", 0}}}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.body["quota"]["port"], 2);
  EXPECT_EQ(set.body["quota"]["network"], 1);
  EXPECT_EQ(set.body["quota"]["subnet"], 100);
  auto listed = get("/network/v2.0/quotas");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.body["quotas"].size(), 1u) << listed.body;
  EXPECT_EQ(listed.body["quotas"][0]["project_id"], "p-alice");
  EXPECT_EQ(listed.body["quotas"][0]["port"], 2);
  expect_neutron_error(get("/network/v2.0/quotas", "alice"), 403, "PolicyNotAuthorized", "get_quota");
  EXPECT_EQ(get("/network/v2.0/quotas/p-alice/default", "alice").body["quota"]["port"], 500);

  auto [net, subnet] = network_with_subnet("q", "10.44.0.0/24", "alice");
  expect_neutron_error(post("/network/v2.0/networks", {{"network", {{"name", "second"}}}}, "alice"), 409, "OverQuota",
                       "Quota exceeded for resources: ['network'].");
  EXPECT_EQ(post("/network/v2.0/ports", {{"port", {{"network_id", net}}}}, "alice").status, 201);
  EXPECT_EQ(post("/network/v2.0/ports", {{"port", {{"network_id", net}}}}, "alice").status, 201);
  expect_neutron_error(post("/network/v2.0/ports", {{"port", {{"network_id", net}}}}, "alice"), 409, "OverQuota",
                       "Quota exceeded for resources: ['port'].");
  expect_neutron_error(post("/network/v2.0/routers", {{"router", {{"name", "r"}}}}, "alice"), 409, "OverQuota",
                       "Quota exceeded for resources: ['router'].");
  auto details = get("/network/v2.0/quotas/p-alice/details", "alice");
  EXPECT_EQ(details.body["quota"]["port"], (json{{"limit", 2}, {"used", 2}, {"reserved", 0}})) << details.body;
  // Bob's quota is his own.
  EXPECT_EQ(post("/network/v2.0/networks", {{"network", {{"name", "b1"}}}}, "bob").status, 201);

  // Bad input changes nothing; members may not set or reset.
  expect_neutron_error(put("/network/v2.0/quotas/p-alice", {{"quota", {{"port", -2}}}}), 400, "HTTPBadRequest",
                       "must be at least '-1'");
  expect_neutron_error(put("/network/v2.0/quotas/p-alice", {{"quota", {{"widgets", 1}}}}), 400, "HTTPBadRequest",
                       "widgets");
  expect_neutron_error(put("/network/v2.0/quotas/p-alice", {{"quota", {{"port", 9}}}}, "alice"), 403,
                       "PolicyNotAuthorized", "update_quota");
  expect_neutron_error(del("/network/v2.0/quotas/p-alice", "alice"), 403, "PolicyNotAuthorized", "delete_quota");
  EXPECT_EQ(get("/network/v2.0/quotas/p-alice").body["quota"]["port"], 2);
  EXPECT_EQ(del("/network/v2.0/quotas/p-alice").status, 204);
  EXPECT_EQ(get("/network/v2.0/quotas/p-alice").body["quota"]["port"], 500);
  EXPECT_EQ(get("/network/v2.0/quotas").body["quotas"].size(), 0u);
}

TEST_F(NetworkApi, RoutersRecordTheirInterfacesAndGateway) {
  // An external network (admin's) for the gateway.
  auto ext = post("/network/v2.0/networks", {{"network", {{"name", "ext"}, {"router:external", true}}}});
  ASSERT_EQ(ext.status, 201) << ext.body;
  const std::string ext_id = ext.body["network"]["id"];
  ASSERT_EQ(post("/network/v2.0/subnets", {{"subnet", {{"network_id", ext_id}, {"cidr", "203.0.113.0/24"}}}}).status, 201);
  auto [net, subnet] = network_with_subnet("inside", "10.45.0.0/24", "alice");

  expect_neutron_error(post("/network/v2.0/routers", {{"router", {{"external_gateway_info", {{"network_id", net}}}}}}, "alice"),
                       400, "BadRequest", "Bad router request: Network " + net + " is not an external network.");
  auto r = post("/network/v2.0/routers", {{"router", {{"name", "r1"}, {"external_gateway_info", {{"network_id", ext_id}}}}}},
                "alice");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string router = r.body["router"]["id"];
  EXPECT_EQ(r.body["router"]["project_id"], "p-alice");
  EXPECT_EQ(r.body["router"]["external_gateway_info"]["network_id"], ext_id);
  EXPECT_EQ(r.body["router"]["external_gateway_info"]["external_fixed_ips"][0]["ip_address"], "203.0.113.2");

  const std::string iface = "/network/v2.0/routers/" + router;
  auto added = put(iface + "/add_router_interface", {{"subnet_id", subnet}}, "alice");
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(added.body["subnet_id"], subnet);
  EXPECT_EQ(added.body["network_id"], net);
  const std::string port = added.body["port_id"];
  auto shown = get("/network/v2.0/ports/" + port, "alice");
  EXPECT_EQ(shown.body["port"]["device_owner"], "network:router_interface");
  EXPECT_EQ(shown.body["port"]["device_id"], router);
  EXPECT_EQ(shown.body["port"]["fixed_ips"][0]["ip_address"], "10.45.0.1");  // the subnet's gateway
  expect_neutron_error(put(iface + "/add_router_interface", {{"subnet_id", subnet}}, "alice"), 400, "BadRequest",
                       "Router already has a port on subnet " + subnet);
  expect_neutron_error(put(iface + "/add_router_interface", json::object(), "alice"), 400, "BadRequest",
                       "Either subnet_id or port_id must be specified");
  // In use: neither the router nor its interface port can go.
  expect_neutron_error(del(iface, "alice"), 409, "RouterInUse", "Router " + router + " still has ports");
  expect_neutron_error(del("/network/v2.0/ports/" + port, "alice"), 409, "PortInUse", port);
  // Bob sees none of it.
  expect_neutron_error(get(iface, "bob"), 404, "RouterNotFound", "Router " + router + " could not be found");
  expect_neutron_error(put(iface + "/add_router_interface", {{"subnet_id", subnet}}, "bob"), 404, "RouterNotFound", router);
  EXPECT_EQ(get("/network/v2.0/routers", "bob").body["routers"].size(), 0u);

  auto renamed = put(iface, {{"router", {{"name", "r2"}, {"external_gateway_info", json::object()}}}}, "alice");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.body["router"]["name"], "r2");
  EXPECT_TRUE(renamed.body["router"]["external_gateway_info"].is_null());
  EXPECT_EQ(get("/network/v2.0/ports?device_owner=network:router_gateway").body["ports"].size(), 0u);

  expect_neutron_error(put(iface + "/remove_router_interface", {{"subnet_id", "other"}}, "alice"), 404,
                       "RouterInterfaceNotFoundForSubnet", "has no interface on subnet other");
  auto removed = put(iface + "/remove_router_interface", {{"subnet_id", subnet}}, "alice");
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(removed.body["port_id"], port);
  expect_neutron_error(get("/network/v2.0/ports/" + port, "alice"), 404, "PortNotFound", port);
  EXPECT_EQ(del(iface, "alice").status, 204);
  expect_neutron_error(get(iface, "alice"), 404, "RouterNotFound", router);
}

TEST_F(NetworkApi, AgentsAreAnEmptyList) {
  auto list = get("/network/v2.0/agents");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["agents"], json::array());
  expect_neutron_error(get("/network/v2.0/agents/a1"), 404, "AgentNotFound", "Agent a1 could not be found");
}

}  // namespace
}  // namespace stratus::core::api
