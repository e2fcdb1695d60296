// The libvirt driver's ABI 6 operations: the <interface> a hot-plug sends
// (as spawn writes it, parsed back), attach/detach against test:///default
// (which has no hot-plug: libvirt's VIR_ERR_NO_SUPPORT must come back as
// kNotSupported, the guest unchanged), and trigger_crash_dump, whose NMI the
// test hypervisor takes from a running domain only.
#include <gtest/gtest.h>

#include "libvirt_test_support.h"
#include "stratus/drivers/libvirt/guest_xml.h"

namespace stratus::drivers::libvirt::testing {
namespace {

using sdk::StatusCode;

sdk::Vif bridge_vif() {
  sdk::Vif v;
  v.id = "8d0c2b9e-1f3a-4c5d-9e7f-0a1b2c3d4e5f";
  v.address = "fa:16:3e:aa:bb:cc";
  v.network_id = "net-1";
  v.bridge = "br-test";
  v.mtu = 1450;
  v.fixed_ips = {"10.0.0.7"};
  return v;
}

TEST(LibvirtInterfaceXml, IsTheInterfaceSpawnWrites) {
  GuestInterface nic;
  nic.mac = "fa:16:3e:aa:bb:cc";
  nic.bridge = "br-test";
  nic.mtu = 1450;
  nic.filter = "stratus-port-x";
  nic.filter_ips = {"10.0.0.7"};
  auto xml = build_interface_xml(nic);
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_NE(xml->find("<interface type=\"bridge\">"), std::string::npos) << *xml;
  EXPECT_NE(xml->find("<mac address=\"fa:16:3e:aa:bb:cc\"/>"), std::string::npos) << *xml;
  EXPECT_NE(xml->find("<source bridge=\"br-test\"/>"), std::string::npos);
  EXPECT_NE(xml->find("<mtu size=\"1450\"/>"), std::string::npos);
  EXPECT_NE(xml->find("<filterref filter=\"stratus-port-x\">"), std::string::npos);
  EXPECT_NE(xml->find("<parameter name=\"IP\" value=\"10.0.0.7\"/>"), std::string::npos);
  // The same element as inside a domain.
  GuestConfig g;
  g.name = "d";
  g.uuid = "8d0c2b9e-1f3a-4c5d-9e7f-0a1b2c3d4e5f";
  g.memory_mb = 64;
  g.interfaces = {nic};
  auto domain = build_guest_xml(g);
  ASSERT_TRUE(domain.ok());
  // Compared without the indentation, which depends on the depth.
  const auto squeeze = [](std::string text) {
    std::erase_if(text, [](char c) { return c == ' ' || c == '\n'; });
    return text;
  };
  std::string body = squeeze(xml->substr(xml->find("<interface")));
  body = body.substr(0, body.find("</interface>"));
  EXPECT_NE(squeeze(*domain).find(body), std::string::npos) << *domain;

  GuestInterface no_bridge;
  no_bridge.mac = "fa:16:3e:aa:bb:cc";
  EXPECT_EQ(build_interface_xml(no_bridge).status().code(), StatusCode::kInvalidArgument);
}

TEST(LibvirtInterfaces, WithoutHotPlugTheHypervisorSaysNotSupportedAndNothingChanges) {
  TestDriver t;
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  const std::string before = t.raw()->xml(i.name).value();
  const sdk::Status attached = t.driver->attach_interface(ctx(), i, bridge_vif());
  EXPECT_EQ(attached.code(), StatusCode::kNotSupported) << attached;
  EXPECT_EQ(t.driver->detach_interface(ctx(), i, bridge_vif()).code(), StatusCode::kNotSupported);
  EXPECT_EQ(t.raw()->xml(i.name).value(), before);
  EXPECT_EQ(t.state(i), sdk::PowerState::kRunning);
  // A port without a bridge is refused before libvirt is asked.
  sdk::Vif bare = bridge_vif();
  bare.bridge.clear();
  EXPECT_EQ(t.driver->attach_interface(ctx(), i, bare).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.driver->attach_interface(ctx(), make_instance(), bridge_vif()).code(), StatusCode::kNotFound);
  ASSERT_TRUE(t.destroy(i).ok());
}

TEST(LibvirtInterfaces, CrashDumpInjectsAnNmiIntoARunningGuestOnly) {
  TestDriver t;
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  const sdk::Status st = t.driver->trigger_crash_dump(ctx(), i);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(t.state(i), sdk::PowerState::kRunning);
  ASSERT_TRUE(t.driver->power_off(ctx(), i, 0, 0).ok());
  EXPECT_EQ(t.driver->trigger_crash_dump(ctx(), i).code(), StatusCode::kInvalidState);
  EXPECT_EQ(t.driver->trigger_crash_dump(ctx(), make_instance()).code(), StatusCode::kNotFound);
  ASSERT_TRUE(t.destroy(i).ok());
}

}  // namespace
}  // namespace stratus::drivers::libvirt::testing
