// Port hot-plug and crash dumps on a compute host (compute RPC 1.3, calls):
// a real ComputeManager with a FakeDriver, reached through ComputeRpcApi.
// The driver plugs what it is sent, behind the rules it is sent; a plugin
// built before ABI 6 is never called; a client capped below 1.3 refuses to
// send.
#include "compute_test_support.h"

namespace stratus::core::compute::testing {
namespace {

sdk::Vif new_port(const std::string& id, const std::string& mac) {
  sdk::Vif v;
  v.id = id;
  v.address = mac;
  v.network_id = "net-1";
  v.fixed_ips = {"10.0.0.9"};
  return v;
}

sdk::PortSecurity rules_of(const std::string& port_id) {
  sdk::PortSecurity p;
  p.port_id = port_id;
  p.port_security_enabled = true;
  return p;
}

class InterfacesTest : public ComputeTest {
 protected:
  ComputeOptions options(std::uint32_t abi = sdk::kAbiVersion) {
    ComputeOptions o = quiet_options();
    o.driver_abi_version = abi;
    return o;
  }
};

TEST_F(InterfacesTest, AttachPlugsThePortBehindItsRulesAndDetachUnplugsIt) {
  start_compute(options());
  const auto m = build_active("i-1");
  const sdk::Vif vif = new_port("p-new", "fa:16:3e:00:00:99");
  ASSERT_TRUE(compute_api_->attach_interface(ctx(), rpcapi::InterfaceRequest{m, vif, {rules_of("p-new")}}).ok());
  auto g = driver_->guest("i-1");
  ASSERT_TRUE(g.has_value());
  ASSERT_FALSE(g->network_info.empty());
  EXPECT_EQ(g->network_info.back().id, "p-new");
  auto applied = driver_->security_groups("i-1");
  ASSERT_TRUE(applied.has_value());
  ASSERT_EQ(applied->size(), 1u);
  EXPECT_EQ((*applied)[0].port_id, "p-new");
  auto finished = finish_of("i-1", "compute_attach_interface");
  ASSERT_TRUE(finished.has_value());
  EXPECT_EQ(finished->result, "Success");

  ASSERT_TRUE(compute_api_->detach_interface(ctx(), rpcapi::InterfaceRequest{m, vif, {}}).ok());
  const auto after = driver_->guest("i-1");
  ASSERT_TRUE(after.has_value());
  for (const auto& v : after->network_info) EXPECT_NE(v.id, "p-new");
  EXPECT_TRUE(driver_->security_groups("i-1")->empty());
  EXPECT_EQ(finished_events("i-1", "compute_detach_interface"), 1u);
  // Unplugging it again: the driver has no such interface.
  EXPECT_EQ(compute_api_->detach_interface(ctx(), rpcapi::InterfaceRequest{m, vif, {}}).code(),
            sdk::StatusCode::kNotFound);
  EXPECT_EQ(guest_state("i-1"), sdk::PowerState::kRunning);
}

TEST_F(InterfacesTest, ADriverFailureIsAFaultAndAnError) {
  start_compute(options());
  const auto m = build_active("i-1");
  ASSERT_TRUE(driver_->inject_fault(drivers::fake::FakeOperation::kAttachInterface, "fail:internal").ok());
  const sdk::Status st =
      compute_api_->attach_interface(ctx(), rpcapi::InterfaceRequest{m, new_port("p", "fa:16:3e:00:00:01"), {}});
  EXPECT_EQ(st.code(), sdk::StatusCode::kInternal) << st;
  EXPECT_EQ(fake_.faults("i-1").size(), 1u);
  auto finished = finish_of("i-1", "compute_attach_interface");
  ASSERT_TRUE(finished.has_value());
  EXPECT_EQ(finished->result, "Error");
}

TEST_F(InterfacesTest, CrashDumpReachesTheDriverAndChangesNoState) {
  start_compute(options());
  const auto m = build_active("i-1");
  ASSERT_TRUE(compute_api_->trigger_crash_dump(ctx(), m).ok());
  EXPECT_EQ(driver_->guest("i-1")->crash_dumps, 1u);
  EXPECT_EQ(guest_state("i-1"), sdk::PowerState::kRunning);
  EXPECT_EQ(fake_.get("i-1")->vm_state, "active");
  EXPECT_EQ(finished_events("i-1", "compute_trigger_crash_dump"), 1u);
  // A guest that is not running cannot take an NMI.
  ASSERT_TRUE(driver_->power_off(ctx(), m.instance, 0, 0).ok());
  EXPECT_EQ(compute_api_->trigger_crash_dump(ctx(), m).code(), sdk::StatusCode::kInvalidState);
  EXPECT_EQ(driver_->guest("i-1")->crash_dumps, 1u);
}

TEST_F(InterfacesTest, APluginBuiltBeforeAbi6IsNeverCalled) {
  start_compute(options(5));
  const auto m = build_active("i-1");
  const sdk::Status attach =
      compute_api_->attach_interface(ctx(), rpcapi::InterfaceRequest{m, new_port("p", "fa:16:3e:00:00:01"), {}});
  EXPECT_EQ(attach.code(), sdk::StatusCode::kNotSupported) << attach;
  EXPECT_NE(attach.message().find("plugin ABI 5"), std::string::npos) << attach;
  EXPECT_TRUE(driver_->guest("i-1")->network_info.empty());
  EXPECT_EQ(compute_api_->trigger_crash_dump(ctx(), m).code(), sdk::StatusCode::kNotSupported);
  EXPECT_EQ(driver_->guest("i-1")->crash_dumps, 0u);
  // A refusal is not a fault of the instance.
  EXPECT_TRUE(fake_.faults("i-1").empty());
}

TEST_F(InterfacesTest, AClientCappedBelow13RefusesWithoutSending) {
  start_compute(options());
  const auto m = build_active("i-1");
  rpcapi::ComputeRpcApi capped(*api_ep_, 5000ms, rpcapi::fixed_cap("1.2"));
  const sdk::Status st = capped.trigger_crash_dump(ctx(), m);
  EXPECT_EQ(st.code(), sdk::StatusCode::kNotSupported);
  EXPECT_NE(st.message().find("needs compute RPC 1.3"), std::string::npos) << st;
  EXPECT_EQ(capped.attach_interface(ctx(), rpcapi::InterfaceRequest{m, new_port("p", "fa:16:3e:00:00:01"), {}}).code(),
            sdk::StatusCode::kNotSupported);
  EXPECT_EQ(driver_->guest("i-1")->crash_dumps, 0u);
  EXPECT_EQ(finished_events("i-1", "compute_trigger_crash_dump"), 0u);
}

}  // namespace
}  // namespace stratus::core::compute::testing
