// What reaches the driver (issue #13): the personality files and admin
// password of a build and a rebuild, the security groups before spawn and on
// refresh, and the diagnostics call, each through the real RPC path to a
// real ComputeManager over a FakeDriver. ABI gating: a plugin built before
// ABI 4 is never asked for get_diagnostics or apply_security_groups.
#include <gtest/gtest.h>

#include "compute_test_support.h"

namespace stratus::core::compute::testing {
namespace {

using drivers::fake::FakeOperation;

class GuestDeliveryTest : public ComputeTest {
 protected:
  static std::vector<sdk::PortSecurity> ssh_only(const std::string& port) {
    sdk::PortSecurity p;
    p.port_id = port;
    p.mac_address = "fa:16:3e:00:00:01";
    p.fixed_ips = {"10.0.0.5"};
    sdk::SecurityGroupRule r;
    r.id = "rule-ssh";
    r.direction = "ingress";
    r.ethertype = "IPv4";
    r.protocol = "tcp";
    r.port_range_min = 22;
    r.port_range_max = 22;
    p.rules = {r};
    return {p};
  }
  static ComputeOptions abi(std::uint32_t version) {
    ComputeOptions o = quiet_options();
    o.driver_abi_version = version;
    return o;
  }
};

TEST_F(GuestDeliveryTest, BuildHandsFilesAndPasswordToSpawn) {
  start_compute();
  const InstanceMsg msg = instance("i-1");
  fake_.put(msg);
  auto r = build_request(msg);
  r.injection.files = {{"/etc/motd", "hello"}, {"/root/bin", std::string("\x00\x01", 2)}};
  r.injection.admin_password = "Secr3tPass";
  ASSERT_TRUE(compute_api_->build_and_run_instance(ctx(), kHost, r).ok());
  ASSERT_TRUE(wait_state("i-1", "active"));
  const auto g = driver_->guest("i-1").value();
  EXPECT_EQ(g.files, r.injection.files);
  EXPECT_EQ(g.injected_files, 2u);
  EXPECT_EQ(g.admin_password, "Secr3tPass");
}

TEST_F(GuestDeliveryTest, AFailedBuildSendsTheInjectionBackForTheNextHost) {
  start_compute();
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kSpawn, "fail:unavailable*1").ok());
  const InstanceMsg msg = instance("i-1");
  fake_.put(msg);
  auto r = build_request(msg, {{"compute-2", "compute-2"}});
  r.injection.files = {{"/f", "x"}};
  r.injection.admin_password = "pw";
  ASSERT_TRUE(compute_api_->build_and_run_instance(ctx(), kHost, r).ok());
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.reschedules().size() == 1; }));
  EXPECT_EQ(fake_.reschedules().front().injection.files, r.injection.files);
  EXPECT_EQ(fake_.reschedules().front().injection.admin_password, "pw");
}

TEST_F(GuestDeliveryTest, RebuildHandsFilesAndPasswordToTheDriver) {
  start_compute();
  build_active("i-1");
  auto m = api_sets_task("i-1", std::string("rebuilding"));
  rpcapi::GuestInjection injection{{{"/etc/issue", "rebuilt"}}, "NewPass"};
  ASSERT_TRUE(compute_api_->rebuild_instance(ctx(), m, cirros(), injection).ok());
  ASSERT_TRUE(fake_.wait_for([&] { return driver_->guest("i-1").value().rebuild_count == 1; }));
  const auto g = driver_->guest("i-1").value();
  EXPECT_EQ(g.files, injection.files);
  EXPECT_EQ(g.admin_password, "NewPass");
}

TEST_F(GuestDeliveryTest, AStoppedServerIsRebuiltAndLeftStopped) {
  start_compute();
  build_active("i-1");
  ASSERT_TRUE(driver_->power_off(ctx(), fake_.get("i-1")->instance, 0, 0).ok());
  auto m = fake_.get("i-1").value();
  m.vm_state = "stopped";
  m.task_state = std::string("rebuilding");
  fake_.put(m);
  ASSERT_TRUE(compute_api_->rebuild_instance(ctx(), m, cirros(), {}).ok());
  ASSERT_TRUE(wait_state("i-1", "stopped"));
  EXPECT_EQ(driver_->guest("i-1")->rebuild_count, 1u);
  EXPECT_EQ(guest_state("i-1"), sdk::PowerState::kShutdown);
  EXPECT_EQ(fake_.get("i-1")->instance.power_state, sdk::PowerState::kShutdown);
}

TEST_F(GuestDeliveryTest, RulesAreAppliedBeforeSpawn) {
  start_compute();
  const InstanceMsg msg = instance("i-1");
  fake_.put(msg);
  auto r = build_request(msg);
  r.port_security = ssh_only("port-1");
  // A spawn that fails shows the rules were in place before it ran.
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kSpawn, "fail:invalid_argument*1").ok());
  ASSERT_TRUE(compute_api_->build_and_run_instance(ctx(), kHost, r).ok());
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.reschedules().size() == 1; }));
  EXPECT_EQ(driver_->security_group_applies(), 1u);
}

