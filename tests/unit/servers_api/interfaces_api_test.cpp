// A server's ports over REST (issue #20): os-interface (list, show, attach
// by network or port, detach), the pre-2.44 addFixedIp / removeFixedIp,
// trigger_crash_dump (2.17) and os-volume_attachments without a volume
// service. The compute host is the recording double of servers_test_support.h:
// what it is sent (the port, the rules) and what it answers (scripted) are
// checked, and a refusal on the host leaves the ports as they were.
#include "servers_test_support.h"

#include <algorithm>

#include "core/db/instance_action_repository.h"
#include "core/db/network_quota_repository.h"

namespace stratus::core::api::test_support {
namespace {

using nlohmann::json;

class InterfacesApiTest : public ServersApiTest {
 protected:
  httplib::Result vpost(const std::string& path, const json& b, const std::string& version,
                        const std::string& who = "member") {
    return client_->Post(path.c_str(), as(who, version), b.dump(), "application/json");
  }
  httplib::Result vget(const std::string& path, const std::string& version, const std::string& who = "member") {
    return client_->Get(path.c_str(), as(who, version));
  }
  std::string active_server(const std::string& name = "vm") {
    std::string id = create_server(name);
    set_state(id, "active");
    return id;
  }
  std::vector<db::PortRecord> ports_of(const std::string& id) {
    auto ports = db::PortRepository(*db_).list_by_device(id);
    EXPECT_TRUE(ports.ok());
    return ports.ok() ? *ports : std::vector<db::PortRecord>{};
  }
  std::vector<std::string> actions_of(const std::string& id) {
    std::vector<std::string> out;
    auto actions = db::InstanceActionRepository(*db_).list(id);
    EXPECT_TRUE(actions.ok());
    if (!actions.ok()) return out;
    for (const auto& a : *actions) out.push_back(a.action);
    return out;
  }
  static bool has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }
  httplib::Result attach(const std::string& id, const json& attachment, const std::string& version = "2.1") {
    return vpost("/v2.1/servers/" + id + "/os-interface", {{"interfaceAttachment", attachment}}, version);
  }
};

TEST_F(InterfacesApiTest, ListAndShowAreNovasViewOfThePorts) {
  const std::string id = active_server();
  const auto ports = ports_of(id);
  ASSERT_EQ(ports.size(), 1u);
  auto r = get("/v2.1/servers/" + id + "/os-interface");
  ASSERT_EQ(r->status, 200) << r->body;
  const json list = body(r)["interfaceAttachments"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(keys(list[0]), (std::set<std::string>{"port_state", "fixed_ips", "mac_addr", "net_id", "port_id"}));
  EXPECT_EQ(list[0]["port_id"], ports[0].uuid);
  EXPECT_EQ(list[0]["net_id"], db::kDefaultNetworkUuid);
  EXPECT_EQ(list[0]["mac_addr"], ports[0].mac_address);
  EXPECT_EQ(list[0]["fixed_ips"][0]["ip_address"], ports[0].ip_address);
  EXPECT_EQ(list[0]["fixed_ips"][0]["subnet_id"], ports[0].subnet_uuid);

  // 2.70 shows the tag (none here).
  auto shown = vget("/v2.1/servers/" + id + "/os-interface/" + ports[0].uuid, "2.70");
  ASSERT_EQ(shown->status, 200) << shown->body;
  EXPECT_TRUE(body(shown)["interfaceAttachment"]["tag"].is_null());

  auto missing = get("/v2.1/servers/" + id + "/os-interface/00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("could not be found"), std::string::npos);
  // Another server's port is not this one's.
  const std::string other = active_server("other");
  auto foreign = get("/v2.1/servers/" + other + "/os-interface/" + ports[0].uuid);
  EXPECT_EQ(foreign->status, 404);
  EXPECT_NE(foreign->body.find("does not have a port with id"), std::string::npos);
}

TEST_F(InterfacesApiTest, AttachOnANetworkMakesAPortAndThHostPlugsIt) {
  const std::string id = active_server();
  const std::string first = ports_of(id)[0].uuid;
  auto r = attach(id, {{"net_id", db::kDefaultNetworkUuid}});
  ASSERT_EQ(r->status, 200) << r->body;
  const json a = body(r)["interfaceAttachment"];
  const auto ports = ports_of(id);
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(a["port_id"], ports[1].uuid);
  EXPECT_EQ(a["fixed_ips"][0]["ip_address"], ports[1].ip_address);
  // The host was asked to plug that port, with the rules of both.
  auto sent = services_.wait_for("attach_interface");
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->vif.id, ports[1].uuid);
  EXPECT_EQ(sent->vif.address, ports[1].mac_address);
  EXPECT_EQ(sent->rule_ports, (std::vector<std::string>{first, ports[1].uuid}));
  EXPECT_TRUE(has(actions_of(id), "attach_interface"));
}

TEST_F(InterfacesApiTest, AttachPastThePortQuotaIsNovas403AndMakesNoPort) {
  const std::string id = active_server();
  ASSERT_TRUE(db::NetworkQuotaRepository(*db_).set("p-member", {{"port", 1}}).ok());
  auto r = attach(id, {{"net_id", db::kDefaultNetworkUuid}});
  ASSERT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(body(r)["forbidden"]["message"], "Maximum number of ports exceeded");
  EXPECT_EQ(ports_of(id).size(), 1u);
  EXPECT_EQ(services_.count("attach_interface"), 0u);
}

TEST_F(InterfacesApiTest, AttachWithAFixedIpTakesItAndATakenOneIs409) {
  const std::string id = active_server();
  auto r = attach(id, {{"net_id", db::kDefaultNetworkUuid}, {"fixed_ips", {{{"ip_address", "10.0.0.77"}}}}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["interfaceAttachment"]["fixed_ips"][0]["ip_address"], "10.0.0.77");
  auto again = attach(id, {{"net_id", db::kDefaultNetworkUuid}, {"fixed_ips", {{{"ip_address", "10.0.0.77"}}}}});
  EXPECT_EQ(again->status, 409) << again->body;
  EXPECT_NE(again->body.find("is already in use on instance"), std::string::npos);
  EXPECT_EQ(ports_of(id).size(), 2u);
}

TEST_F(InterfacesApiTest, BadAttachRequestsAreRefusedAndChangeNothing) {
  const std::string id = active_server();
  const std::string port = ports_of(id)[0].uuid;
  const auto cases = std::vector<std::pair<json, int>>{
      {{{"net_id", db::kDefaultNetworkUuid}, {"port_id", port}}, 400},            // both
      {{{"fixed_ips", {{{"ip_address", "10.0.0.9"}}}}}, 400},                     // an IP without a network
      {{{"net_id", "not-a-uuid"}}, 400},                                          // schema
      {{{"net_id", db::kDefaultNetworkUuid}, {"color", "red"}}, 400},             // unknown key
      {{{"net_id", "11111111-2222-3333-4444-555555555555"}}, 404},                // no such network
      {{{"port_id", "11111111-2222-3333-4444-555555555555"}}, 404},               // no such port
      {{{"port_id", port}}, 409},                                                 // in use (its own)
  };
  for (const auto& [attachment, code] : cases) {
    auto r = attach(id, attachment);
    EXPECT_EQ(r->status, code) << attachment.dump() << " -> " << r->body;
  }
  // A tag is accepted by the schema from 2.49, then refused: no driver here tags devices.
  auto tagged = attach(id, {{"net_id", db::kDefaultNetworkUuid}, {"tag", "eth9"}}, "2.49");
  EXPECT_EQ(tagged->status, 400);
  EXPECT_NE(tagged->body.find("Tagged network interface attachments are not supported"), std::string::npos);
  EXPECT_EQ(attach(id, {{"net_id", db::kDefaultNetworkUuid}, {"tag", "eth9"}}, "2.48")->status, 400);
  EXPECT_EQ(ports_of(id).size(), 1u);
  EXPECT_EQ(services_.count("attach_interface"), 0u);
}

TEST_F(InterfacesApiTest, AttachFollowsNovasStateRulesAndTheLock) {
  const std::string id = create_server();
  set_state(id, "suspended");
  auto r = attach(id, {{"net_id", db::kDefaultNetworkUuid}});
  EXPECT_EQ(r->status, 409);
  EXPECT_NE(r->body.find("Cannot 'attach_interface' instance " + id + " while it is in vm_state suspended"),
            std::string::npos)
      << r->body;
  set_state(id, "stopped");
  ASSERT_EQ(action(id, {{"lock", nullptr}}, "admin")->status, 202);
  auto locked = attach(id, {{"net_id", db::kDefaultNetworkUuid}});
  EXPECT_EQ(locked->status, 409);
  EXPECT_NE(locked->body.find("is locked"), std::string::npos);
  EXPECT_EQ(ports_of(id).size(), 1u);
}

TEST_F(InterfacesApiTest, AHostThatCannotAttachGetsNovas400AndThePortIsGone) {
  const std::string id = active_server();
  services_.interface_error = sdk::Status::NotSupported("attach_interface: the driver cannot");
  auto r = attach(id, {{"net_id", db::kDefaultNetworkUuid}});
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("Attaching interfaces is not supported for instance " + id + "."), std::string::npos)
      << r->body;
  EXPECT_EQ(ports_of(id).size(), 1u);
  // A driver failure is Nova's InterfaceAttachFailed (500), and undone too.
  services_.interface_error = sdk::Status::Internal("qemu said no");
  auto failed = attach(id, {{"net_id", db::kDefaultNetworkUuid}});
  EXPECT_EQ(failed->status, 500);
  EXPECT_NE(failed->body.find("Failed to attach network adapter device to " + id), std::string::npos);
  EXPECT_EQ(ports_of(id).size(), 1u);
}

TEST_F(InterfacesApiTest, DetachUnplugsThenDeletesThePort) {
  const std::string id = active_server();
  ASSERT_EQ(attach(id, {{"net_id", db::kDefaultNetworkUuid}})->status, 200);
  const auto ports = ports_of(id);
  ASSERT_EQ(ports.size(), 2u);
  auto r = del("/v2.1/servers/" + id + "/os-interface/" + ports[1].uuid);
  ASSERT_EQ(r->status, 202) << r->body;
  auto sent = services_.wait_for("detach_interface");
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->vif.id, ports[1].uuid);
  EXPECT_EQ(sent->vif.address, ports[1].mac_address);
  EXPECT_EQ(sent->rule_ports, (std::vector<std::string>{ports[0].uuid}));
  EXPECT_EQ(ports_of(id).size(), 1u);
  EXPECT_TRUE(has(actions_of(id), "detach_interface"));
  // Gone now, and a port of another server was never this one's.
  EXPECT_EQ(del("/v2.1/servers/" + id + "/os-interface/" + ports[1].uuid)->status, 404);
  const std::string other = active_server("other");
  EXPECT_EQ(del("/v2.1/servers/" + other + "/os-interface/" + ports[0].uuid)->status, 404);
  EXPECT_EQ(ports_of(id).size(), 1u);
}

TEST_F(InterfacesApiTest, ADetachTheHostRefusesKeepsThePort) {
  const std::string id = active_server();
  const std::string port = ports_of(id)[0].uuid;
  services_.interface_error = sdk::Status::NotSupported("detach_interface");
  auto r = del("/v2.1/servers/" + id + "/os-interface/" + port);
  EXPECT_EQ(r->status, 501) << r->body;
  EXPECT_EQ(ports_of(id).size(), 1u);
}

TEST_F(InterfacesApiTest, MultinicAddsAndRemovesAPortUpTo243) {
  const std::string id = active_server();
  auto added = action(id, {{"addFixedIp", {{"networkId", db::kDefaultNetworkUuid}}}});
  ASSERT_EQ(added->status, 202) << added->body;
  auto ports = ports_of(id);
  ASSERT_EQ(ports.size(), 2u);
  auto removed = action(id, {{"removeFixedIp", {{"address", ports[1].ip_address}}}});
  ASSERT_EQ(removed->status, 202) << removed->body;
  ports = ports_of(id);
  ASSERT_EQ(ports.size(), 1u);
  auto unknown = action(id, {{"removeFixedIp", {{"address", "10.9.9.9"}}}});
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(unknown->body.find("does not have fixed IP '10.9.9.9'"), std::string::npos) << unknown->body;
  EXPECT_EQ(action(id, {{"addFixedIp", {}}})->status, 400);
  // Gone from 2.44, as in Nova.
  auto late = vpost("/v2.1/servers/" + id + "/action", {{"addFixedIp", {{"networkId", db::kDefaultNetworkUuid}}}},
                    "2.44");
  EXPECT_EQ(late->status, 400);
  EXPECT_EQ(ports_of(id).size(), 1u);
}

TEST_F(InterfacesApiTest, CrashDumpIsACallToTheHostFrom217) {
  const std::string id = active_server();
  const std::string path = "/v2.1/servers/" + id + "/action";
  EXPECT_EQ(vpost(path, {{"trigger_crash_dump", nullptr}}, "2.16")->status, 400);
  auto r = vpost(path, {{"trigger_crash_dump", nullptr}}, "2.17");
  ASSERT_EQ(r->status, 202) << r->body;
  EXPECT_EQ(services_.count("trigger_crash_dump"), 1u);
  EXPECT_TRUE(has(actions_of(id), "trigger_crash_dump"));
  EXPECT_EQ(instance(id).vm_state, "active");
  EXPECT_FALSE(instance(id).task_state.has_value());

  services_.crash_dump_error = sdk::Status::NotSupported("trigger_crash_dump");
  auto unsupported = vpost(path, {{"trigger_crash_dump", nullptr}}, "2.17");
  EXPECT_EQ(unsupported->status, 400);
  EXPECT_NE(unsupported->body.find("Triggering crash dump is not supported"), std::string::npos);
  services_.crash_dump_error = sdk::Status::InvalidState("domain is not running");
  EXPECT_EQ(vpost(path, {{"trigger_crash_dump", nullptr}}, "2.17")->status, 409);

  set_state(id, "stopped");
  auto stopped = vpost(path, {{"trigger_crash_dump", nullptr}}, "2.17");
  EXPECT_EQ(stopped->status, 409);
  EXPECT_NE(stopped->body.find("while it is in vm_state stopped"), std::string::npos) << stopped->body;
  EXPECT_EQ(vpost(path, {{"trigger_crash_dump", {{"x", 1}}}}, "2.17")->status, 400);
  EXPECT_EQ(services_.count("trigger_crash_dump"), 3u);
}

TEST_F(InterfacesApiTest, VolumeAttachmentsAreEmptyWithoutAVolumeService) {
  const std::string id = active_server();
  auto r = get("/v2.1/servers/" + id + "/os-volume_attachments");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r), json({{"volumeAttachments", json::array()}}));
  const std::string vol = "11111111-2222-3333-4444-555555555555";
  auto attached = post("/v2.1/servers/" + id + "/os-volume_attachments", {{"volumeAttachment", {{"volumeId", vol}}}});
  EXPECT_EQ(attached->status, 404);
  EXPECT_NE(attached->body.find("Volume " + vol + " could not be found."), std::string::npos) << attached->body;
  EXPECT_EQ(post("/v2.1/servers/" + id + "/os-volume_attachments", {{"volumeAttachment", {}}})->status, 400);
  auto shown = get("/v2.1/servers/" + id + "/os-volume_attachments/" + vol);
  EXPECT_EQ(shown->status, 404);
  EXPECT_NE(shown->body.find("is not attached to volume"), std::string::npos);
  EXPECT_EQ(del("/v2.1/servers/" + id + "/os-volume_attachments/" + vol)->status, 404);
  EXPECT_EQ(get("/v2.1/servers/11111111-0000-0000-0000-000000000000/os-volume_attachments")->status, 404);
}

