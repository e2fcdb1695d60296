// Rescue on a compute host (compute RPC 1.4, casts): a real ComputeManager
// with a FakeDriver, reached through ComputeRpcApi. Rescue ends RESCUED with
// the rescue image booted, unrescue ACTIVE; a driver failure clears the task
// and leaves a fault; a plugin built before ABI 7 is never called; a client
// capped below 1.4 refuses to send.
#include "compute_test_support.h"

namespace stratus::core::compute::testing {
namespace {

class RescueTest : public ComputeTest {
 protected:
  ComputeOptions options(std::uint32_t abi = sdk::kAbiVersion) {
    ComputeOptions o = quiet_options();
    o.driver_abi_version = abi;
    return o;
  }
  sdk::ImageMeta rescue_image() {
    sdk::ImageMeta m;
    m.id = "rescue-img";
    m.disk_format = "qcow2";
    return m;
  }
  // The API's task, the cast, the wait for the finish event; its result.
  std::string act(const std::string& uuid, const std::string& task, const std::string& method,
                  const std::function<sdk::Status(const InstanceMsg&)>& cast) {
    const std::size_t before = finished_events(uuid, "compute_" + method);
    const InstanceMsg m = api_sets_task(uuid, task);
    EXPECT_TRUE(cast(m).ok());
    EXPECT_TRUE(fake_.wait_for([&] { return finished_events(uuid, "compute_" + method) == before + 1; }));
    return finish_of(uuid, "compute_" + method)->result;
  }
  std::string rescue(const std::string& uuid) {
    return act(uuid, "rescuing", "rescue_instance", [&](const InstanceMsg& m) {
      return compute_api_->rescue_instance(ctx(), rpcapi::RescueRequest{m, rescue_image(), "pw"});
    });
  }
  std::string unrescue(const std::string& uuid) {
    return act(uuid, "unrescuing", "unrescue_instance",
               [&](const InstanceMsg& m) { return compute_api_->unrescue_instance(ctx(), m); });
  }
};

TEST_F(RescueTest, RescueEndsRescuedAndUnrescueActive) {
  start_compute(options());
  build_active("i-1");
  EXPECT_EQ(rescue("i-1"), "Success");
  auto m = fake_.get("i-1").value();
  EXPECT_EQ(m.vm_state, "rescued");
  EXPECT_EQ(task_name(m.task_state), "None");
  EXPECT_EQ(m.instance.power_state, sdk::PowerState::kRunning);
  EXPECT_EQ(driver_->guest("i-1")->rescue_image_id, "rescue-img");
  EXPECT_EQ(driver_->guest("i-1")->admin_password, "pw");
  EXPECT_EQ(unrescue("i-1"), "Success");
  m = fake_.get("i-1").value();
  EXPECT_EQ(m.vm_state, "active");
  EXPECT_EQ(task_name(m.task_state), "None");
  EXPECT_TRUE(driver_->guest("i-1")->rescue_image_id.empty());
  EXPECT_TRUE(fake_.faults("i-1").empty());
}

TEST_F(RescueTest, ADriverFailureKeepsTheStateAndRecordsAFault) {
  start_compute(options());
  build_active("i-1");
  ASSERT_TRUE(driver_->inject_fault(drivers::fake::FakeOperation::kRescue, "fail:internal*1").ok());
  EXPECT_EQ(rescue("i-1"), "Error");
  const auto m = fake_.get("i-1").value();
  EXPECT_EQ(m.vm_state, "active");
  EXPECT_EQ(task_name(m.task_state), "None");
  EXPECT_EQ(fake_.faults("i-1").size(), 1u);
  // Unrescue of a guest that is not rescued: refused by the driver, the state kept.
  EXPECT_EQ(unrescue("i-1"), "Error");
  EXPECT_EQ(fake_.get("i-1")->vm_state, "active");
}

TEST_F(RescueTest, APluginBuiltBeforeAbi7IsNeverCalled) {
  start_compute(options(6));
  build_active("i-1");
  EXPECT_EQ(rescue("i-1"), "Error");
  EXPECT_TRUE(driver_->guest("i-1")->rescue_image_id.empty());
  EXPECT_EQ(fake_.get("i-1")->vm_state, "active");
  ASSERT_EQ(fake_.faults("i-1").size(), 1u);
  EXPECT_NE(fake_.faults("i-1")[0].message.find("plugin ABI 6"), std::string::npos) << fake_.faults("i-1")[0].message;
}

TEST_F(RescueTest, AClientCappedBelow14RefusesWithoutSending) {
  start_compute(options());
  const auto m = build_active("i-1");
  rpcapi::ComputeRpcApi capped(*api_ep_, 5000ms, rpcapi::fixed_cap("1.3"));
  const sdk::Status st = capped.rescue_instance(ctx(), rpcapi::RescueRequest{m, rescue_image(), ""});
  EXPECT_EQ(st.code(), sdk::StatusCode::kNotSupported);
  EXPECT_NE(st.message().find("needs compute RPC 1.4"), std::string::npos) << st;
  EXPECT_EQ(capped.unrescue_instance(ctx(), m).code(), sdk::StatusCode::kNotSupported);
  EXPECT_EQ(finished_events("i-1", "compute_rescue_instance"), 0u);
}

}  // namespace
}  // namespace stratus::core::compute::testing
