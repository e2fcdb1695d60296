// The REST side of issue #13's driver work: personality files and adminPass
// on create and rebuild (schema, decoding, quotas, microversion 2.57, what
// the conductor and the host receive), GET /servers/{id}/diagnostics (policy,
// legacy and 2.48 bodies, errors), and os-server-password.
#include <gtest/gtest.h>

#include "core/compute/api/server_diagnostics_controller.h"
#include "core/compute/api/server_password.h"
#include "core/db/system_metadata_repository.h"
#include "servers_test_support.h"

namespace stratus::core::api::test_support {
namespace {

using nlohmann::json;

class GuestApiTest : public ServersApiTest {
 protected:
  httplib::Result post_v(const std::string& path, const json& b, const std::string& version,
                         const std::string& who = "member") {
    return client_->Post(path.c_str(), as(who, version), b.dump(), "application/json");
  }
  httplib::Result get_v(const std::string& path, const std::string& version, const std::string& who = "admin") {
    return client_->Get(path.c_str(), as(who, version));
  }
  static json with_personality(json files) {
    json b = server_body();
    b["server"]["personality"] = std::move(files);
    return b;
  }
};

TEST_F(GuestApiTest, PersonalityAndPasswordGoToTheConductorDecoded) {
  json b = with_personality({{{"path", "/etc/motd"}, {"contents", "aGVsbG8="}}, {{"path", "/x"}, {"contents", ""}}});
  b["server"]["adminPass"] = "Given-Pass1";
  auto r = post("/v2.1/servers", b);
  ASSERT_TRUE(r && r->status == 202) << (r ? r->body : "no reply");
  EXPECT_EQ(body(r)["server"]["adminPass"], "Given-Pass1");
  auto built = services_.wait_for("build_instances");
  ASSERT_TRUE(built.has_value());
  const auto& injection = built->build.injection;
  ASSERT_EQ(injection.files.size(), 2u);
  EXPECT_EQ(injection.files[0], (std::pair<std::string, std::string>{"/etc/motd", "hello"}));
  EXPECT_EQ(injection.files[1].second, "");
  EXPECT_EQ(injection.admin_password, "Given-Pass1");
}

TEST_F(GuestApiTest, AGeneratedPasswordIsTheOneTheHostGets) {
  auto r = post("/v2.1/servers", server_body());
  ASSERT_TRUE(r && r->status == 202);
  const std::string pass = body(r)["server"]["adminPass"];
  EXPECT_EQ(pass.size(), 12u);
  EXPECT_EQ(pass.find_first_of("0O1lI"), std::string::npos);
  auto built = services_.wait_for("build_instances");
  ASSERT_TRUE(built.has_value());
  EXPECT_EQ(built->build.injection.admin_password, pass);
  // Never stored: no column or metadata holds it.
  const auto id = body(r)["server"]["id"].get<std::string>();
  EXPECT_EQ(instance(id).metadata.count("adminPass"), 0u);
  EXPECT_TRUE(db::SystemMetadataRepository(*db_).get(id).value().empty());
}

TEST_F(GuestApiTest, UndecodablePersonalityIs400AndWritesNothing) {
  const auto before = written();
  auto r = post("/v2.1/servers", with_personality({{{"path", "/etc/motd"}, {"contents", "not base64!"}}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("Personality content for /etc/motd cannot be decoded"), std::string::npos) << r->body;
  EXPECT_EQ(written(), before);
}

TEST_F(GuestApiTest, PersonalitySchemaRefusesUnknownKeys) {
  auto r = post("/v2.1/servers", with_personality({{{"path", "/a"}, {"contents", ""}, {"mode", "0600"}}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  r = post("/v2.1/servers", with_personality("not a list"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
}

TEST_F(GuestApiTest, PersonalityQuotasAre403) {
  ASSERT_TRUE(db::QuotaRepository(*db_)
                  .set_limits("p-member", {{"injected_files", 1}, {"injected_file_path_bytes", 8},
                                           {"injected_file_content_bytes", 4}})
                  .ok());
  const auto before = written();
  struct Case {
    json files;
    std::string message;
  };
  const Case cases[] = {
      {{{{"path", "/a"}, {"contents", ""}}, {{"path", "/b"}, {"contents", ""}}}, "Personality file limit exceeded"},
      {{{{"path", "/a/very/long/path"}, {"contents", ""}}}, "Personality file path exceeds maximum 8"},
      {{{{"path", "/a"}, {"contents", "aGVsbG8="}}}, "Personality file content exceeds maximum 4"},  // 5 bytes
  };
  for (const auto& c : cases) {
    auto r = post("/v2.1/servers", with_personality(c.files));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << r->body;
    EXPECT_NE(r->body.find(c.message), std::string::npos) << r->body;
  }
  EXPECT_EQ(written(), before);
  // At the limits exactly: accepted ("hell" is 4 bytes).
  auto ok = post("/v2.1/servers", with_personality({{{"path", "/a"}, {"contents", "aGVsbA=="}}}));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 202) << ok->body;
}

TEST_F(GuestApiTest, PersonalityIsRefusedFrom257) {
  json b = with_personality({{{"path", "/a"}, {"contents", ""}}});
  b["server"]["networks"] = "none";  // required from 2.37
  auto r = post_v("/v2.1/servers", b, "2.57");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("personality"), std::string::npos);
  r = post_v("/v2.1/servers", b, "2.56");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202) << r->body;
}

TEST_F(GuestApiTest, RebuildCarriesPersonalityAndAlwaysAnswersAPassword) {
  const std::string id = create_server();
  set_state(id, "active");
  auto r = action(id, {{"rebuild", {{"imageRef", db::kDefaultImageUuid},
                                    {"personality", {{{"path", "/etc/issue"}, {"contents", "aGk="}}}}}}});
  ASSERT_TRUE(r && r->status == 202) << (r ? r->body : "no reply");
  const std::string pass = body(r)["server"]["adminPass"];
  EXPECT_EQ(pass.size(), 12u);
  // Nova's rebuild answer is the core view, as an update's.
  EXPECT_FALSE(body(r)["server"].contains("OS-EXT-STS:vm_state"));
  EXPECT_FALSE(body(r)["server"].contains("security_groups"));
  auto sent = services_.wait_for("rebuild_instance");
  ASSERT_TRUE(sent.has_value());
  ASSERT_EQ(sent->injection.files.size(), 1u);
  EXPECT_EQ(sent->injection.files[0].second, "hi");
  EXPECT_EQ(sent->injection.admin_password, pass);
}

TEST_F(GuestApiTest, RebuildPersonalityOverQuotaChangesNothing) {
  ASSERT_TRUE(db::QuotaRepository(*db_).set_limits("p-member", {{"injected_files", 0}}).ok());
  const std::string id = create_server();
  set_state(id, "active");
  auto r = action(id, {{"rebuild", {{"imageRef", db::kDefaultImageUuid},
                                    {"personality", {{{"path", "/a"}, {"contents", ""}}}}}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(instance(id).task_state, std::nullopt);
  EXPECT_EQ(services_.count("rebuild_instance"), 0u);
}

// ---- diagnostics ----------------------------------------------------------

sdk::Diagnostics sample() {
  sdk::Diagnostics d;
  d.state = "running";
  d.driver = "libvirt";
  d.hypervisor = "qemu";
  d.hypervisor_os = "linux";
  d.memory_max_mb = 512;
  d.memory_used_mb = 256;
  d.cpus = {{0, 17300000000, std::nullopt}};
  sdk::NicDiagnostics nic;
  nic.mac_address = "fa:16:3e:00:00:01";
  nic.rx_octets = 2070139;
  d.nics = {nic};
  sdk::DiskDiagnostics disk;
  disk.read_bytes = 262144;
  d.disks = {disk};
  return d;
}

TEST_F(GuestApiTest, DiagnosticsAreForAdminsOnly) {
  const std::string id = create_server();
  set_state(id, "active");
  auto r = get("/v2.1/servers/" + id + "/diagnostics", "member");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_NE(r->body.find("os_compute_api:os-server-diagnostics"), std::string::npos);
  EXPECT_EQ(services_.count("get_diagnostics"), 0u);
}

TEST_F(GuestApiTest, DiagnosticsBefore248AreTheLegacyDictionary) {
  services_.diagnostics = sample();
  const std::string id = create_server();
  set_state(id, "active");
  auto r = get_v("/v2.1/servers/" + id + "/diagnostics", "2.47");
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no reply");
  const json b = body(r);
  EXPECT_EQ(b["cpu0_time"], 17300000000LL);
  EXPECT_EQ(b["memory"], 512 * 1024);
  EXPECT_EQ(b["vda_read"], 262144);
  EXPECT_EQ(b["vnet0_rx"], 2070139);
  EXPECT_FALSE(b.contains("vnet0_tx"));  // unknown: left out
  EXPECT_FALSE(b.contains("state"));
}

TEST_F(GuestApiTest, DiagnosticsFrom248AreStandardWithNulls) {
  services_.diagnostics = sample();
  const std::string id = create_server();
  set_state(id, "active");
  auto r = get_v("/v2.1/servers/" + id + "/diagnostics", "2.48");
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no reply");
  const json b = body(r);
  EXPECT_EQ(keys(b), (std::set<std::string>{"state", "driver", "hypervisor", "hypervisor_os", "uptime",
                                            "config_drive", "num_cpus", "num_nics", "num_disks", "memory_details",
                                            "cpu_details", "nic_details", "disk_details"}));
  EXPECT_EQ(b["state"], "running");
  EXPECT_TRUE(b["uptime"].is_null());
  EXPECT_EQ(b["num_cpus"], 1);
  EXPECT_EQ(b["memory_details"], (json{{"maximum", 512}, {"used", 256}}));
  EXPECT_EQ(b["cpu_details"][0], (json{{"id", 0}, {"time", 17300000000LL}, {"utilisation", nullptr}}));
  EXPECT_EQ(b["nic_details"][0]["mac_address"], "fa:16:3e:00:00:01");
  EXPECT_TRUE(b["nic_details"][0]["tx_octets"].is_null());
  EXPECT_EQ(b["nic_details"][0].size(), 11u);
  EXPECT_EQ(b["disk_details"][0]["read_bytes"], 262144);
  EXPECT_TRUE(b["disk_details"][0]["errors_count"].is_null());
}

TEST_F(GuestApiTest, DiagnosticsErrors) {
  const std::string id = create_server();
  // No host yet: Nova's InstanceNotReady, 409; nothing is asked.
  auto r = get_v("/v2.1/servers/" + id + "/diagnostics", "2.48");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  set_state(id, "active");
  services_.diagnostics_error = sdk::Status::NotSupported("the driver reports no diagnostics");
  r = get_v("/v2.1/servers/" + id + "/diagnostics", "2.48");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 501) << r->body;
  services_.diagnostics_error = sdk::Status::InvalidState("Cannot 'get_diagnostics' instance " + id +
                                                          " while it is in power state shutdown");
  r = get_v("/v2.1/servers/" + id + "/diagnostics", "2.48");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  set_state(id, "active", std::string("deleting"));
  r = get_v("/v2.1/servers/" + id + "/diagnostics", "2.48");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  r = get_v("/v2.1/servers/9a7e8c1e-0000-4000-8000-000000000000/diagnostics", "2.48");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
}

TEST(DiagnosticsView, EmptyDiagnosticsStillHaveEveryStandardField) {
  const json b = diagnostics_view(sdk::Diagnostics{}, Microversion{2, 93});
  EXPECT_EQ(b["num_nics"], 0);
  EXPECT_TRUE(b["nic_details"].is_array());
  EXPECT_TRUE(b["hypervisor"].is_null());
  EXPECT_TRUE(b["memory_details"]["maximum"].is_null());
  EXPECT_TRUE(diagnostics_view(sdk::Diagnostics{}, Microversion{2, 1}).empty());
}

// ---- os-server-password ---------------------------------------------------

TEST_F(GuestApiTest, ServerPasswordIsEmptyUntilPostedAndDeleteClearsIt) {
  const std::string id = create_server();
  const std::string path = "/v2.1/servers/" + id + "/os-server-password";
  auto r = get(path);
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no reply");
  EXPECT_EQ(body(r), (json{{"password", ""}}));

  // What a guest posts through a metadata service: 600 characters, 3 chunks.
  const std::string posted(600, 'x');
  auto chunks = compute::password_system_metadata(posted);
  ASSERT_TRUE(chunks.ok());
  EXPECT_EQ(chunks->at("password_0").size(), 255u);
  EXPECT_EQ(chunks->at("password_3"), "");
  ASSERT_TRUE(db::SystemMetadataRepository(*db_).update(id, *chunks).ok());
  r = get(path);
  ASSERT_TRUE(r && r->status == 200);
  EXPECT_EQ(body(r)["password"], posted);

  r = del(path);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204) << r->body;
  r = get(path);
  ASSERT_TRUE(r && r->status == 200);
  EXPECT_EQ(body(r)["password"], "");
}

TEST_F(GuestApiTest, ServerPasswordOfAnotherProjectIs404) {
  const std::string id = create_server("vm", "admin");
  auto r = get("/v2.1/servers/" + id + "/os-server-password", "member");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  r = del("/v2.1/servers/" + id + "/os-server-password", "member");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  r = get("/v2.1/servers/" + id + "/os-server-password", "admin");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST(ServerPassword, ChunksJoinBackAndOversizeIsRefused) {
  const std::string pw(1020, 'p');
  auto md = compute::password_system_metadata(pw);
  ASSERT_TRUE(md.ok());
  EXPECT_EQ(compute::extract_password(*md), pw);
  EXPECT_FALSE(compute::password_system_metadata(std::string(1021, 'p')).ok());
  EXPECT_EQ(compute::extract_password({}), "");
  EXPECT_EQ(compute::extract_password({{"password_1", "b"}, {"password_0", "a"}, {"other", "z"}}), "ab");
}

}  // namespace
}  // namespace stratus::core::api::test_support
