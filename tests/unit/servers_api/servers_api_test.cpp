// POST/GET/PUT /v2.1/servers: create (counts, schema errors, quota, bad
// references, fixed IPs), list (filters, sort, pages), show (Nova's shape).
#include <algorithm>

#include "core/compute/api/server_status.h"
#include "core/common/digest.h"
#include "core/db/flavor_repository.h"
#include "core/db/instance_action_repository.h"
#include "core/db/instance_fault_repository.h"
#include "core/db/keypair_repository.h"
#include "core/db/network_quota_repository.h"
#include "core/db/network_repository.h"
#include "core/db/quota_repository.h"
#include "core/db/server_group_repository.h"
#include "servers_test_support.h"

namespace stratus::core::api::test_support {
namespace {

using nlohmann::json;

TEST_F(ServersApiTest, CreateOneServerRecordsItAndCastsTheBuild) {
  auto r = post("/v2.1/servers", server_body("web"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  const json server = body(r)["server"];
  EXPECT_EQ(keys(server), (std::set<std::string>{"OS-DCF:diskConfig", "adminPass", "id", "links", "security_groups"}));
  const std::string id = server["id"];
  EXPECT_EQ(server["links"][0]["href"], base_ + "/v2.1/servers/" + id);
  EXPECT_EQ(server["links"][1]["href"], base_ + "/servers/" + id);
  EXPECT_EQ(server["adminPass"].get<std::string>().size(), 12u);
  EXPECT_EQ(r->get_header_value("Location"), base_ + "/v2.1/servers/" + id);

  const auto rec = instance(id);
  EXPECT_EQ(rec.vm_state, "building");
  EXPECT_EQ(rec.task_state, "scheduling");
  EXPECT_EQ(rec.project_id, "p-member");
  EXPECT_EQ(rec.display_name, "web");
  EXPECT_EQ(rec.flavor.id, "1");
  auto ports = db::PortRepository(*db_).list_by_device(id).value();
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_EQ(ports[0].network_uuid, db::kDefaultNetworkUuid);

  const std::string request_id = r->get_header_value("X-OpenStack-Request-Id");
  auto action = db::InstanceActionRepository(*db_).get(id, request_id);
  ASSERT_TRUE(action.ok()) << action.status();
  EXPECT_EQ(action->action, "create");

  auto build = services_.wait_for("build_instances");
  ASSERT_TRUE(build);
  EXPECT_EQ(build->instance_uuids, std::vector<std::string>{id});
  EXPECT_EQ(build->request_id, request_id);
  EXPECT_EQ(build->build.spec.flavor.id, "1");
  EXPECT_EQ(build->build.spec.image.id, db::kDefaultImageUuid);
  EXPECT_EQ(build->build.spec.project_id, "p-member");
  EXPECT_EQ(build->build.spec.num_instances, 1);
}

// A build whose cast cannot be sent (the API's endpoint lost the router):
// with the conductors sweeping lost builds, the servers wait in 'scheduling'
// for them, without a fault; without the sweep they end in ERROR with one.
class ServersApiCastFailureTest : public ServersApiTest {
 protected:
  void SetUp() override {}
  std::string create_with_router_lost(bool conductors_recover) {
    compute::ComputeApiOptions options;
    options.conductors_recover_lost_builds = conductors_recover;
    start(options);
    stop_api_endpoint();
    return create_server("orphan");
  }
};

TEST_F(ServersApiCastFailureTest, AnUnsentBuildWaitsForTheLostBuildSweep) {
  const std::string id = create_with_router_lost(true);
  ASSERT_FALSE(id.empty());
  const auto rec = instance(id);
  EXPECT_EQ(rec.vm_state, "building");
  EXPECT_EQ(rec.task_state, "scheduling");
  auto faults = db::InstanceFaultRepository(*db_).list(id);
  ASSERT_TRUE(faults.ok()) << faults.status();
  EXPECT_TRUE(faults->empty());
}

TEST_F(ServersApiCastFailureTest, WithoutTheSweepAnUnsentBuildEndsInErrorWithAFault) {
  const std::string id = create_with_router_lost(false);
  ASSERT_FALSE(id.empty());
  const auto rec = instance(id);
  EXPECT_EQ(rec.vm_state, "error");
  EXPECT_FALSE(rec.task_state.has_value());
  auto faults = db::InstanceFaultRepository(*db_).list(id);
  ASSERT_TRUE(faults.ok()) << faults.status();
  ASSERT_EQ(faults->size(), 1u);
  EXPECT_NE(faults->front().message.find("could not be sent to the conductor"), std::string::npos);
}

TEST_F(ServersApiTest, APrivateFlavorBootsOnlyForProjectsGivenAccess) {
  db::FlavorRecord priv;
  priv.flavor.id = "private-1";
  priv.flavor.name = "private.tiny";
  priv.flavor.vcpus = 1;
  priv.flavor.memory_mb = 512;
  priv.flavor.root_gb = 1;
  priv.flavor.is_public = false;
  ASSERT_TRUE(db::FlavorRepository(*db_).create(priv).ok());
  nlohmann::json b = server_body("secret");
  b["server"]["flavorRef"] = "private-1";
  auto refused = post("/v2.1/servers", b);
  ASSERT_EQ(refused->status, 400) << refused->body;
  EXPECT_EQ(body(refused)["badRequest"]["message"], "Flavor private-1 could not be found.");
  ASSERT_TRUE(db::FlavorRepository(*db_).add_access("private-1", "p-member").ok());
  auto allowed = post("/v2.1/servers", b);
  EXPECT_EQ(allowed->status, 202) << allowed->body;
}

TEST_F(ServersApiTest, MinMaxCountSharesAReservationId) {
  json b = server_body("batch");
  b["server"]["min_count"] = 2;
  b["server"]["max_count"] = "3";
  b["server"]["return_reservation_id"] = true;
  auto r = post("/v2.1/servers", b);
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string rid = body(r)["reservation_id"];
  EXPECT_EQ(rid.rfind("r-", 0), 0u);
  EXPECT_EQ(keys(body(r)), std::set<std::string>{"reservation_id"});

  auto list = body(get("/v2.1/servers?reservation_id=" + rid))["servers"];
  ASSERT_EQ(list.size(), 3u);
  std::set<std::string> names;
  for (const auto& s : list) names.insert(s["name"]);
  EXPECT_EQ(names, (std::set<std::string>{"batch-1", "batch-2", "batch-3"}));
  auto build = services_.wait_for("build_instances");
  ASSERT_TRUE(build);
  EXPECT_EQ(build->instance_uuids.size(), 3u);
  EXPECT_EQ(build->build.spec.num_instances, 3);
  EXPECT_EQ(written(), (std::pair<size_t, size_t>{3, 3}));
}

TEST_F(ServersApiTest, MaxCountShrinksToTheQuotaButNotBelowMinCount) {
  ASSERT_TRUE(db::QuotaRepository(*db_).set_limit("p-member", "instances", 2).ok());
  json b = server_body("q");
  b["server"]["min_count"] = 1;
  b["server"]["max_count"] = 5;
  b["server"]["return_reservation_id"] = true;
  auto r = post("/v2.1/servers", b);
  ASSERT_EQ(r->status, 202) << r->body;
  EXPECT_EQ(written().first, 2u);
}

// Nova's validate_networks: every port of the project counts against its
// Neutron port quota, a boot needs one per network without a port of the
// user's; max_count shrinks to what fits, below min_count it is 403.
TEST_F(ServersApiTest, ServersPortsCountAgainstTheNetworkPortQuota) {
  ASSERT_TRUE(db::NetworkQuotaRepository(*db_).set("p-member", {{"port", 4}}).ok());
  db::PortSpec spec;
  spec.network_uuid = db::kDefaultNetworkUuid;
  spec.project_id = "p-member";
  spec.preserve_on_delete = true;
  auto users_port = db::PortRepository(*db_).create(spec);
  ASSERT_TRUE(users_port.ok()) << users_port.status();

  json b = server_body("p");
  b["server"]["min_count"] = 1;
  b["server"]["max_count"] = 5;
  auto r = post("/v2.1/servers", b);
  ASSERT_EQ(r->status, 202) << r->body;
  EXPECT_EQ(written().first, 3u);  // 3 free ports: 3 servers
  EXPECT_EQ(db::NetworkQuotaRepository(*db_).usage("p-member")->at("port"), 4);

  const auto before = written();
  r = post("/v2.1/servers", server_body("one-more"));
  ASSERT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(body(r)["forbidden"]["message"], "Maximum number of ports exceeded");
  EXPECT_EQ(written(), before);

  // A server on the user's own port needs no new one.
  b = server_body("on-port");
  b["server"]["networks"] = json::array({{{"port", users_port->uuid}}});
  r = post("/v2.1/servers", b);
  ASSERT_EQ(r->status, 202) << r->body;
  EXPECT_EQ(db::NetworkQuotaRepository(*db_).usage("p-member")->at("port"), 4);

  ASSERT_TRUE(db::NetworkQuotaRepository(*db_).set("p-member", {{"port", 2}}).ok());
  r = post("/v2.1/servers", server_body("over"));
  ASSERT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(body(r)["forbidden"]["message"], "The number of defined ports: 4 is over the limit: 2");
  // Unlimited again: no check.
  ASSERT_TRUE(db::NetworkQuotaRepository(*db_).set("p-member", {{"port", -1}}).ok());
  EXPECT_EQ(post("/v2.1/servers", server_body("free"))->status, 202);
}

TEST_F(ServersApiTest, SchemaErrorsNameTheFieldAndWriteNothing) {
  struct Case {
    std::function<void(json&)> edit;
    std::string expected;  // a part of the message
  };
  const std::vector<Case> cases = {
      {[](json& b) { b["server"].erase("name"); }, "'name'"},
      {[](json& b) { b["server"]["name"] = 42; }, "server/name"},
      {[](json& b) { b["server"]["name"] = " padded "; }, "server/name"},
      {[](json& b) { b["server"].erase("flavorRef"); }, "'flavorRef'"},
      {[](json& b) { b["server"]["imageRef"] = ""; }, "server/imageRef"},
      {[](json& b) { b["server"]["min_count"] = 0; }, "server/min_count"},
      {[](json& b) { b["server"]["max_count"] = "two"; }, "server/max_count"},
      {[](json& b) { b["server"]["metadata"] = {{"k", std::string(256, 'v')}}; }, "server/metadata/k"},
      {[](json& b) { b["server"]["metadata"] = {{"k", 1}}; }, "server/metadata/k"},
      {[](json& b) { b["server"]["networks"] = "everything"; }, "server/networks"},
      {[](json& b) { b["server"]["networks"] = json::array({{{"uuid", db::kDefaultNetworkUuid}, {"fixed_ip", "10.0.0"}}}); },
       "server/networks/0/fixed_ip"},
      {[](json& b) { b["server"]["networks"] = json::array({{{"uuid", "not-a-uuid"}}}); }, "network uuid is not in proper format"},
      {[](json& b) { b["server"]["user_data"] = std::string(65536, 'A'); }, "server/user_data"},
      {[](json& b) { b["server"]["user_data"] = "not base64!"; }, "base 64"},
      {[](json& b) { b["server"]["personality"] = "not a list"; }, "server/personality"},
      {[](json& b) { b["server"]["key_name"] = ""; }, "server/key_name"},
      {[](json& b) { b["os:scheduler_hints"] = {{"group", 5}}; }, "os:scheduler_hints/group"},
      {[](json& b) { b["server"]["min_count"] = 3; b["server"]["max_count"] = 2; }, "min_count must be <= max_count"},
      {[](json& b) { b["extra"] = 1; }, "extra"},
  };
  const auto before = written();
  for (const auto& c : cases) {
    json b = server_body();
    c.edit(b);
    auto r = post("/v2.1/servers", b);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << b.dump() << " -> " << r->body;
    const std::string message = body(r)["badRequest"]["message"];
    EXPECT_NE(message.find(c.expected), std::string::npos) << b.dump() << " -> " << message;
  }
  EXPECT_EQ(written(), before);
  EXPECT_EQ(services_.count("build_instances"), 0u);
}

TEST_F(ServersApiTest, QuotaExceededIs403InNovasWordsAndWritesNothing) {
  ASSERT_TRUE(db::QuotaRepository(*db_).set_limit("p-member", "cores", 2).ok());
  json b = server_body();
  b["server"]["min_count"] = 3;
  const auto before = written();
  auto r = post("/v2.1/servers", b);
  ASSERT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(body(r)["forbidden"]["message"].get<std::string>().rfind("Quota exceeded for cores: Requested 3", 0), 0u)
      << r->body;
  EXPECT_EQ(written(), before);

  ASSERT_TRUE(db::QuotaRepository(*db_).set_limit("p-member", "metadata_items", 1).ok());
  b = server_body();
  b["server"]["metadata"] = {{"a", "1"}, {"b", "2"}};
  r = post("/v2.1/servers", b);
  ASSERT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(body(r)["forbidden"]["message"], "Maximum number of metadata items exceeds 1");
  EXPECT_EQ(written(), before);
}

TEST_F(ServersApiTest, BadReferencesAre400AndWriteNothing) {
  const auto before = written();
  auto expect_400 = [&](json b, const std::string& message) {
    auto r = post("/v2.1/servers", b);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    EXPECT_EQ(body(r)["badRequest"]["message"], message) << r->body;
  };
  json b = server_body();
  b["server"]["flavorRef"] = "42";
  expect_400(b, "Flavor 42 could not be found.");
  b = server_body();
  b["server"]["imageRef"] = "9a7e8c1e-0000-4000-8000-000000000000";
  expect_400(b, "Image 9a7e8c1e-0000-4000-8000-000000000000 could not be found.");
  b = server_body();
  b["server"]["networks"] = json::array({{{"uuid", "9a7e8c1e-0000-4000-8000-000000000001"}}});
  expect_400(b, "Network 9a7e8c1e-0000-4000-8000-000000000001 could not be found.");
  b = server_body();
  b["server"]["networks"] = json::array({{{"port", "9a7e8c1e-0000-4000-8000-000000000002"}}});
  expect_400(b, "Port id 9a7e8c1e-0000-4000-8000-000000000002 could not be found.");
  b = server_body();
  b["server"]["key_name"] = "nokey";
  expect_400(b, "Keypair nokey not found for user u-member");
  b = server_body();
  b["os:scheduler_hints"] = {{"group", "9a7e8c1e-0000-4000-8000-000000000003"}};
  expect_400(b, "Instance group 9a7e8c1e-0000-4000-8000-000000000003 could not be found.");
  b = server_body();
  b["server"]["availability_zone"] = "elsewhere";
  expect_400(b, "The requested availability zone is not available");
  b = server_body();
  b["server"]["networks"] = json::array({{{"uuid", db::kDefaultNetworkUuid}, {"fixed_ip", "10.0.0.9"}}});
  b["server"]["max_count"] = 2;
  expect_400(b, "max_count cannot be greater than 1 if an fixed_ip is specified.");

  // A forced host is an admin's: 403 for others.
  b = server_body();
  b["server"]["availability_zone"] = "nova:host1";
  auto r = post("/v2.1/servers", b);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(written(), before);
  EXPECT_EQ(services_.count("build_instances"), 0u);
}

TEST_F(ServersApiTest, FixedIpIsHonouredAndATakenOneIs409) {
  json b = server_body();
  b["server"]["networks"] = json::array({{{"uuid", db::kDefaultNetworkUuid}, {"fixed_ip", "10.0.0.50"}}});
  auto r = post("/v2.1/servers", b);
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string id = body(r)["server"]["id"];
  EXPECT_EQ(db::PortRepository(*db_).list_by_device(id).value().at(0).ip_address, "10.0.0.50");
  const auto before = written();
  r = post("/v2.1/servers", b);
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_EQ(written(), before);
}

// A port made through the Network API is bound, not copied; one bound
// already is 409 (Nova's PortInUse); another project's is not found; the
// server's delete leaves it unbound.
TEST_F(ServersApiTest, APreMadePortIsBoundAndOutlivesTheServer) {
  db::PortSpec spec;
  spec.network_uuid = db::kDefaultNetworkUuid;
  spec.project_id = "p-member";
  spec.fixed_ip = "10.0.0.60";
  spec.preserve_on_delete = true;
  auto port = db::PortRepository(*db_).create(spec);
  ASSERT_TRUE(port.ok()) << port.status();
  json b = server_body();
  b["server"]["networks"] = json::array({{{"port", port->uuid}}});
  auto r = post("/v2.1/servers", b);
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string id = body(r)["server"]["id"];
  auto ports = db::PortRepository(*db_).list_by_device(id).value();
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_EQ(ports[0].uuid, port->uuid);
  EXPECT_EQ(ports[0].ip_address, "10.0.0.60");

  const auto before = written();
  r = post("/v2.1/servers", b);
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_EQ(body(r)["conflictingRequest"]["message"], "Port " + port->uuid + " is still in use.") << r->body;
  b["server"]["max_count"] = 2;
  EXPECT_EQ(post("/v2.1/servers", b)->status, 400);
  EXPECT_EQ(written(), before);

  spec.project_id = "p-other";
  spec.fixed_ip = "10.0.0.61";
  auto others = db::PortRepository(*db_).create(spec);
  ASSERT_TRUE(others.ok()) << others.status();
  b = server_body();
  b["server"]["networks"] = json::array({{{"port", others->uuid}}});
  EXPECT_EQ(post("/v2.1/servers", b)->status, 400);

  ASSERT_EQ(del("/v2.1/servers/" + id)->status, 204);
  auto after = db::PortRepository(*db_).get(port->uuid);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->device_id, "");
}

// A create is one transaction: a step that fails after others succeeded (the
// third instance's port, the group's member quota) leaves no instance, port,
// group member or instance action behind.
TEST_F(ServersApiTest, AFailureInALaterStepOfACreateLeavesNothing) {
  db::NetworkRecord net;
  net.name = "tiny";
  net.shared = true;
  db::SubnetRecord subnet;
  subnet.name = "tiny-subnet";
  subnet.cidr = "10.9.0.0/29";
  subnet.pool_start = "10.9.0.2";
  subnet.pool_end = "10.9.0.3";  // room for two ports
  auto tiny = db::NetworkRepository(*db_).create(net, subnet);
  ASSERT_TRUE(tiny.ok()) << tiny.status();
  db::ServerGroupRecord g;
  g.name = "g";
  g.project_id = "p-member";
  g.user_id = "u-member";
  g.policy = "anti-affinity";
  auto group = db::ServerGroupRepository(*db_).create(g).value();

  auto actions = [&] {
    return db_->read("count actions", [](db::Connection& c) -> sdk::Result<std::int64_t> {
      auto st = c.prepare("count actions", "SELECT COUNT(*) FROM instance_actions");
      if (!st.ok()) return st.status();
      auto row = st->step();
      if (!row.ok()) return row.status();
      return st->int64(0);
    }).value();
  };
  auto nothing_written = [&](const std::pair<size_t, size_t>& before) {
    EXPECT_EQ(written(), before);
    EXPECT_TRUE(db::PortRepository(*db_).list_by_network(tiny->uuid).value().empty());
    EXPECT_TRUE(db::ServerGroupRepository(*db_).get(group.uuid).value().members.empty());
    EXPECT_EQ(actions(), 0);
    EXPECT_EQ(services_.count("build_instances"), 0u);
  };
  const auto before = written();

  // Instances 1 and 2 get the pool's two addresses; instance 3 gets none.
  json b = server_body("three");
  b["server"]["min_count"] = 3;
  b["server"]["networks"] = json::array({{{"uuid", tiny->uuid}}});
  b["os:scheduler_hints"] = {{"group", group.uuid}};
  auto r = post("/v2.1/servers", b);
  ASSERT_EQ(r->status, 409) << r->body;
  EXPECT_NE(r->body.find("no more IP addresses available on network " + tiny->uuid), std::string::npos) << r->body;
  nothing_written(before);

  // Ports for all on the default network, then the group refuses a third member.
  ASSERT_TRUE(db::QuotaRepository(*db_).set_limit("p-member", "server_group_members", 2).ok());
  b = server_body("three");
  b["server"]["min_count"] = 3;
  b["os:scheduler_hints"] = {{"group", group.uuid}};
  r = post("/v2.1/servers", b);
  ASSERT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(body(r)["forbidden"]["message"], "Quota exceeded, too many servers in group") << r->body;
  nothing_written(before);

  // Two fit: both are there, with their ports, members and actions.
  b["server"]["min_count"] = 2;
  r = post("/v2.1/servers", b);
  ASSERT_EQ(r->status, 202) << r->body;
  EXPECT_EQ(written().first, before.first + 2);
  EXPECT_EQ(written().second, before.second + 2);
  EXPECT_EQ(db::ServerGroupRepository(*db_).get(group.uuid).value().members.size(), 2u);
  EXPECT_EQ(actions(), 2);
}

TEST_F(ServersApiTest, NetworksNoneKeyNameZoneHostAndGroupReachTheSpec) {
  ASSERT_TRUE(db::KeypairRepository(*db_)
                  .create({"k1", "u-admin", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBvB6uNkl3Le4cZKbQpYb5p0ffTFrh1Ff0D8aOwBJWnY x", "aa", "ssh", ""})
                  .ok());
  db::ServerGroupRecord g;
  g.name = "g";
  g.project_id = "p-admin";
  g.user_id = "u-admin";
  g.policy = "anti-affinity";
  auto group = db::ServerGroupRepository(*db_).create(g).value();
  const std::string first = create_server("first", "admin");
  ASSERT_TRUE(db::ServerGroupRepository(*db_).add_members(group.uuid, {first}).ok());
  set_state(first, "active");

  json b = server_body("second");
  b["server"]["networks"] = "none";
  b["server"]["key_name"] = "k1";
  b["server"]["availability_zone"] = "nova:host1";
  b["server"]["metadata"] = {{"role", "db"}};
  b["os:scheduler_hints"] = {{"group", group.uuid}, {"different_host", first}};
  auto r = post("/v2.1/servers", b, "admin");
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string id = body(r)["server"]["id"];
  EXPECT_TRUE(db::PortRepository(*db_).list_by_device(id).value().empty());
  EXPECT_EQ(instance(id).key_name, "k1");
  EXPECT_EQ(instance(id).key_data.value_or("").rfind("ssh-ed25519 ", 0), 0u);
  EXPECT_EQ(instance(id).metadata.at("role"), "db");

  std::optional<Received> build;
  for (int i = 0; i < 600 && !build; ++i) {
    for (const auto& m : services_.all()) {
      if (m.method == "build_instances" && m.instance_uuids == std::vector<std::string>{id}) build = m;
    }
    if (!build) std::this_thread::sleep_for(5ms);
  }
  ASSERT_TRUE(build);
  const auto& spec = build->build.spec;
  EXPECT_EQ(spec.force_hosts, std::vector<std::string>{"host1"});
  EXPECT_EQ(spec.availability_zone, "nova");
  EXPECT_EQ(spec.hint("different_host"), std::vector<std::string>{first});
  ASSERT_TRUE(spec.instance_group);
  EXPECT_EQ(spec.instance_group->policy, "anti-affinity");
  EXPECT_EQ(spec.instance_group->hosts, std::vector<std::string>{"host1"});
  EXPECT_EQ(spec.instance_group->members, (std::vector<std::string>{first, id}));
  auto members = db::ServerGroupRepository(*db_).get(group.uuid).value().members;
  EXPECT_NE(std::find(members.begin(), members.end(), id), members.end());
}

TEST_F(ServersApiTest, ListFiltersSortAndPages) {
  const std::string a = create_server("alpha");
  const std::string b = create_server("bravo");
  const std::string c = create_server("charlie");
  const std::string other = create_server("admins", "admin");
  set_state(b, "active");
  set_state(c, "active", "rebooting");

  auto ids = [&](const std::string& path, const std::string& who = "member") {
    std::vector<std::string> out;
    auto r = get(path, who);
    EXPECT_EQ(r->status, 200) << path << " -> " << r->body;
    const json page = body(r);
    for (const auto& s : page["servers"]) out.push_back(s["id"]);
    return out;
  };
  EXPECT_EQ(ids("/v2.1/servers?sort_key=display_name&sort_dir=asc"), (std::vector<std::string>{a, b, c}));
  EXPECT_EQ(ids("/v2.1/servers?status=ACTIVE"), (std::vector<std::string>{c, b}));  // ACTIVE: any task, as Nova
  EXPECT_EQ(ids("/v2.1/servers?status=REBOOT"), std::vector<std::string>{c});
  EXPECT_EQ(ids("/v2.1/servers?status=BUILD"), std::vector<std::string>{a});
  EXPECT_TRUE(ids("/v2.1/servers?status=NONSENSE").empty());
  EXPECT_EQ(ids("/v2.1/servers?name=^br"), std::vector<std::string>{b});
  EXPECT_EQ(ids("/v2.1/servers?flavor=1&sort_key=display_name&sort_dir=asc").size(), 3u);
  // host is an admin's filter; a member's is ignored.
  EXPECT_EQ(ids("/v2.1/servers?host=host1").size(), 3u);
  EXPECT_EQ(ids("/v2.1/servers?host=host1&all_tenants=1", "admin").size(), 2u);
  EXPECT_EQ(ids("/v2.1/servers?all_tenants=1", "admin").size(), 4u);
  EXPECT_EQ(ids("/v2.1/servers", "admin"), std::vector<std::string>{other});
  EXPECT_EQ(get("/v2.1/servers?all_tenants=1")->status, 403);

  // Pages: a full page links to the next, which starts after its last server.
  auto r = get("/v2.1/servers/detail?sort_key=display_name&sort_dir=asc&limit=2");
  ASSERT_EQ(r->status, 200);
  auto page = body(r);
  ASSERT_EQ(page["servers"].size(), 2u);
  EXPECT_EQ(page["servers"][0]["id"], a);
  ASSERT_TRUE(page.contains("servers_links")) << page.dump();
  std::string next = page["servers_links"][0]["href"];
  EXPECT_EQ(page["servers_links"][0]["rel"], "next");
  EXPECT_NE(next.find("marker=" + b), std::string::npos) << next;
  ASSERT_EQ(next.rfind(base_, 0), 0u);
  auto r2 = get(next.substr(base_.size()));
  ASSERT_EQ(r2->status, 200) << r2->body;
  auto page2 = body(r2);
  ASSERT_EQ(page2["servers"].size(), 1u);
  EXPECT_EQ(page2["servers"][0]["id"], c);
  EXPECT_FALSE(page2.contains("servers_links"));

  r = get("/v2.1/servers?marker=9a7e8c1e-0000-4000-8000-000000000000");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body(r)["badRequest"]["message"], "marker [9a7e8c1e-0000-4000-8000-000000000000] not found");
  EXPECT_EQ(get("/v2.1/servers?sort_key=bogus")->status, 400);
  EXPECT_EQ(get("/v2.1/servers?limit=-1")->status, 400);

  // The brief form.
  auto brief = body(get("/v2.1/servers?limit=1"))["servers"][0];
  EXPECT_EQ(keys(brief), (std::set<std::string>{"id", "links", "name"}));
}

TEST_F(ServersApiTest, ChangesSinceIncludesDeletedServers) {
  const std::string a = create_server("gone");
  const std::string since = common::utc_now();
  ASSERT_EQ(del("/v2.1/servers/" + a)->status, 204);
  auto r = get("/v2.1/servers/detail?changes-since=" + since.substr(0, 19) + "Z");
  ASSERT_EQ(r->status, 200) << r->body;
  auto servers = body(r)["servers"];
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0]["status"], "DELETED");
  EXPECT_EQ(get("/v2.1/servers?changes-since=yesterday")->status, 400);
}

// The keys of /work/shared/reference/nova-26/real_server_show_2.1.json (a
// real Nova's answer to an admin at 2.1).
const std::set<std::string> kReferenceShowKeys = {
    "OS-DCF:diskConfig", "OS-EXT-AZ:availability_zone", "OS-EXT-SRV-ATTR:host", "OS-EXT-SRV-ATTR:hypervisor_hostname",
    "OS-EXT-SRV-ATTR:instance_name", "OS-EXT-STS:power_state", "OS-EXT-STS:task_state", "OS-EXT-STS:vm_state",
    "OS-SRV-USG:launched_at", "OS-SRV-USG:terminated_at", "accessIPv4", "accessIPv6", "addresses", "config_drive",
    "created", "flavor", "hostId", "id", "image", "key_name", "links", "metadata", "name",
    "os-extended-volumes:volumes_attached", "progress", "status", "tenant_id", "updated", "user_id"};

TEST_F(ServersApiTest, ShowHasNovasShapeAndAdminOnlyFields) {
  const std::string id = create_server("shown", "admin");
  set_state(id, "active");
  auto r = get("/v2.1/servers/" + id, "admin");
  ASSERT_EQ(r->status, 200) << r->body;
  const json s = body(r)["server"];
  std::set<std::string> expected = kReferenceShowKeys;
  expected.insert("security_groups");  // it has a port (the reference server had none)
  EXPECT_EQ(keys(s), expected);
  EXPECT_EQ(s["status"], "ACTIVE");
  EXPECT_EQ(s["OS-EXT-STS:power_state"], 1);
  EXPECT_EQ(s["OS-EXT-SRV-ATTR:host"], "host1");
  EXPECT_EQ(s["OS-EXT-SRV-ATTR:instance_name"].get<std::string>().rfind("instance-", 0), 0u);
  EXPECT_EQ(s["hostId"], common::sha224_hex("p-admin" "host1"));
  EXPECT_EQ(s["flavor"]["links"][0]["href"], base_ + "/flavors/1");
  EXPECT_EQ(s["image"]["id"], db::kDefaultImageUuid);
  EXPECT_EQ(s["created"].get<std::string>().back(), 'Z');
  const json& addrs = s["addresses"]["private"];
  ASSERT_EQ(addrs.size(), 1u);
  EXPECT_EQ(keys(addrs[0]), (std::set<std::string>{"OS-EXT-IPS-MAC:mac_addr", "OS-EXT-IPS:type", "addr", "version"}));
  EXPECT_EQ(addrs[0]["version"], 4);
  EXPECT_EQ(addrs[0]["OS-EXT-IPS:type"], "fixed");

  // A member sees its own server without the admin's fields, and no one else's.
  const std::string mine = create_server("mine");
  auto m = body(get("/v2.1/servers/" + mine))["server"];
  EXPECT_FALSE(m.contains("OS-EXT-SRV-ATTR:host"));
  EXPECT_EQ(m["status"], "BUILD");
  EXPECT_EQ(m["hostId"], "");
  r = get("/v2.1/servers/" + id);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(body(r), json::parse(R"({"itemNotFound": {"code": 404, "message": "Instance )" + id +
                                    R"( could not be found."}})"));
}