TEST_F(GuestDeliveryTest, RulesReachTheGuestAndARefreshReplacesThem) {
  start_compute();
  const InstanceMsg msg = instance("i-1");
  fake_.put(msg);
  auto r = build_request(msg);
  r.port_security = ssh_only("port-1");
  ASSERT_TRUE(compute_api_->build_and_run_instance(ctx(), kHost, r).ok());
  ASSERT_TRUE(wait_state("i-1", "active"));
  auto rules = driver_->security_groups("i-1");
  ASSERT_TRUE(rules.has_value());
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].rules.at(0).port_range_min, 22);

  auto web = ssh_only("port-1");
  web[0].rules[0].port_range_min = web[0].rules[0].port_range_max = 80;
  ASSERT_TRUE(compute_api_->refresh_security_groups(ctx(), kHost, "i-1", web).ok());
  ASSERT_TRUE(fake_.wait_for([&] { return driver_->security_group_applies() == 2; }));
  EXPECT_EQ(driver_->security_groups("i-1")->at(0).rules.at(0).port_range_min, 80);
}

TEST_F(GuestDeliveryTest, ARuleTheDriverRefusesFailsTheBuildWithoutSpawning) {
  start_compute();
  const InstanceMsg msg = instance("i-1");
  fake_.put(msg);
  auto r = build_request(msg, {{"compute-2", "compute-2"}});
  r.port_security = ssh_only("port-1");
  r.port_security[0].rules[0].direction = "sideways";
  ASSERT_TRUE(compute_api_->build_and_run_instance(ctx(), kHost, r).ok());
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.reschedules().size() == 1; }));
  EXPECT_FALSE(driver_->guest("i-1").has_value());
  EXPECT_TRUE(fake_.reschedules().front().alternates.empty());  // any host would refuse it
}

TEST_F(GuestDeliveryTest, ADriverThatEnforcesNothingIsNotAnError) {
  start_compute();
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kApplySecurityGroups, "fail:not_supported").ok());
  const InstanceMsg msg = instance("i-1");
  fake_.put(msg);
  auto r = build_request(msg);
  r.port_security = ssh_only("port-1");
  ASSERT_TRUE(compute_api_->build_and_run_instance(ctx(), kHost, r).ok());
  ASSERT_TRUE(wait_state("i-1", "active"));
  EXPECT_TRUE(manager_->refresh_security_groups(ctx(), "i-1", ssh_only("port-1")).ok());
}

TEST_F(GuestDeliveryTest, AnAbi3PluginIsNeverAskedForAbi4Methods) {
  start_compute(abi(3));
  const InstanceMsg msg = instance("i-1");
  fake_.put(msg);
  auto r = build_request(msg);
  r.port_security = ssh_only("port-1");
  ASSERT_TRUE(compute_api_->build_and_run_instance(ctx(), kHost, r).ok());
  ASSERT_TRUE(wait_state("i-1", "active"));
  EXPECT_EQ(driver_->security_group_applies(), 0u);
  EXPECT_TRUE(manager_->refresh_security_groups(ctx(), "i-1", ssh_only("port-1")).ok());
  EXPECT_EQ(driver_->security_group_applies(), 0u);
  auto d = compute_api_->get_diagnostics(ctx(), fake_.get("i-1").value());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), sdk::StatusCode::kNotSupported) << d.status().to_string();
}

TEST_F(GuestDeliveryTest, DiagnosticsOfARunningGuestOverRpc) {
  start_compute();
  const InstanceMsg m = build_active("i-1");
  auto d = compute_api_->get_diagnostics(ctx(), m);
  ASSERT_TRUE(d.ok()) << d.status().to_string();
  EXPECT_EQ(d->state, "running");
  EXPECT_EQ(d->driver, "libvirt");
  EXPECT_EQ(d->memory_max_mb, 512);
  ASSERT_EQ(d->cpus.size(), 1u);
  EXPECT_TRUE(d->cpus[0].time_ns.has_value());
  EXPECT_FALSE(d->cpus[0].utilisation.has_value());
}

TEST_F(GuestDeliveryTest, DiagnosticsOfAStoppedGuestAreAConflict) {
  start_compute();
  build_active("i-1");
  ASSERT_TRUE(driver_->power_off(ctx(), fake_.get("i-1")->instance, 0, 0).ok());
  auto d = compute_api_->get_diagnostics(ctx(), fake_.get("i-1").value());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), sdk::StatusCode::kInvalidState);
  EXPECT_NE(d.status().message().find("power state shutdown"), std::string::npos) << d.status().message();
}

TEST_F(GuestDeliveryTest, DriverDiagnosticsFailuresComeBackAsTheirCode) {
  start_compute();
  const InstanceMsg m = build_active("i-1");
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kGetDiagnostics, "fail:not_supported").ok());
  auto d = compute_api_->get_diagnostics(ctx(), m);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), sdk::StatusCode::kNotSupported);
}

}  // namespace
}  // namespace stratus::core::compute::testing
