// The messages of issue #13's compute-side work: what a build or rebuild
// writes into the guest, the security-group rules a host enforces, and the
// diagnostics it answers with. They survive msgpack both ways, an older
// sender's shorter array leaves them empty, and a bad frame is refused.
#include <gtest/gtest.h>

#include <tuple>

#include "core/rpcapi/messages.h"
#include "stratus/rpc/payload.h"

namespace stratus::core::rpcapi {
namespace {

template <class T>
T round_trip(const T& value) {
  auto encoded = rpc::Payload::of(value);
  EXPECT_TRUE(encoded.ok());
  auto decoded = encoded->template as<T>();
  EXPECT_TRUE(decoded.ok()) << (decoded.ok() ? "" : decoded.error().to_string());
  return decoded.ok() ? decoded.value() : T{};
}

sdk::PortSecurity web_port() {
  sdk::PortSecurity p;
  p.port_id = "0f8d1c7e-5b1a-4c1b-9a52-0d7e4c9d1a11";
  p.mac_address = "fa:16:3e:00:00:01";
  p.fixed_ips = {"10.0.0.5", "fd00::5"};
  sdk::SecurityGroupRule ssh;
  ssh.id = "r-ssh";
  ssh.direction = "ingress";
  ssh.ethertype = "IPv4";
  ssh.protocol = "tcp";
  ssh.port_range_min = 22;
  ssh.port_range_max = 22;
  ssh.remote_ip_prefix = "192.168.0.0/16";
  sdk::SecurityGroupRule out;
  out.id = "r-out";
  out.direction = "egress";
  out.ethertype = "IPv6";
  p.rules = {ssh, out};
  return p;
}

TEST(GuestMessages, BuildRequestCarriesFilesPasswordAndPortRules) {
  BuildAndRunRequest in;
  in.instance.instance.uuid = "i-1";
  in.injection.files = {{"/etc/motd", std::string("hello\0world", 11)}, {"/root/.ssh/x", ""}};
  in.injection.admin_password = "s3cret";
  in.port_security = {web_port()};
  const BuildAndRunRequest out = round_trip(in);
  EXPECT_EQ(out.injection.files, in.injection.files);  // binary contents intact
  EXPECT_EQ(out.injection.admin_password, "s3cret");
  ASSERT_EQ(out.port_security.size(), 1u);
  const sdk::PortSecurity& p = out.port_security[0];
  EXPECT_EQ(p.port_id, in.port_security[0].port_id);
  EXPECT_EQ(p.fixed_ips, in.port_security[0].fixed_ips);
  EXPECT_TRUE(p.port_security_enabled);
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.rules[0].protocol, "tcp");
  EXPECT_EQ(p.rules[0].port_range_min, 22);
  EXPECT_EQ(p.rules[0].remote_ip_prefix, "192.168.0.0/16");
  EXPECT_EQ(p.rules[1].direction, "egress");
  EXPECT_EQ(p.rules[1].port_range_min, -1);
}

TEST(GuestMessages, InjectionRidesThroughConductorAndReschedule) {
  BuildInstancesRequest b;
  b.instance_uuids = {"a", "b"};
  b.injection.files = {{"/f", "x"}};
  b.injection.admin_password = "pw";
  EXPECT_EQ(round_trip(b).injection.files, b.injection.files);
  RescheduleRequest r;
  r.instance_uuid = "a";
  r.injection = b.injection;
  EXPECT_EQ(round_trip(r).injection.admin_password, "pw");
  RebuildRequest rb;
  rb.injection = b.injection;
  EXPECT_EQ(round_trip(rb).injection.files, b.injection.files);
}

TEST(GuestMessages, RefreshCarriesTheWholeList) {
  sdk::PortSecurity off;
  off.port_id = "p2";
  off.port_security_enabled = false;
  const RefreshSecurityGroupsRequest out = round_trip(RefreshSecurityGroupsRequest{"i-1", {web_port(), off}});
  EXPECT_EQ(out.instance_uuid, "i-1");
  ASSERT_EQ(out.ports.size(), 2u);
  EXPECT_FALSE(out.ports[1].port_security_enabled);
  EXPECT_TRUE(out.ports[1].rules.empty());
}

TEST(GuestMessages, DiagnosticsKeepUnknownsUnknown) {
  sdk::Diagnostics d;
  d.state = "running";
  d.driver = "libvirt";
  d.uptime_s = std::nullopt;
  d.memory_max_mb = 512;
  d.cpus = {{0, 1000, std::nullopt}, {1, std::nullopt, 5}};
  sdk::NicDiagnostics nic;
  nic.mac_address = "fa:16:3e:00:00:01";
  nic.rx_octets = 10;
  d.nics = {nic};
  d.disks = {sdk::DiskDiagnostics{}};
  auto encoded = rpc::Payload::of(d);
  ASSERT_TRUE(encoded.ok());
  auto out = encoded->as<sdk::Diagnostics>();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->state, "running");
  EXPECT_FALSE(out->uptime_s.has_value());
  EXPECT_EQ(out->memory_max_mb, 512);
  EXPECT_FALSE(out->memory_used_mb.has_value());
  ASSERT_EQ(out->cpus.size(), 2u);
  EXPECT_EQ(out->cpus[0].time_ns, 1000);
  EXPECT_FALSE(out->cpus[1].time_ns.has_value());
  EXPECT_EQ(out->cpus[1].utilisation, 5);
  ASSERT_EQ(out->nics.size(), 1u);
  EXPECT_EQ(out->nics[0].rx_octets, 10);
  EXPECT_FALSE(out->nics[0].tx_octets.has_value());
  ASSERT_EQ(out->disks.size(), 1u);
  EXPECT_FALSE(out->disks[0].read_bytes.has_value());
}

