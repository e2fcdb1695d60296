// The libvirt driver's rescue (ABI 7) against test:///default: the domain
// boots disk.rescue with the guest's disk as vdb, the original definition
// comes back on unrescue and the rescue files go; a failing rescue leaves the
// guest as it was. And network_data.json (Nova's format) from the ports and
// the host's subnets.<network> / gateways.<network>, and the config keys.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "libvirt_test_support.h"
#include "config_drive.h"
#include "network_data.h"
#include "stratus/sdk/plugin_config.h"

namespace stratus::drivers::libvirt::testing {
namespace {

using sdk::StatusCode;

sdk::ImageMeta rescue_image() {
  sdk::ImageMeta m = image("rescue-img", "raw");
  m.properties["kernel_id"] = "rescue-kernel";
  m.properties["ramdisk_id"] = "rescue-ramdisk";
  m.properties["os_command_line"] = "console=ttyS0 rescue";
  return m;
}

TEST(LibvirtRescue, BootsTheRescueDiskWithTheGuestsDiskSecondAndUnrescueRestoresIt) {
  TestDriver t;
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  const std::string before = t.raw()->xml(i.name).value();
  const fs::path dir = t.driver->instance_dir(i.uuid);

  const sdk::Status rescued = t.driver->rescue(ctx(), i, {}, rescue_image(), "pw");
  ASSERT_TRUE(rescued.ok()) << rescued;
  EXPECT_EQ(t.state(i), sdk::PowerState::kRunning);
  const std::string xml = t.raw()->xml(i.name).value();
  const auto vda = xml.find((dir / "disk.rescue").string());
  const auto vdb = xml.find((dir / "disk").string() + "'");
  EXPECT_NE(vda, std::string::npos) << xml;
  EXPECT_NE(xml.find((dir / "kernel.rescue").string()), std::string::npos) << xml;
  EXPECT_NE(xml.find("console=ttyS0 rescue"), std::string::npos) << xml;
  EXPECT_TRUE(fs::exists(dir / "unrescue.xml"));
  EXPECT_TRUE(fs::exists(dir / "ramdisk.rescue"));
  (void)vdb;
  // Rescued once is enough; the rescue image's overlay is sized by the image.
  EXPECT_EQ(t.driver->rescue(ctx(), i, {}, rescue_image(), "").code(), StatusCode::kInvalidState);
  bool overlay = false;
  for (const auto& c : t.recording->calls()) overlay |= c.op == "overlay" && c.target == (dir / "disk.rescue").string() && c.size == 0;
  EXPECT_TRUE(overlay);

  const sdk::Status back = t.driver->unrescue(ctx(), i, {});
  ASSERT_TRUE(back.ok()) << back;
  EXPECT_EQ(t.state(i), sdk::PowerState::kRunning);
  const std::string after = t.raw()->xml(i.name).value();
  EXPECT_EQ(after.find("disk.rescue"), std::string::npos) << after;
  EXPECT_NE(after.find((dir / "disk").string()), std::string::npos);
  for (const char* f : {"unrescue.xml", "disk.rescue", "kernel.rescue", "ramdisk.rescue"}) {
    EXPECT_FALSE(fs::exists(dir / f)) << f;
  }
  EXPECT_TRUE(fs::exists(dir / "disk"));
  EXPECT_EQ(t.driver->unrescue(ctx(), i, {}).code(), StatusCode::kInvalidState);
  (void)before;
  ASSERT_TRUE(t.destroy(i).ok());
}

TEST(LibvirtRescue, StateRulesAndAFailedRescueLeavesTheGuestAsItWas) {
  TestDriver t;
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  const fs::path dir = t.driver->instance_dir(i.uuid);
  ASSERT_TRUE(t.driver->pause(ctx(), i).ok());
  EXPECT_EQ(t.driver->rescue(ctx(), i, {}, rescue_image(), "").code(), StatusCode::kInvalidState);
  ASSERT_TRUE(t.driver->unpause(ctx(), i).ok());
  EXPECT_EQ(t.driver->rescue(ctx(), make_instance(), {}, rescue_image(), "").code(), StatusCode::kNotFound);

  // The rescue image cannot be had: the guest keeps its definition, shut off, no rescue files.
  const std::string before = t.raw()->xml(i.name).value();
  t.recording->fail_at = static_cast<int>(t.recording->calls().size()) + 1;
  t.recording->failure = sdk::Status::Unavailable("no such image here");
  const sdk::Status failed = t.driver->rescue(ctx(), i, {}, rescue_image(), "");
  EXPECT_EQ(failed.code(), StatusCode::kUnavailable) << failed;
  EXPECT_EQ(t.state(i), sdk::PowerState::kShutdown);
  EXPECT_EQ(t.raw()->xml(i.name).value().find("disk.rescue"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "unrescue.xml"));
  EXPECT_FALSE(fs::exists(dir / "disk.rescue"));
  // A shut-off guest may be rescued (Nova: from STOPPED too).
  t.recording->fail_at = 0;
  ASSERT_TRUE(t.driver->rescue(ctx(), i, {}, rescue_image(), "").ok());
  EXPECT_EQ(t.state(i), sdk::PowerState::kRunning);
  ASSERT_TRUE(t.destroy(i).ok());
  EXPECT_FALSE(fs::exists(dir));
}

sdk::Vif port(const std::string& id, const std::string& mac, const std::string& ip) {
  sdk::Vif v;
  v.id = id;
  v.address = mac;
  v.network_id = "9a7c1f2e-0000-4000-8000-000000000001";
  v.network_name = "private";
  v.fixed_ips = {ip};
  v.mtu = 1450;
  return v;
}

TEST(LibvirtNetworkData, NovasFormatWithTheFixedAddressAndTheConfiguredSubnet) {
  LibvirtConfig c;
  c.subnets["private"] = "10.1.2.0/26";
  c.gateways[port("p", "m", "i").network_id] = "10.1.2.1";  // by id works as well as by name
  const sdk::NetworkInfo nics = {port("0123456789abcdef-aaaa", "fa:16:3e:00:00:01", "10.1.2.5")};
  const auto doc = nlohmann::json::parse(network_data_json(nics, c));
  ASSERT_EQ(doc["links"].size(), 1u);
  EXPECT_EQ(doc["links"][0]["id"], "tap0123456789a");
  EXPECT_EQ(doc["links"][0]["vif_id"], "0123456789abcdef-aaaa");
  EXPECT_EQ(doc["links"][0]["type"], "bridge");
  EXPECT_EQ(doc["links"][0]["mtu"], 1450);
  EXPECT_EQ(doc["links"][0]["ethernet_mac_address"], "fa:16:3e:00:00:01");
  ASSERT_EQ(doc["networks"].size(), 1u);
  const auto& n = doc["networks"][0];
  EXPECT_EQ(n["id"], "network0");
  EXPECT_EQ(n["type"], "ipv4");
  EXPECT_EQ(n["link"], "tap0123456789a");
  EXPECT_EQ(n["ip_address"], "10.1.2.5");
  EXPECT_EQ(n["netmask"], "255.255.255.192");
  EXPECT_EQ(n["network_id"], "9a7c1f2e-0000-4000-8000-000000000001");
  ASSERT_EQ(n["routes"].size(), 1u);
  EXPECT_EQ(n["routes"][0], (nlohmann::json{{"network", "0.0.0.0"}, {"netmask", "0.0.0.0"}, {"gateway", "10.1.2.1"}}));
  EXPECT_TRUE(doc["services"].is_array());

  // No subnet known for the network: the link only. User networking: QEMU's DHCP.
  LibvirtConfig none;
  EXPECT_TRUE(nlohmann::json::parse(network_data_json(nics, none))["networks"].empty());
  none.network_mode = NetworkMode::kUser;
  const auto user = nlohmann::json::parse(network_data_json(nics, none));
  EXPECT_EQ(user["networks"][0]["type"], "ipv4_dhcp");
  EXPECT_EQ(user["links"][0]["type"], "phy");
  EXPECT_FALSE(user["networks"][0].contains("ip_address"));
}

TEST(LibvirtNetworkData, OnTheConfigDriveUnderLatestOnly) {
  const sdk::Instance i = make_instance();
  ConfigDriveInjection with;
  with.network_data = R"({"links":[]})";
  const auto files = config_drive_files(i, with);
  ASSERT_EQ(files.count("openstack/latest/network_data.json"), 1u);
  EXPECT_EQ(files.at("openstack/latest/network_data.json"), with.network_data);
  EXPECT_EQ(files.count("openstack/2012-08-10/network_data.json"), 0u);  // Nova: 2015-10-15 and later
  EXPECT_EQ(config_drive_files(i).count("openstack/latest/network_data.json"), 0u);
}

TEST(LibvirtNetworkData, CidrParsing) {
  auto s = parse_ipv4_cidr("192.168.7.9/20");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->network, "192.168.0.0");
  EXPECT_EQ(s->netmask, "255.255.240.0");
  EXPECT_EQ(s->prefix, 20);
  EXPECT_EQ(parse_ipv4_cidr("10.0.0.0/32")->netmask, "255.255.255.255");
  EXPECT_EQ(parse_ipv4_cidr("0.0.0.0/0")->netmask, "0.0.0.0");
  for (const char* bad : {"10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0/24", "10.0.0.0/2a", "fe80::/64", ""}) {
    EXPECT_EQ(parse_ipv4_cidr(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(LibvirtNetworkData, ConfigKeysAreReadAndChecked) {
  sdk::PluginConfig pc("[driver.libvirt]");
  pc.set("subnets.private", std::string("10.0.0.0/24"));
  pc.set("gateways.private", std::string("10.0.0.1"));
  auto c = LibvirtConfig::from_plugin_config(pc);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->subnets.at("private"), "10.0.0.0/24");
  EXPECT_EQ(c->gateways.at("private"), "10.0.0.1");
  sdk::PluginConfig bad("[driver.libvirt]");
  bad.set("subnets.private", std::string("10.0.0.0/99"));
  auto refused = LibvirtConfig::from_plugin_config(bad);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("subnets.private"), std::string::npos) << refused.status();
  sdk::PluginConfig bad_gw("[driver.libvirt]");
  bad_gw.set("gateways.private", std::string("gateway"));
  EXPECT_EQ(LibvirtConfig::from_plugin_config(bad_gw).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stratus::drivers::libvirt::testing
