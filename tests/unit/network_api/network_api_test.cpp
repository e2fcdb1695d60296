// The Network service (/network, Neutron v2.0 subset) over real HTTP on
// loopback against a real database: documents, shapes, filters, fields and
// paging, create and delete, Neutron's errors, and what each project sees.
#include "tests/unit/network_api/network_api_fixture.h"

namespace stratus::core::api {
namespace {

TEST_F(NetworkApi, VersionsNeedNoTokenAndDocumentsNeedOne) {
  auto r = client_->Get("/network");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto versions = json::parse(r->body);
  ASSERT_EQ(versions["versions"].size(), 1u);
  EXPECT_EQ(versions["versions"][0]["id"], "v2.0");
  EXPECT_EQ(versions["versions"][0]["status"], "CURRENT");
  EXPECT_EQ(versions["versions"][0]["links"][0]["href"], base_ + "/network/v2.0/");
  EXPECT_EQ(versions["versions"][0]["links"][0]["rel"], "self");

  EXPECT_EQ(get("/network/v2.0/networks", "nobody").status, 401);
  auto resources = get("/network/v2.0");
  ASSERT_EQ(resources.status, 200);
  std::set<std::string> collections;
  for (const auto& res : resources.body["resources"]) collections.insert(res["collection"]);
  EXPECT_EQ(collections, (std::set<std::string>{"networks", "subnets", "ports", "security-groups",
                                                "security-group-rules", "floatingips", "routers", "quotas",
                                                "agents"}));
}

TEST_F(NetworkApi, ExtensionsListOnlyWhatIsHonoured) {
  auto list = get("/network/v2.0/extensions");
  ASSERT_EQ(list.status, 200);
  std::set<std::string> aliases;
  for (const auto& e : list.body["extensions"]) {
    aliases.insert(e["alias"]);
    for (const char* key : {"alias", "name", "description", "links", "updated"}) EXPECT_TRUE(e.contains(key)) << e;
  }
  EXPECT_TRUE(aliases.count("external-net"));
  EXPECT_TRUE(aliases.count("security-group"));
  EXPECT_TRUE(aliases.count("router"));
  EXPECT_TRUE(aliases.count("quotas"));
  EXPECT_TRUE(aliases.count("agent"));
  EXPECT_FALSE(aliases.count("l3-ha"));
  auto one = get("/network/v2.0/extensions/external-net");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body["extension"]["alias"], "external-net");
  expect_neutron_error(get("/network/v2.0/extensions/l3-ha"), 404, "HTTPNotFound", "l3-ha");
}

TEST_F(NetworkApi, TheSeededNetworkInNeutronsShape) {
  auto r = get("/network/v2.0/networks/" + std::string(db::kDefaultNetworkUuid));
  ASSERT_EQ(r.status, 200) << r.body;
  const json& n = r.body["network"];
  for (const char* key : {"id", "name", "status", "admin_state_up", "shared", "subnets", "project_id", "tenant_id",
                          "mtu", "router:external", "availability_zones", "created_at", "updated_at",
                          "revision_number", "description", "tags"}) {
    EXPECT_TRUE(n.contains(key)) << key;
  }
  EXPECT_EQ(n["name"], "private");
  EXPECT_EQ(n["status"], "ACTIVE");
  EXPECT_EQ(n["shared"], true);
  EXPECT_EQ(n["router:external"], false);
  EXPECT_EQ(n["subnets"], json::array({db::kDefaultSubnetUuid}));
  EXPECT_EQ(n["mtu"], 1500);
  EXPECT_TRUE(n["created_at"].get<std::string>().ends_with("Z"));

  auto s = get("/network/v2.0/subnets/" + std::string(db::kDefaultSubnetUuid));
  ASSERT_EQ(s.status, 200) << s.body;
  const json& subnet = s.body["subnet"];
  EXPECT_EQ(subnet["network_id"], db::kDefaultNetworkUuid);
  EXPECT_EQ(subnet["cidr"], "10.0.0.0/24");
  EXPECT_EQ(subnet["ip_version"], 4);
  EXPECT_EQ(subnet["gateway_ip"], "10.0.0.1");
  EXPECT_EQ(subnet["enable_dhcp"], true);
  EXPECT_EQ(subnet["allocation_pools"], json::parse(R"([{"start": "10.0.0.2", "end": "10.0.0.254"}])"));
  EXPECT_EQ(subnet["dns_nameservers"], json::array());
  EXPECT_EQ(subnet["host_routes"], json::array());
}

TEST_F(NetworkApi, NotFoundInNeutronsFormat) {
  expect_neutron_error(get("/network/v2.0/networks/nope"), 404, "NetworkNotFound", "Network nope could not be found.");
  expect_neutron_error(get("/network/v2.0/subnets/nope"), 404, "SubnetNotFound", "Subnet nope could not be found.");
  expect_neutron_error(get("/network/v2.0/ports/nope"), 404, "PortNotFound", "Port nope could not be found.");
  expect_neutron_error(del("/network/v2.0/networks/nope"), 404, "NetworkNotFound", "nope");
  // What Neutron has and Stratus does not: said so, in Neutron's format.
  expect_neutron_error(get("/network/v2.0/subnetpools"), 404, "HTTPNotFound", "The resource could not be found.");
  auto r = client_->Put("/network/v2.0/networks/" + std::string(db::kDefaultNetworkUuid),
                        httplib::Headers{{"X-Auth-Token", "admin"}}, R"({"network": {"name": "x"}})",
                        "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 501);
  EXPECT_NE(r->body.find("Updating networks is not supported"), std::string::npos) << r->body;
  EXPECT_EQ(get("/network/v2.0/networks/" + std::string(db::kDefaultNetworkUuid)).body["network"]["name"], "private");
}

TEST_F(NetworkApi, CreateShowListAndDeleteANetworkWithASubnet) {
  auto net = post("/network/v2.0/networks", {{"network", {{"name", "blue"}, {"description", "d"}, {"mtu", 1450}}}});
  ASSERT_EQ(net.status, 201) << net.body;
  const std::string id = net.body["network"]["id"];
  EXPECT_EQ(net.body["network"]["project_id"], "p-admin");
  EXPECT_EQ(net.body["network"]["mtu"], 1450);
  EXPECT_EQ(net.body["network"]["subnets"], json::array());

  auto sub = post("/network/v2.0/subnets",
                  {{"subnet",
                    {{"network_id", id},
                     {"cidr", "192.168.50.0/24"},
                     {"ip_version", 4},
                     {"name", "blue-sub"},
                     {"gateway_ip", "192.168.50.254"},
                     {"allocation_pools", json::parse(R"([{"start": "192.168.50.10", "end": "192.168.50.20"}])")},
                     {"dns_nameservers", {"9.9.9.9"}}}}});
  ASSERT_EQ(sub.status, 201) << sub.body;
  const std::string subnet_id = sub.body["subnet"]["id"];
  EXPECT_EQ(sub.body["subnet"]["gateway_ip"], "192.168.50.254");
  EXPECT_EQ(sub.body["subnet"]["allocation_pools"],
            json::parse(R"([{"start": "192.168.50.10", "end": "192.168.50.20"}])"));
  EXPECT_EQ(sub.body["subnet"]["dns_nameservers"], json::array({"9.9.9.9"}));

  auto shown = get("/network/v2.0/networks/" + id);
  EXPECT_EQ(shown.body["network"]["subnets"], json::array({subnet_id}));
  EXPECT_EQ(shown.body["network"]["revision_number"], 2);  // the subnet counts as a change

  // Ports of the network get addresses from the pool.
  std::string vm = server_on(id, "p-admin");
  auto ports = get("/network/v2.0/ports?device_id=" + vm);
  ASSERT_EQ(ports.body["ports"].size(), 1u) << ports.body;
  EXPECT_EQ(ports.body["ports"][0]["fixed_ips"],
            json::parse(R"([{"subnet_id": ")" + subnet_id + R"(", "ip_address": "192.168.50.10"}])"));

  expect_neutron_error(del("/network/v2.0/networks/" + id), 409, "NetworkInUse",
                       "There are one or more ports still in use on the network.");
  expect_neutron_error(del("/network/v2.0/subnets/" + subnet_id), 409, "SubnetInUse",
                       "One or more ports have an IP allocation from this subnet.");
  ASSERT_TRUE(db::PortRepository(*db_).remove_by_device(vm).ok());
  EXPECT_EQ(del("/network/v2.0/networks/" + id).status, 204);
  EXPECT_EQ(get("/network/v2.0/networks/" + id).status, 404);
  EXPECT_EQ(get("/network/v2.0/subnets/" + subnet_id).status, 404);  // its subnets went with it
}

TEST_F(NetworkApi, FiltersFieldsAndPaging) {
  network_with_subnet("red", "10.10.0.0/24", "admin");
  network_with_subnet("green", "10.20.0.0/24", "admin");
  auto by_name = get("/network/v2.0/networks?name=red");
  ASSERT_EQ(by_name.status, 200);
  EXPECT_EQ(names(by_name.body["networks"]), (std::set<std::string>{"red"}));
  EXPECT_EQ(names(get("/network/v2.0/networks?name=red&name=green").body["networks"]),
            (std::set<std::string>{"red", "green"}));
  EXPECT_EQ(names(get("/network/v2.0/networks?shared=true").body["networks"]), (std::set<std::string>{"private"}));
  EXPECT_EQ(names(get("/network/v2.0/networks?shared=false&router:external=false").body["networks"]),
            (std::set<std::string>{"red", "green"}));
  EXPECT_EQ(names(get("/network/v2.0/networks?project_id=p-admin").body["networks"]),
            (std::set<std::string>{"red", "green"}));
  EXPECT_EQ(names(get("/network/v2.0/networks?tenant_id=p-admin&name=green").body["networks"]),
            (std::set<std::string>{"green"}));
  const std::string red = get("/network/v2.0/networks?name=red").body["networks"][0]["id"];
  EXPECT_EQ(names(get("/network/v2.0/networks?id=" + red).body["networks"]), (std::set<std::string>{"red"}));
  EXPECT_EQ(names(get("/network/v2.0/subnets?network_id=" + red).body["subnets"]),
            (std::set<std::string>{"red-sub"}));
  EXPECT_EQ(names(get("/network/v2.0/subnets?name=green-sub").body["subnets"]),
            (std::set<std::string>{"green-sub"}));

  // fields=
  auto brief = get("/network/v2.0/networks?name=red&fields=id&fields=name");
  ASSERT_EQ(brief.body["networks"].size(), 1u);
  EXPECT_EQ(brief.body["networks"][0], json({{"id", red}, {"name", "red"}}));
  EXPECT_EQ(get("/network/v2.0/networks/" + red + "?fields=mtu").body, json::parse(R"({"network": {"mtu": 1500}})"));

  // limit and marker walk the list in creation order.
  auto page1 = get("/network/v2.0/networks?limit=2");
  ASSERT_EQ(page1.body["networks"].size(), 2u);
  ASSERT_TRUE(page1.body.contains("networks_links")) << page1.body;
  EXPECT_EQ(page1.body["networks_links"][0]["rel"], "next");
  const std::string second = page1.body["networks"][1]["id"];
  EXPECT_NE(page1.body["networks_links"][0]["href"].get<std::string>().find("marker=" + second), std::string::npos);
  auto page2 = get("/network/v2.0/networks?limit=2&marker=" + second);
  EXPECT_EQ(names(page2.body["networks"]), (std::set<std::string>{"green"}));
  EXPECT_FALSE(page2.body.contains("networks_links"));

  // Bad query parameters are refused, naming them.
  expect_neutron_error(get("/network/v2.0/networks?colour=red"), 400, "HTTPBadRequest",
                       "['colour'] is invalid attribute for filtering");
  expect_neutron_error(get("/network/v2.0/networks?shared=banana"), 400, "HTTPBadRequest", "banana");
  expect_neutron_error(get("/network/v2.0/networks?limit=-1"), 400, "HTTPBadRequest", "limit");
  expect_neutron_error(get("/network/v2.0/networks?marker=nope"), 404, "NetworkNotFound", "nope");
}

TEST_F(NetworkApi, PortsShowWhatNeutronShowsAndFilter) {
  auto [net, subnet] = network_with_subnet("ports", "10.30.0.0/24", "admin");
  const std::string vm1 = server_on(net, "p-admin", "host-a");
  const std::string vm2 = server_on(net, "p-admin", "host-b");
  auto all = get("/network/v2.0/ports?network_id=" + net);
  ASSERT_EQ(all.body["ports"].size(), 2u) << all.body;
  const json& p = all.body["ports"][0];
  for (const char* key : {"id", "name", "network_id", "mac_address", "fixed_ips", "device_id", "device_owner",
                          "status", "admin_state_up", "project_id", "tenant_id", "binding:host_id",
                          "binding:vnic_type", "security_groups", "created_at", "revision_number"}) {
    EXPECT_TRUE(p.contains(key)) << key;
  }
  EXPECT_EQ(p["device_id"], vm1);
  EXPECT_EQ(p["device_owner"], "compute:nova");
  EXPECT_EQ(p["binding:host_id"], "host-a");
  EXPECT_EQ(p["status"], "DOWN");  // the instance is not running
  EXPECT_EQ(p["fixed_ips"][0]["ip_address"], "10.30.0.2");

  const std::string mac = all.body["ports"][1]["mac_address"];
  auto by_mac = get("/network/v2.0/ports?mac_address=" + mac);
  ASSERT_EQ(by_mac.body["ports"].size(), 1u);
  EXPECT_EQ(by_mac.body["ports"][0]["device_id"], vm2);
  EXPECT_EQ(get("/network/v2.0/ports?device_owner=compute:nova&network_id=" + net).body["ports"].size(), 2u);
  EXPECT_EQ(get("/network/v2.0/ports?device_owner=network:dhcp").body["ports"].size(), 0u);
  auto by_ip = get("/network/v2.0/ports?fixed_ips=ip_address%3D10.30.0.3");
  ASSERT_EQ(by_ip.body["ports"].size(), 1u) << by_ip.body;
  EXPECT_EQ(by_ip.body["ports"][0]["device_id"], vm2);
  const std::string port_id = by_mac.body["ports"][0]["id"];
  auto shown = get("/network/v2.0/ports/" + port_id);
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(shown.body["port"]["mac_address"], mac);
}

TEST_F(NetworkApi, ProjectsSeeTheirOwnAndSharedOnly) {
  auto [alice_net, alice_subnet] = network_with_subnet("alice-net", "10.40.0.0/24", "alice");
  auto [bob_net, bob_subnet] = network_with_subnet("bob-net", "10.50.0.0/24", "bob");
  const std::string alice_vm = server_on(alice_net, "p-alice");
  const std::string bob_vm = server_on(db::kDefaultNetworkUuid, "p-bob");

  EXPECT_EQ(names(get("/network/v2.0/networks", "alice").body["networks"]),
            (std::set<std::string>{"private", "alice-net"}));
  EXPECT_EQ(names(get("/network/v2.0/networks", "bob").body["networks"]), (std::set<std::string>{"private", "bob-net"}));
  EXPECT_EQ(names(get("/network/v2.0/networks", "admin").body["networks"]),
            (std::set<std::string>{"private", "alice-net", "bob-net"}));
  EXPECT_EQ(names(get("/network/v2.0/subnets", "alice").body["subnets"]),
            (std::set<std::string>{"private-subnet", "alice-net-sub"}));

  // The other project's network, subnet and port are not there at all.
  expect_neutron_error(get("/network/v2.0/networks/" + bob_net, "alice"), 404, "NetworkNotFound", bob_net);
  expect_neutron_error(get("/network/v2.0/subnets/" + bob_subnet, "alice"), 404, "SubnetNotFound", bob_subnet);
  expect_neutron_error(del("/network/v2.0/networks/" + bob_net, "alice"), 404, "NetworkNotFound", bob_net);
  expect_neutron_error(del("/network/v2.0/subnets/" + bob_subnet, "alice"), 404, "SubnetNotFound", bob_subnet);
  EXPECT_EQ(get("/network/v2.0/ports?device_id=" + bob_vm, "alice").body["ports"].size(), 0u);
  auto bob_ports = get("/network/v2.0/ports", "bob");
  ASSERT_EQ(bob_ports.body["ports"].size(), 1u);
  EXPECT_EQ(bob_ports.body["ports"][0]["device_id"], bob_vm);
  EXPECT_FALSE(bob_ports.body["ports"][0].contains("binding:host_id"));  // admin only
  const std::string bob_port = bob_ports.body["ports"][0]["id"];
  expect_neutron_error(get("/network/v2.0/ports/" + bob_port, "alice"), 404, "PortNotFound", bob_port);
  EXPECT_EQ(get("/network/v2.0/ports/" + bob_port, "bob").status, 200);
  EXPECT_EQ(get("/network/v2.0/ports", "alice").body["ports"][0]["device_id"], alice_vm);

  // The shared network is visible but not theirs to change.
  expect_neutron_error(del("/network/v2.0/networks/" + std::string(db::kDefaultNetworkUuid), "alice"), 403,
                       "PolicyNotAuthorized", "(rule:delete_network) is disallowed by policy");
  expect_neutron_error(post("/network/v2.0/subnets",
                            {{"subnet", {{"network_id", db::kDefaultNetworkUuid}, {"cidr", "10.99.0.0/24"}}}}, "alice"),
                       403, "PolicyNotAuthorized", "(rule:create_subnet) is disallowed by policy");
  expect_neutron_error(post("/network/v2.0/subnets", {{"subnet", {{"network_id", bob_net}, {"cidr", "10.98.0.0/24"}}}},
                            "alice"),
                       404, "NetworkNotFound", bob_net);
}

TEST_F(NetworkApi, SharedAndExternalAreAdminOnlyAndOtherProjectsToo) {
  expect_neutron_error(post("/network/v2.0/networks", {{"network", {{"name", "s"}, {"shared", true}}}}, "alice"), 403,
                       "PolicyNotAuthorized", "(rule:create_network:shared) is disallowed by policy");
  expect_neutron_error(
      post("/network/v2.0/networks", {{"network", {{"name", "e"}, {"router:external", true}}}}, "alice"), 403,
      "PolicyNotAuthorized", "(rule:create_network:router:external) is disallowed by policy");
  expect_neutron_error(post("/network/v2.0/networks", {{"network", {{"name", "x"}, {"project_id", "p-bob"}}}}, "alice"),
                       400, "HTTPBadRequest", "requires admin privileges");
  EXPECT_EQ(names(get("/network/v2.0/networks", "admin").body["networks"]), (std::set<std::string>{"private"}));

  auto shared = post("/network/v2.0/networks", {{"network", {{"name", "s"}, {"shared", true}}}}, "admin");
  ASSERT_EQ(shared.status, 201);
  auto for_bob = post("/network/v2.0/networks", {{"network", {{"name", "b"}, {"tenant_id", "p-bob"}}}}, "admin");
  ASSERT_EQ(for_bob.status, 201) << for_bob.body;
  EXPECT_EQ(for_bob.body["network"]["project_id"], "p-bob");
  EXPECT_EQ(names(get("/network/v2.0/networks", "bob").body["networks"]), (std::set<std::string>{"private", "s", "b"}));
  EXPECT_EQ(names(get("/network/v2.0/networks", "alice").body["networks"]), (std::set<std::string>{"private", "s"}));
}

TEST_F(NetworkApi, BadBodiesAreRefusedNamingTheProblemAndChangeNothing) {
  auto bad = [&](const json& body, const std::string& path, const std::string& message) {
    auto r = post(path, body);
    expect_neutron_error(r, 400, "HTTPBadRequest", message);
  };
  const std::string nets = "/network/v2.0/networks";
  const std::string subs = "/network/v2.0/subnets";
  bad(json::object(), nets, "Resource body required");
  bad({{"networks", json::array()}}, nets, "Bulk creation");
  bad({{"network", {{"name", "x"}, {"colour", "red"}}}}, nets, "Unrecognized attribute(s) 'colour'");
  bad({{"network", {{"name", 42}}}}, nets, "Invalid input for name");
  bad({{"network", {{"shared", "maybe"}}}}, nets, "Invalid input for shared");
  bad({{"network", {{"mtu", 10}}}}, nets, "Invalid input for mtu");
  bad({{"network", {{"name", std::string(300, 'n')}}}}, nets, "exceeds maximum length of 255");
  EXPECT_EQ(get(nets).body["networks"].size(), 1u);

  const std::string net = db::kDefaultNetworkUuid;
  bad({{"subnet", {{"cidr", "10.1.0.0/24"}}}}, subs, "network_id is required");
  bad({{"subnet", {{"network_id", net}}}}, subs, "cidr is required");
  bad({{"subnet", {{"network_id", net}, {"cidr", "10.1.0/24"}}}}, subs, "'10.1.0/24' is not a usable IPv4 CIDR");
  bad({{"subnet", {{"network_id", net}, {"cidr", "10.1.0.0/33"}}}}, subs, "'10.1.0.0/33'");
  bad({{"subnet", {{"network_id", net}, {"cidr", "fd00::/64"}, {"ip_version", 6}}}}, subs, "only IPv4");
  bad({{"subnet", {{"network_id", net}, {"cidr", "10.1.0.0/24"}, {"gateway_ip", "10.2.0.1"}}}}, subs,
      "gateway 10.2.0.1 is not a host address of 10.1.0.0/24");
  bad({{"subnet", {{"network_id", net}, {"cidr", "10.1.0.0/24"}, {"gateway_ip", "banana"}}}}, subs,
      "'banana' is not an IPv4 address");
  bad({{"subnet", {{"network_id", net}, {"cidr", "10.1.0.0/24"}, {"dns_nameservers", {"1.2.3"}}}}}, subs,
      "DNS name server '1.2.3' is not an IPv4 address");
  bad({{"subnet",
        {{"network_id", net},
         {"cidr", "10.1.0.0/24"},
         {"allocation_pools", json::parse(R"([{"start": "10.1.0.50", "end": "10.1.0.40"}])")}}}},
      subs, "allocation pool start 10.1.0.50 is after its end 10.1.0.40");
  bad({{"subnet",
        {{"network_id", net},
         {"cidr", "10.1.0.0/24"},
         {"allocation_pools", json::parse(R"([{"start": "10.1.0.1", "end": "10.1.0.40"}])")}}}},
      subs, "gateway 10.1.0.1 is inside the allocation pool");
  bad({{"subnet", {{"network_id", net}, {"cidr", "10.0.0.128/25"}}}}, subs, "overlaps with subnet");
  bad({{"subnet", {{"network_id", net}, {"cidr", "10.1.0.0/24"}, {"host_routes", json::array({1})}}}}, subs,
      "host routes are not supported");
  EXPECT_EQ(get(subs).body["subnets"].size(), 1u);
  expect_neutron_error(post(subs, {{"subnet", {{"network_id", "nope"}, {"cidr", "10.1.0.0/24"}}}}), 404,
                       "NetworkNotFound", "nope");

  // gateway_ip null: a subnet without a router; its whole range is the pool.
  auto no_gw = post(subs, {{"subnet", {{"network_id", net}, {"cidr", "10.1.0.0/29"}, {"gateway_ip", nullptr}}}});
  ASSERT_EQ(no_gw.status, 201) << no_gw.body;
  EXPECT_TRUE(no_gw.body["subnet"]["gateway_ip"].is_null());
  EXPECT_EQ(no_gw.body["subnet"]["allocation_pools"], json::parse(R"([{"start": "10.1.0.1", "end": "10.1.0.6"}])"));
}

}  // namespace
}  // namespace stratus::core::api
