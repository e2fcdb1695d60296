// Servers at microversions 2.2 .. 2.93: the keys each version adds to the
// views, what PUT and rebuild answer before and from 2.75, the request fields
// later versions accept, tags, lock/unlock, os-resetState, and the actions of
// features Stratus does not deploy.
#include "servers_test_support.h"

namespace stratus::core::api::test_support {
namespace {

using nlohmann::json;

class ServersMicroversionTest : public ServersApiTest {
 protected:
  httplib::Result vget(const std::string& path, const std::string& version, const std::string& who = "member") {
    return client_->Get(path.c_str(), as(who, version));
  }
  httplib::Result vpost(const std::string& path, const json& b, const std::string& version,
                        const std::string& who = "member") {
    return client_->Post(path.c_str(), as(who, version), b.dump(), "application/json");
  }
  httplib::Result vput(const std::string& path, const json& b, const std::string& version,
                       const std::string& who = "member") {
    return client_->Put(path.c_str(), as(who, version), b.dump(), "application/json");
  }
  httplib::Result vdel(const std::string& path, const std::string& version, const std::string& who = "member") {
    return client_->Delete(path.c_str(), as(who, version));
  }
  json show(const std::string& id, const std::string& version, const std::string& who = "member") {
    auto r = vget("/v2.1/servers/" + id, version, who);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no reply");
    return r && r->status == 200 ? body(r)["server"] : json();
  }
  std::string active_server(const std::string& name = "vm") {
    std::string id = create_server(name);
    set_state(id, "active");
    return id;
  }
};

TEST_F(ServersMicroversionTest, ShowAddsTheKeysOfEachVersion) {
  const std::string id = active_server();
  json v21 = show(id, "2.1");
  for (const char* k : {"locked", "description", "tags", "trusted_image_certificates", "locked_reason",
                        "host_status", "server_groups", "OS-EXT-SRV-ATTR:hostname"}) {
    EXPECT_FALSE(v21.contains(k)) << k;
  }
  EXPECT_TRUE(v21["flavor"].contains("links"));

  json v29 = show(id, "2.9");
  EXPECT_EQ(v29["locked"], false);
  EXPECT_FALSE(v29.contains("description"));
  json v219 = show(id, "2.19");
  EXPECT_TRUE(v219["description"].is_null());
  json v226 = show(id, "2.26");
  EXPECT_EQ(v226["tags"], json::array());
  json v247 = show(id, "2.47");
  EXPECT_EQ(keys(v247["flavor"]), (std::set<std::string>{"disk", "ephemeral", "extra_specs", "original_name", "ram",
                                                         "swap", "vcpus"}));
  json v263 = show(id, "2.63");
  EXPECT_TRUE(v263["trusted_image_certificates"].is_null());
  json v271 = show(id, "2.71");
  EXPECT_EQ(v271["server_groups"], json::array());
  json v273 = show(id, "2.73");
  EXPECT_TRUE(v273["locked_reason"].is_null());
  // A member sees neither host_status nor the extended attributes, but 2.90's hostname.
  EXPECT_FALSE(v273.contains("host_status"));
  EXPECT_FALSE(v273.contains("OS-EXT-SRV-ATTR:hostname"));
  json v290 = show(id, "2.90");
  EXPECT_EQ(v290["OS-EXT-SRV-ATTR:hostname"], "vm");
  EXPECT_FALSE(v290.contains("OS-EXT-SRV-ATTR:host"));
}

TEST_F(ServersMicroversionTest, AdminsSeeTheExtendedAttributesOf23AndHostStatus) {
  const std::string id = active_server();
  json v21 = show(id, "2.1", "admin");
  EXPECT_TRUE(v21.contains("OS-EXT-SRV-ATTR:host"));
  EXPECT_FALSE(v21.contains("OS-EXT-SRV-ATTR:reservation_id"));
  json v23 = show(id, "2.3", "admin");
  for (const char* k : {"OS-EXT-SRV-ATTR:reservation_id", "OS-EXT-SRV-ATTR:launch_index", "OS-EXT-SRV-ATTR:hostname",
                        "OS-EXT-SRV-ATTR:kernel_id", "OS-EXT-SRV-ATTR:ramdisk_id", "OS-EXT-SRV-ATTR:root_device_name",
                        "OS-EXT-SRV-ATTR:user_data"}) {
    EXPECT_TRUE(v23.contains(k)) << k;
  }
  EXPECT_EQ(v23["OS-EXT-SRV-ATTR:reservation_id"], instance(id).reservation_id);
  json v216 = show(id, "2.16", "admin");
  EXPECT_EQ(v216["host_status"], "UP");  // host1 registered just now
}

TEST_F(ServersMicroversionTest, UpdateAndRebuildAnswerTheCoreViewBefore275AndEverythingFrom275) {
  const std::string id = active_server();
  auto u21 = vput("/v2.1/servers/" + id, {{"server", {{"name", "vm2"}}}}, "2.1");
  ASSERT_EQ(u21->status, 200) << u21->body;
  json core = body(u21)["server"];
  for (const char* k : {"OS-EXT-STS:vm_state", "OS-EXT-AZ:availability_zone", "key_name", "config_drive",
                        "OS-SRV-USG:launched_at", "security_groups", "locked"}) {
    EXPECT_FALSE(core.contains(k)) << k;
  }
  auto u275 = vput("/v2.1/servers/" + id, {{"server", {{"name", "vm3"}}}}, "2.75");
  ASSERT_EQ(u275->status, 200) << u275->body;
  json all = body(u275)["server"];
  for (const char* k : {"OS-EXT-STS:vm_state", "OS-EXT-AZ:availability_zone", "key_name", "config_drive",
                        "OS-SRV-USG:launched_at", "locked", "locked_reason", "server_groups", "tags"}) {
    EXPECT_TRUE(all.contains(k)) << k;
  }

  auto r21 = vpost("/v2.1/servers/" + id + "/action", {{"rebuild", {{"imageRef", db::kDefaultImageUuid}}}}, "2.1");
  ASSERT_EQ(r21->status, 202) << r21->body;
  EXPECT_FALSE(body(r21)["server"].contains("OS-EXT-STS:vm_state"));
  EXPECT_FALSE(body(r21)["server"].contains("key_name"));
  EXPECT_EQ(body(r21)["server"]["adminPass"].get<std::string>().size(), 12u);  // generated, as Nova
  set_state(id, "active");
  auto r257 = vpost("/v2.1/servers/" + id + "/action",
                    {{"rebuild", {{"imageRef", db::kDefaultImageUuid}, {"user_data", "ZWNobw=="}, {"key_name", nullptr}}}},
                    "2.57");
  ASSERT_EQ(r257->status, 202) << r257->body;
  json rb = body(r257)["server"];
  EXPECT_TRUE(rb.contains("key_name"));
  EXPECT_EQ(rb["user_data"], "ZWNobw==");
  EXPECT_FALSE(rb.contains("OS-EXT-STS:vm_state"));
  set_state(id, "active");
  auto r275 = vpost("/v2.1/servers/" + id + "/action", {{"rebuild", {{"imageRef", db::kDefaultImageUuid}}}}, "2.75",
                    "admin");
  ASSERT_EQ(r275->status, 202) << r275->body;
  json ra = body(r275)["server"];
  EXPECT_TRUE(ra.contains("OS-EXT-STS:vm_state"));
  EXPECT_TRUE(ra.contains("OS-EXT-SRV-ATTR:hostname"));
  EXPECT_FALSE(ra.contains("OS-EXT-SRV-ATTR:user_data"));  // rebuild shows its own user_data
  EXPECT_TRUE(ra.contains("user_data"));
}

TEST_F(ServersMicroversionTest, LaterRequestFieldsAreRefusedBeforeTheirVersion) {
  json b = server_body();
  b["server"]["description"] = "d";
  EXPECT_EQ(vpost("/v2.1/servers", b, "2.18")->status, 400);
  auto ok = vpost("/v2.1/servers", b, "2.19");
  ASSERT_EQ(ok->status, 202) << ok->body;
  EXPECT_EQ(instance(body(ok)["server"]["id"]).display_description, "d");

  json t = server_body();
  t["server"]["tags"] = {"a", "b"};
  t["server"]["networks"] = "auto";  // required from 2.37
  EXPECT_EQ(vpost("/v2.1/servers", t, "2.51")->status, 400);
  auto tagged = vpost("/v2.1/servers", t, "2.52");
  ASSERT_EQ(tagged->status, 202) << tagged->body;
  EXPECT_EQ(instance(body(tagged)["server"]["id"]).tags, (std::vector<std::string>{"a", "b"}));

  json h = server_body();
  h["server"]["hostname"] = "my-host";
  h["server"]["networks"] = "auto";
  EXPECT_EQ(vpost("/v2.1/servers", h, "2.89")->status, 400);
  auto named = vpost("/v2.1/servers", h, "2.90");
  ASSERT_EQ(named->status, 202) << named->body;
  EXPECT_EQ(instance(body(named)["server"]["id"]).hostname, "my-host");

  json d = server_body();
  d["server"]["host"] = "host1";
  d["server"]["networks"] = "none";
  EXPECT_EQ(vpost("/v2.1/servers", d, "2.74")->status, 403);  // admins only
  d["server"]["host"] = "nowhere";
  auto unknown = vpost("/v2.1/servers", d, "2.74", "admin");
  EXPECT_EQ(unknown->status, 400) << unknown->body;
}

TEST_F(ServersMicroversionTest, NetworksAreRequiredFrom237) {
  EXPECT_EQ(vpost("/v2.1/servers", server_body(), "2.36")->status, 202);
  auto missing = vpost("/v2.1/servers", server_body(), "2.37");
  EXPECT_EQ(missing->status, 400);
  EXPECT_NE(missing->body.find("networks"), std::string::npos);
}

TEST_F(ServersMicroversionTest, AccessIpsAndDiskConfigAreStoredAndShown) {
  json b = server_body();
  b["server"]["accessIPv4"] = "1.2.3.4";
  b["server"]["accessIPv6"] = "0000:0000:0000:0000:0000:babe:220.12.22.2";
  b["server"]["OS-DCF:diskConfig"] = "AUTO";
  auto r = post("/v2.1/servers", b);
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string id = body(r)["server"]["id"];
  json s = show(id, "2.1");
  EXPECT_EQ(s["accessIPv4"], "1.2.3.4");
  EXPECT_EQ(s["accessIPv6"], "::babe:dc0c:1602");  // canonical, as Nova (netaddr) stores it
  EXPECT_EQ(s["OS-DCF:diskConfig"], "AUTO");
  auto u = put("/v2.1/servers/" + id, {{"server", {{"OS-DCF:diskConfig", "MANUAL"}, {"accessIPv4", "5.6.7.8"}}}});
  ASSERT_EQ(u->status, 200) << u->body;
  EXPECT_EQ(body(u)["server"]["OS-DCF:diskConfig"], "MANUAL");
  EXPECT_EQ(body(u)["server"]["accessIPv4"], "5.6.7.8");

  json bad = server_body();
  bad["server"]["accessIPv4"] = "not-an-ip";
  auto refused = post("/v2.1/servers", bad);
  EXPECT_EQ(refused->status, 400);
  EXPECT_NE(refused->body.find("accessIPv4"), std::string::npos);
}

TEST_F(ServersMicroversionTest, TagsApiAndFilters) {
  const std::string a = active_server("a");
  const std::string b = active_server("b");
  const std::string base = "/v2.1/servers/" + a + "/tags";
  EXPECT_EQ(vget(base, "2.25")->status, 404);
  auto put_all = vput(base, {{"tags", {"x", "y"}}}, "2.26");
  ASSERT_EQ(put_all->status, 200) << put_all->body;
  EXPECT_EQ(body(put_all)["tags"], json({"x", "y"}));
  auto added = vput(base + "/z", nullptr, "2.26");
  EXPECT_EQ(added->status, 201);
  const std::string location = added->get_header_value("Location");
  ASSERT_GE(location.size(), base.size() + 2);
  EXPECT_EQ(location.substr(location.size() - base.size() - 2), base + "/z");
  EXPECT_EQ(vput(base + "/z", nullptr, "2.26")->status, 204);
  EXPECT_EQ(vget(base + "/z", "2.26")->status, 204);
  EXPECT_EQ(vget(base + "/nope", "2.26")->status, 404);
  EXPECT_EQ(vput(base, {{"tags", {"bad/tag"}}}, "2.26")->status, 400);

  auto tagged = vget("/v2.1/servers?tags=x,z", "2.26");
  ASSERT_EQ(tagged->status, 200);
  ASSERT_EQ(body(tagged)["servers"].size(), 1u);
  EXPECT_EQ(body(tagged)["servers"][0]["id"], a);
  auto untagged = vget("/v2.1/servers?not-tags-any=x", "2.26");
  ASSERT_EQ(body(untagged)["servers"].size(), 1u);
  EXPECT_EQ(body(untagged)["servers"][0]["id"], b);

  EXPECT_EQ(vdel(base + "/z", "2.26")->status, 204);
  EXPECT_EQ(vdel(base + "/z", "2.26")->status, 404);
  EXPECT_EQ(vdel(base, "2.26")->status, 204);
  EXPECT_TRUE(instance(a).tags.empty());

  set_state(b, "building");
  EXPECT_EQ(vput("/v2.1/servers/" + b + "/tags/t", nullptr, "2.26")->status, 409);
}

TEST_F(ServersMicroversionTest, LockedServersRefuseMembersAndShowTheReason) {
  const std::string id = active_server();
  auto locked = vpost("/v2.1/servers/" + id + "/action", {{"lock", {{"locked_reason", "maintenance"}}}}, "2.73");
  ASSERT_EQ(locked->status, 202) << locked->body;
  json s = show(id, "2.73");
  EXPECT_EQ(s["locked"], true);
  EXPECT_EQ(s["locked_reason"], "maintenance");
  auto refused = action(id, {{"os-stop", nullptr}});
  EXPECT_EQ(refused->status, 409);
  EXPECT_EQ(services_.compute_messages(), 0u);
  auto list = vget("/v2.1/servers/detail?locked=true", "2.73");
  ASSERT_EQ(body(list)["servers"].size(), 1u);
  EXPECT_EQ(vget("/v2.1/servers/detail?locked=maybe", "2.73")->status, 400);
  EXPECT_EQ(action(id, {{"unlock", nullptr}})->status, 202);
  EXPECT_EQ(show(id, "2.73")["locked"], false);

  // A lock an admin took needs an admin to lift it.
  EXPECT_EQ(action(id, {{"lock", nullptr}}, "admin")->status, 202);
  EXPECT_EQ(action(id, {{"unlock", nullptr}})->status, 403);
  EXPECT_EQ(action(id, {{"unlock", nullptr}}, "admin")->status, 202);
  // A reason needs 2.73.
  EXPECT_EQ(action(id, {{"lock", {{"locked_reason", "r"}}}})->status, 202);
}

TEST_F(ServersMicroversionTest, ResetStateIsForAdminsAndClearsTheTask) {
  const std::string id = active_server();
  set_state(id, "active", std::string("rebooting"));
  EXPECT_EQ(action(id, {{"os-resetState", {{"state", "error"}}}})->status, 403);
  EXPECT_EQ(action(id, {{"os-resetState", {{"state", "bogus"}}}}, "admin")->status, 400);
  EXPECT_EQ(action("00000000-0000-0000-0000-000000000000", {{"os-resetState", {{"state", "error"}}}}, "admin")->status,
            404);
  EXPECT_EQ(action(id, {{"os-resetState", {{"state", "error"}}}}, "admin")->status, 202);
  EXPECT_EQ(instance(id).vm_state, "error");
  EXPECT_FALSE(instance(id).task_state.has_value());
}

TEST_F(ServersMicroversionTest, UndeployedFeaturesAnswer404Then403ThenNotImplemented) {
  const std::string id = active_server();
  EXPECT_EQ(action("00000000-0000-0000-0000-000000000000", {{"migrate", nullptr}}, "admin")->status, 404);
  EXPECT_EQ(action(id, {{"migrate", nullptr}})->status, 403);
  EXPECT_EQ(action(id, {{"migrate", nullptr}}, "admin")->status, 501);
  EXPECT_EQ(action(id, {{"resize", {{"flavorRef", "2"}}}})->status, 501);
  EXPECT_EQ(action(id, {{"evacuate", nullptr}}, "admin")->status, 501);
  EXPECT_EQ(vpost("/v2.1/servers/" + id + "/action", {{"trigger_crash_dump", nullptr}}, "2.16")->status, 400);
  // A host whose driver injects the NMI answers 202 (the not-supported 400: interfaces_api_test.cpp).
  EXPECT_EQ(vpost("/v2.1/servers/" + id + "/action", {{"trigger_crash_dump", nullptr}}, "2.17")->status, 202);
  set_state(id, "stopped");
  EXPECT_EQ(vpost("/v2.1/servers/" + id + "/action", {{"trigger_crash_dump", nullptr}}, "2.17")->status, 409);
}

TEST_F(ServersMicroversionTest, ListQueryRulesOfLaterVersions) {
  active_server();
  EXPECT_EQ(vget("/v2.1/servers?status=bogus", "2.37")->status, 200);
  EXPECT_EQ(vget("/v2.1/servers?status=bogus", "2.38")->status, 400);
  EXPECT_EQ(vget("/v2.1/servers?bogus=1", "2.74")->status, 200);
  EXPECT_EQ(vget("/v2.1/servers?bogus=1", "2.75")->status, 400);
  EXPECT_EQ(vget("/v2.1/servers?changes-since=2030-01-01T00:00:00Z&changes-before=2020-01-01T00:00:00Z", "2.66")->status,
            400);
  EXPECT_EQ(vget("/v2.1/servers?sort_key=locked", "2.72")->status, 400);
  EXPECT_EQ(vget("/v2.1/servers?sort_key=locked&sort_dir=asc", "2.73")->status, 200);
  auto before = vget("/v2.1/servers?changes-before=2000-01-01T00:00:00Z", "2.66");
  ASSERT_EQ(before->status, 200);
  EXPECT_TRUE(body(before)["servers"].empty());
}

TEST_F(ServersMicroversionTest, IpFilterMatchesFixedAddresses) {
  const std::string id = active_server();
  auto ports = db::PortRepository(*db_).list_by_device(id).value();
  ASSERT_FALSE(ports.empty());
  const std::string ip = ports.front().ip_address;
  auto r = get("/v2.1/servers?ip=" + ip);
  ASSERT_EQ(r->status, 200);
  ASSERT_EQ(body(r)["servers"].size(), 1u);
  EXPECT_EQ(body(r)["servers"][0]["id"], id);
  EXPECT_TRUE(body(get("/v2.1/servers?ip=192.0.2.250"))["servers"].empty());
  EXPECT_TRUE(body(get("/v2.1/servers?ip6=.*"))["servers"].empty());
}

// The tail itself is the compute host's (console_tail_test); a length of 0 is
// Nova's API answering "".
TEST_F(ServersMicroversionTest, ConsoleLengthZeroIsEmpty) {
  const std::string id = active_server();
  services_.console_output = "a\nb\nc\nd\n";
  auto zero = action(id, {{"os-getConsoleOutput", {{"length", 0}}}});
  ASSERT_EQ(zero->status, 200);
  EXPECT_EQ(body(zero)["output"], "");
}

TEST_F(ServersMicroversionTest, VersionOutOfRangeIs406AndLatestIs293) {
  auto over = vget("/v2.1/servers", "2.94");
  EXPECT_EQ(over->status, 406);
  EXPECT_NE(over->body.find("maximum is 2.93"), std::string::npos);
  auto latest = vget("/v2.1/servers", "latest");
  EXPECT_EQ(latest->get_header_value("OpenStack-API-Version"), "compute 2.93");
  httplib::Headers legacy{{"X-Auth-Token", "member"}, {"X-OpenStack-Nova-API-Version", "2.47"}};
  auto l = client_->Get("/v2.1/servers", legacy);
  EXPECT_EQ(l->get_header_value("X-OpenStack-Nova-API-Version"), "2.47");
}

}  // namespace
}  // namespace stratus::core::api::test_support