// A sender from before these fields: the build goes on with nothing to inject
// and no rules (the host is not asked to filter).
TEST(GuestMessages, OlderBuildRequestHasNoInjectionAndNoRules) {
  BuildAndRunRequest full;
  full.instance.instance.uuid = "i-9";
  auto encoded = rpc::Payload::of(std::make_tuple(full.instance, full.image, full.spec, full.block_device_info,
                                                  full.alternates, full.attempt));
  ASSERT_TRUE(encoded.ok());
  auto out = encoded->as<BuildAndRunRequest>();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->instance.instance.uuid, "i-9");
  EXPECT_TRUE(out->injection.files.empty());
  EXPECT_TRUE(out->injection.admin_password.empty());
  EXPECT_TRUE(out->port_security.empty());
}

TEST(GuestMessages, BadFramesAreBadMessages) {
  // A rule list where a rule should be an array.
  auto wrong_rule = rpc::Payload::of(std::make_tuple(std::string("i-1"),
                                                     std::vector<std::tuple<std::string, int>>{{"p", 1}}));
  ASSERT_TRUE(wrong_rule.ok());
  auto r = wrong_rule->as<RefreshSecurityGroupsRequest>();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, rpc::Errc::bad_message);
  // A port range that is a string.
  auto wrong_range = rpc::Payload::of(std::make_tuple(
      std::string("i-1"),
      std::vector<std::tuple<std::string, std::string, std::vector<std::string>, bool,
                             std::vector<std::tuple<std::string, std::string, std::string, std::string, std::string>>>>{
          {"p", "mac", {}, true, {{"id", "ingress", "IPv4", "tcp", "twenty-two"}}}}));
  ASSERT_TRUE(wrong_range.ok());
  EXPECT_FALSE(wrong_range->as<RefreshSecurityGroupsRequest>().ok());
  // Not msgpack at all, and a truncated frame.
  auto garbage = rpc::Payload::from_bytes(std::string("\xc1", 1)).as<RefreshSecurityGroupsRequest>();
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, rpc::Errc::bad_message);
  auto good = rpc::Payload::of(RefreshSecurityGroupsRequest{"i-1", {web_port()}});
  ASSERT_TRUE(good.ok());
  const std::string bytes(good->bytes());
  auto cut = rpc::Payload::from_bytes(bytes.substr(0, bytes.size() / 2)).as<RefreshSecurityGroupsRequest>();
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code, rpc::Errc::bad_message);
  // Injection whose files are not pairs.
  auto wrong_files = rpc::Payload::of(std::make_tuple(std::vector<std::string>{"/etc/motd"}, std::string("pw")));
  ASSERT_TRUE(wrong_files.ok());
  EXPECT_FALSE(wrong_files->as<GuestInjection>().ok());
}

}  // namespace
}  // namespace stratus::core::rpcapi