TEST_F(InterfacesApiTest, RemoteConsolesAnswerAsNovaWithEveryConsoleSwitchedOff) {
  const std::string id = active_server();
  const std::string path = "/v2.1/servers/" + id + "/remote-consoles";
  auto r = vpost(path, {{"remote_console", {{"protocol", "vnc"}, {"type", "novnc"}}}}, "2.6");
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("Unavailable console type novnc."), std::string::npos) << r->body;
  EXPECT_EQ(vpost(path, {{"remote_console", {{"protocol", "vnc"}, {"type", "telnet"}}}}, "2.6")->status, 400);
  // mks only from 2.8, as Nova's schemas say.
  EXPECT_NE(vpost(path, {{"remote_console", {{"protocol", "mks"}, {"type", "webmks"}}}}, "2.6")->body.find(
                "Invalid input"),
            std::string::npos);
  EXPECT_NE(vpost(path, {{"remote_console", {{"protocol", "mks"}, {"type", "webmks"}}}}, "2.8")->body.find(
                "Unavailable console type webmks."),
            std::string::npos);
  EXPECT_EQ(vpost(path, {{"remote_console", {{"protocol", "vnc"}, {"type", "novnc"}}}}, "2.5")->status, 404);
  // A server not placed yet is not ready.
  const std::string building = create_server("b");
  auto not_ready = vpost("/v2.1/servers/" + building + "/remote-consoles",
                         {{"remote_console", {{"protocol", "serial"}, {"type", "serial"}}}}, "2.6");
  EXPECT_EQ(not_ready->status, 409) << not_ready->body;
}

}  // namespace
}  // namespace stratus::core::api::test_support
