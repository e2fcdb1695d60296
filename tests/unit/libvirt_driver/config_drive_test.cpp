// The config drive, as a guest and an operator see it: an ISO9660 image
// labelled config-2 (read back with isoinfo, from genisoimage) holding
// meta_data.json and the user data byte for byte; attached to the guest as a
// read-only cdrom when asked for or forced; gone with the instance and after
// a failed spawn.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config_drive.h"
#include "libvirt_test_support.h"
#include "process.h"

namespace stratus::drivers::libvirt::testing {
namespace {

using nlohmann::json;
using sdk::StatusCode;

// One file of an ISO, extracted by isoinfo (Rock Ridge names).
std::string iso_file(const fs::path& iso, const std::string& path) {
  auto out = run_program({"isoinfo", "-R", "-x", path, "-i", iso.string()}, std::chrono::seconds(30));
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::string();
}

// Every file path of an ISO, as isoinfo -f lists them.
std::string iso_listing(const fs::path& iso) {
  auto out = run_program({"isoinfo", "-R", "-f", "-i", iso.string()}, std::chrono::seconds(30));
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::string();
}

std::string iso_header(const fs::path& iso) {
  auto out = run_program({"isoinfo", "-d", "-i", iso.string()}, std::chrono::seconds(30));
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::string();
}

sdk::Instance instance_with_everything() {
  sdk::Instance i = make_instance();
  i.display_name = "Web Server_1";
  i.availability_zone = "az-1";
  i.metadata = {{"role", "web"}, {"tier", "front"}};
  i.key_name = "ops";
  i.key_data = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOps ops@example";
  i.user_data = std::string("#!/bin/sh\necho \"hi\" \x00\xff\n", 22);
  i.config_drive = true;
  return i;
}

TEST(LibvirtConfigDrive, MetaDataDescribesTheServer) {
  const sdk::Instance i = instance_with_everything();
  const json meta = json::parse(config_drive_meta_data(i));
  EXPECT_EQ(meta["uuid"], i.uuid);
  EXPECT_EQ(meta["name"], "Web Server_1");
  EXPECT_EQ(meta["hostname"], "web-server-1");
  EXPECT_EQ(meta["launch_index"], 0);
  EXPECT_EQ(meta["availability_zone"], "az-1");
  EXPECT_EQ(meta["project_id"], "project-a");
  EXPECT_EQ(meta["meta"], (json{{"role", "web"}, {"tier", "front"}}));
  EXPECT_EQ(meta["public_keys"], (json{{"ops", i.key_data}}));
}

TEST(LibvirtConfigDrive, NoKeyPairNoPublicKeys) {
  sdk::Instance i = make_instance();
  const json meta = json::parse(config_drive_meta_data(i));
  EXPECT_FALSE(meta.contains("public_keys"));
  EXPECT_EQ(meta["meta"], json::object());
}

TEST(LibvirtConfigDrive, HostnameFollowsNovasRules) {
  sdk::Instance i = make_instance();
  i.display_name = "--My_Host.Example.--";
  EXPECT_EQ(config_drive_hostname(i), "my-host.example");
  i.display_name = "caf\xc3\xa9 #1";
  EXPECT_EQ(config_drive_hostname(i), "caf-1");
  i.display_name = "!!!";
  EXPECT_EQ(config_drive_hostname(i), "server-" + i.uuid);
  i.display_name = std::string(100, 'a');
  EXPECT_EQ(config_drive_hostname(i).size(), 63u);
}

TEST(LibvirtConfigDrive, IsoIsLabelledConfig2AndHoldsTheFiles) {
  TempDir dir;
  const sdk::Instance i = instance_with_everything();
  const fs::path iso = dir.path() / kConfigDriveFile;
  ASSERT_TRUE(make_config_drive(i, iso, "genisoimage").ok());
  EXPECT_NE(iso_header(iso).find("Volume id: config-2"), std::string::npos) << iso_header(iso);
  for (const std::string version : {"latest", "2012-08-10"}) {
    SCOPED_TRACE(version);
    EXPECT_EQ(iso_file(iso, "/openstack/" + version + "/user_data"), i.user_data) << "user data byte for byte";
    const json meta = json::parse(iso_file(iso, "/openstack/" + version + "/meta_data.json"));
    EXPECT_EQ(meta["uuid"], i.uuid);
    EXPECT_EQ(meta["public_keys"]["ops"], i.key_data);
  }
  EXPECT_FALSE(fs::exists(iso.string() + ".d")) << "the staging directory is removed";
}

TEST(LibvirtConfigDrive, NoUserDataNoUserDataFile) {
  TempDir dir;
  sdk::Instance i = make_instance();
  const fs::path iso = dir.path() / kConfigDriveFile;
  ASSERT_TRUE(make_config_drive(i, iso, "genisoimage").ok());
  const std::string listing = iso_listing(iso);
  EXPECT_NE(listing.find("/openstack/latest/meta_data.json"), std::string::npos) << listing;
  EXPECT_EQ(listing.find("user_data"), std::string::npos) << listing;
}

TEST(LibvirtConfigDrive, MissingProgramIsAClearErrorAndLeavesNothing) {
  TempDir dir;
  const fs::path iso = dir.path() / kConfigDriveFile;
  sdk::Status s = make_config_drive(make_instance(), iso, "/nonexistent/genisoimage");
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("genisoimage"), std::string::npos) << s;
  EXPECT_TRUE(fs::is_empty(dir.path())) << "neither ISO nor staging files are left";
}

// ---- through the driver -------------------------------------------------------------

std::string domain_xml(TestDriver& t, const sdk::Instance& i) {
  auto xml = t.raw()->xml(i.name);
  EXPECT_TRUE(xml.ok()) << xml.status();
  return xml.ok() ? *xml : std::string();
}

void expect_cdrom(const std::string& xml, const fs::path& iso) {
  EXPECT_NE(xml.find("device='cdrom'"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<source file='" + iso.string() + "'/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("bus='ide'"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<readonly/>"), std::string::npos) << xml;
}

TEST(LibvirtConfigDrive, SpawnAttachesItAndDestroyRemovesIt) {
  TestDriver t;
  const sdk::Instance i = instance_with_everything();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  const fs::path iso = t.driver->instance_dir(i.uuid) / kConfigDriveFile;
  ASSERT_TRUE(fs::exists(iso));
  EXPECT_EQ(iso_file(iso, "/openstack/latest/user_data"), i.user_data);
  expect_cdrom(domain_xml(t, i), iso);
  ASSERT_TRUE(t.destroy(i).ok());
  EXPECT_FALSE(fs::exists(iso));
  EXPECT_FALSE(fs::exists(t.driver->instance_dir(i.uuid)));
}

TEST(LibvirtConfigDrive, NotAskedForNoDrive) {
  TestDriver t;
  sdk::Instance i = instance_with_everything();
  i.config_drive = false;
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  EXPECT_FALSE(fs::exists(t.driver->instance_dir(i.uuid) / kConfigDriveFile));
  EXPECT_EQ(domain_xml(t, i).find("cdrom"), std::string::npos);
  ASSERT_TRUE(t.destroy(i).ok());
}

TEST(LibvirtConfigDrive, ForceConfigDriveGivesEveryGuestOne) {
  LibvirtConfig cfg;
  cfg.force_config_drive = true;
  TestDriver t(cfg);
  sdk::Instance i = make_instance();
  ASSERT_FALSE(i.config_drive);
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  const fs::path iso = t.driver->instance_dir(i.uuid) / kConfigDriveFile;
  ASSERT_TRUE(fs::exists(iso));
  expect_cdrom(domain_xml(t, i), iso);
  EXPECT_EQ(json::parse(iso_file(iso, "/openstack/latest/meta_data.json"))["uuid"], i.uuid);
  ASSERT_TRUE(t.destroy(i).ok());
}

TEST(LibvirtConfigDrive, FailureAfterTheDriveWasMadeLeavesNothing) {
  TestDriver t;
  const sdk::Instance i = instance_with_everything();
  DomainSweeper sweep{t, {i}};
  t.faults->fail(ConnectionOp::kDefine, sdk::Status::Internal("injected: define failed"), 1);
  EXPECT_EQ(t.spawn(i).code(), StatusCode::kInternal);
  EXPECT_FALSE(t.domain_exists(i));
  EXPECT_FALSE(fs::exists(t.driver->instance_dir(i.uuid))) << "the config drive went with the rest";
  ASSERT_TRUE(t.spawn(i).ok()) << "the same instance spawns once the fault is gone";
  ASSERT_TRUE(t.destroy(i).ok());
}

TEST(LibvirtConfigDrive, DriveThatCannotBeMadeFailsTheSpawnCleanly) {
  LibvirtConfig cfg;
  cfg.genisoimage = "/nonexistent/genisoimage";
  TestDriver t(cfg);
  const sdk::Instance i = instance_with_everything();
  DomainSweeper sweep{t, {i}};
  sdk::Status s = t.spawn(i);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("config drive"), std::string::npos) << s;
  EXPECT_FALSE(t.domain_exists(i));
  EXPECT_FALSE(fs::exists(t.driver->instance_dir(i.uuid)));
}

TEST(LibvirtConfigDrive, RebuildMakesItAgain) {
  TestDriver t;
  sdk::Instance i = instance_with_everything();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  i.metadata["rebuilt"] = "yes";
  ASSERT_TRUE(t.driver->rebuild(ctx(), i, image("debian"), {}, "", {}, {}, false).ok());
  const fs::path iso = t.driver->instance_dir(i.uuid) / kConfigDriveFile;
  EXPECT_EQ(json::parse(iso_file(iso, "/openstack/latest/meta_data.json"))["meta"]["rebuilt"], "yes");
  expect_cdrom(domain_xml(t, i), iso);
  ASSERT_TRUE(t.destroy(i).ok());
}

// Personality files and the admin password, laid out as Nova's config
// drive does: "files" and "admin_pass" in meta_data.json, each file's bytes
// under openstack/content/NNNN.
TEST(LibvirtConfigDrive, InjectionIsInMetaDataAndContent) {
  const sdk::Instance i = make_instance();
  ConfigDriveInjection inj{{{"/etc/motd", "hello"}, {"/root/x.bin", std::string("\x00\xff", 2)}}, "Secr3t"};
  const json meta = json::parse(config_drive_meta_data(i, inj));
  EXPECT_EQ(meta["admin_pass"], "Secr3t");
  EXPECT_EQ(meta["files"], (json::array({{{"path", "/etc/motd"}, {"content_path", "/content/0000"}},
                                         {{"path", "/root/x.bin"}, {"content_path", "/content/0001"}}})));
  const auto files = config_drive_files(i, inj);
  EXPECT_EQ(files.at("openstack/content/0000"), "hello");
  EXPECT_EQ(files.at("openstack/content/0001"), std::string("\x00\xff", 2));
  // Without either: neither key.
  const json plain = json::parse(config_drive_meta_data(i));
  EXPECT_FALSE(plain.contains("admin_pass"));
  EXPECT_FALSE(plain.contains("files"));
}

TEST(LibvirtConfigDrive, PersonalityFilesGiveTheGuestADriveWithThem) {
  TestDriver t;
  sdk::Instance i = make_instance();
  ASSERT_FALSE(i.config_drive);
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.driver->spawn(ctx(), i, image(), {{"/etc/motd", "hi there"}}, "Pw-123", {}, {}).ok());
  const fs::path iso = t.driver->instance_dir(i.uuid) / kConfigDriveFile;
  ASSERT_TRUE(fs::exists(iso));
  EXPECT_EQ(iso_file(iso, "/openstack/content/0000"), "hi there");
  const json meta = json::parse(iso_file(iso, "/openstack/latest/meta_data.json"));
  EXPECT_EQ(meta["admin_pass"], "Pw-123");
  EXPECT_EQ(meta["files"][0]["path"], "/etc/motd");
  expect_cdrom(domain_xml(t, i), iso);

  // A rebuild writes the new files in a new drive.
  ASSERT_TRUE(t.driver->rebuild(ctx(), i, image(), {{"/etc/issue", "v2"}}, "Pw-456", {}, {}, false).ok());
  ASSERT_TRUE(fs::exists(iso));
  EXPECT_EQ(iso_file(iso, "/openstack/content/0000"), "v2");
  EXPECT_EQ(json::parse(iso_file(iso, "/openstack/latest/meta_data.json"))["admin_pass"], "Pw-456");
  ASSERT_TRUE(t.destroy(i).ok());
}

}  // namespace
}  // namespace stratus::drivers::libvirt::testing