TEST_F(ServersApiTest, IpsListTheAddressesByNetwork) {
  const std::string id = create_server("addressed");
  auto r = get("/v2.1/servers/" + id + "/ips");
  ASSERT_EQ(r->status, 200) << r->body;
  const json all = body(r)["addresses"];
  ASSERT_EQ(all["private"].size(), 1u);
  // The basic view: no OS-EXT-IPS attributes.
  EXPECT_EQ(keys(all["private"][0]), (std::set<std::string>{"addr", "version"}));
  r = get("/v2.1/servers/" + id + "/ips/private");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["private"], all["private"]);
  r = get("/v2.1/servers/" + id + "/ips/elsewhere");
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(body(r)["itemNotFound"]["message"], "There are no instances with network label elsewhere.");
  // Another project's server is not found, addresses and all.
  const std::string theirs = create_server("theirs", "admin");
  EXPECT_EQ(get("/v2.1/servers/" + theirs + "/ips")->status, 404);
}

TEST_F(ServersApiTest, ErrorServersShowTheirFault) {
  const std::string id = create_server("broken");
  db::InstanceUpdate u;
  u.vm_state = "error";
  u.task_state = std::optional<std::string>();
  ASSERT_TRUE(db::InstanceRepository(*db_).update(id, u).ok());
  ASSERT_TRUE(db::InstanceFaultRepository(*db_).add(id, 500, "No valid host was found.", "Traceback ...").ok());
  auto s = body(get("/v2.1/servers/" + id))["server"];
  EXPECT_EQ(s["status"], "ERROR");
  ASSERT_TRUE(s.contains("fault"));
  EXPECT_EQ(s["fault"]["message"], "No valid host was found.");
  EXPECT_EQ(s["fault"]["code"], 500);
  EXPECT_FALSE(s["fault"].contains("details"));  // a 500's details are for admins
  EXPECT_EQ(body(get("/v2.1/servers/" + id, "admin"))["server"]["fault"]["details"], "Traceback ...");
}

TEST_F(ServersApiTest, UpdateRenames) {
  const std::string id = create_server("old");
  auto r = put("/v2.1/servers/" + id, {{"server", {{"name", "new"}}}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["server"]["name"], "new");
  EXPECT_EQ(instance(id).display_name, "new");
  // Nova's update answer is the core view: no extension attributes.
  const json updated = body(r)["server"];
  EXPECT_TRUE(updated.contains("addresses") && updated.contains("hostId") && updated.contains("links"));
  for (const char* key : {"OS-EXT-STS:vm_state", "OS-EXT-AZ:availability_zone", "key_name", "config_drive",
                          "OS-SRV-USG:launched_at", "os-extended-volumes:volumes_attached"}) {
    EXPECT_FALSE(updated.contains(key)) << key;
  }
  // accessIPv4 is Nova's 2.1 field; a value that is no IPv4 address is a 400.
  r = put("/v2.1/servers/" + id, {{"server", {{"accessIPv4", "1.2.3.4"}}}});
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(instance(id).access_ip_v4, "1.2.3.4");
  EXPECT_EQ(put("/v2.1/servers/" + id, {{"server", {{"accessIPv4", "::1"}}}})->status, 400);
  EXPECT_EQ(put("/v2.1/servers/9a7e8c1e-0000-4000-8000-000000000000", {{"server", {{"name", "x"}}}})->status, 404);
}

TEST(ServerStatus, FollowsNovasStateMap) {
  EXPECT_EQ(server_status("active", std::nullopt), "ACTIVE");
  EXPECT_EQ(server_status("active", "rebooting"), "REBOOT");
  EXPECT_EQ(server_status("active", "rebooting_hard"), "HARD_REBOOT");
  EXPECT_EQ(server_status("active", "deleting"), "ACTIVE");
  EXPECT_EQ(server_status("building", "scheduling"), "BUILD");
  EXPECT_EQ(server_status("stopped", std::nullopt), "SHUTOFF");
  EXPECT_EQ(server_status("stopped", "rebuilding"), "REBUILD");
  EXPECT_EQ(server_status("soft-delete", std::nullopt), "SOFT_DELETED");
  EXPECT_EQ(server_status("deleted", std::nullopt), "DELETED");
  EXPECT_EQ(server_status("nonsense", std::nullopt), "UNKNOWN");
  auto f = states_for_status("hard_reboot");
  EXPECT_EQ(f.vm_states, std::vector<std::string>{"active"});
  EXPECT_FALSE(f.any_task_state);
  EXPECT_EQ(f.task_states.size(), 3u);
}

TEST(Sha224, MatchesKnownDigestsAndNovasHostId) {
  EXPECT_EQ(common::sha224_hex("abc"), "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
  EXPECT_EQ(common::sha224_hex(""), "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f");
  // real_server_show_2.1.json: project "admin" on host "fake-host-0".
  EXPECT_EQ(common::sha224_hex("adminfake-host-0"), "d87788aaee1b025f6946b412b80a7f5fd8bc61c1168e8a2c42ad100a");
}

}  // namespace
}  // namespace stratus::core::api::test_support
