// Reconcile on start (Nova's init_host): instances left mid-operation by a
// restart end with no task.
#include <gtest/gtest.h>

#include "compute_test_support.h"

namespace stratus::core::compute::testing {
namespace {

using sdk::PowerState;

// A driver whose first init_host fails (the hypervisor is not up yet), and
// which otherwise forwards the mandatory methods to a fake host.
class FailingInitDriver final : public sdk::VirtDriver {
 public:
  explicit FailingInitDriver(std::shared_ptr<drivers::fake::FakeDriver> fake) : fake_(std::move(fake)) {}
  sdk::Status init_host(const std::string& host) override {
    if (++inits_ == 1) return sdk::Status::Unavailable("hypervisor not reachable yet");
    return fake_->init_host(host);
  }
  sdk::Status spawn(const sdk::RequestContext& c, const sdk::Instance& i, const sdk::ImageMeta& m,
                    const sdk::InjectedFiles& f, const std::string& p, const sdk::NetworkInfo& n,
                    const sdk::BlockDeviceInfo& b) override {
    return fake_->spawn(c, i, m, f, p, n, b);
  }
  sdk::Status destroy(const sdk::RequestContext& c, const sdk::Instance& i, const sdk::NetworkInfo& n,
                      const sdk::BlockDeviceInfo& b, bool d) override {
    return fake_->destroy(c, i, n, b, d);
  }
  sdk::Result<sdk::InstanceInfo> get_info(const sdk::Instance& i) override { return fake_->get_info(i); }
  sdk::Result<std::vector<std::string>> list_instances() override { return fake_->list_instances(); }

 private:
  std::shared_ptr<drivers::fake::FakeDriver> fake_;
  int inits_ = 0;
};

class ReconcileTest : public ComputeTest {
 protected:
  // A guest this host already runs, as before the restart.
  void existing_guest(const std::string& uuid) {
    ASSERT_TRUE(driver_->init_host(kHost).ok());
    ASSERT_TRUE(driver_->spawn(ctx(), instance(uuid).instance, cirros(), {}, "", {}, {}).ok());
  }
  void put(const std::string& uuid, const std::string& vm_state, std::optional<std::string> task,
           PowerState power) {
    auto m = instance(uuid, vm_state, std::move(task));
    m.instance.power_state = power;
    fake_.put(m);
  }
};

TEST_F(ReconcileTest, InterruptedOperationsAreSettledBeforeStartReturns) {
  existing_guest("half-built");
  put("half-built", "building", "spawning", PowerState::kNoState);
  put("queued", "building", "scheduling", PowerState::kNoState);
  existing_guest("deleting");
  put("deleting", "active", "deleting", PowerState::kRunning);
  existing_guest("rebooting");
  put("rebooting", "active", "reboot_started", PowerState::kRunning);
  existing_guest("powering-off");
  ASSERT_TRUE(driver_->power_off(ctx(), instance("powering-off").instance, 0, 0).ok());
  put("powering-off", "active", "powering-off", PowerState::kRunning);
  existing_guest("soft-deleted");
  ASSERT_TRUE(driver_->power_off(ctx(), instance("soft-deleted").instance, 0, 0).ok());
  put("soft-deleted", "soft-delete", std::nullopt, PowerState::kShutdown);
  auto elsewhere = instance("elsewhere", "building", "spawning");
  elsewhere.instance.host = "compute-2";
  fake_.put(elsewhere);

  start_compute();

  // Builds cannot be resumed here: no guest is left behind, and each is handed
  // back to the conductor to be scheduled again (attempt 0: the request was
  // lost with the restart); the conductor decides its state.
  const auto handed_back = fake_.reschedules();
  ASSERT_EQ(handed_back.size(), 2u);
  for (const char* uuid : {"half-built", "queued"}) {
    EXPECT_FALSE(driver_->guest(uuid).has_value()) << uuid;
    EXPECT_EQ(fake_.get(uuid)->vm_state, "building") << uuid;
    const auto r = std::find_if(handed_back.begin(), handed_back.end(),
                                [&](const rpcapi::RescheduleRequest& x) { return x.instance_uuid == uuid; });
    ASSERT_NE(r, handed_back.end()) << uuid;
    EXPECT_EQ(r->failed_host, kHost);
    EXPECT_EQ(r->attempt, 0);
    EXPECT_TRUE(r->alternates.empty());
    EXPECT_EQ(r->fault_message, "instance was building when compute host compute-1 restarted");
  }
  // The delete is finished.
  EXPECT_EQ(fake_.destroyed(), std::vector<std::string>{"deleting"});
  EXPECT_FALSE(driver_->guest("deleting").has_value());
  // Other tasks are dropped and the state follows the guest.
  auto rebooting = fake_.get("rebooting").value();
  EXPECT_EQ(rebooting.vm_state, "active");
  EXPECT_EQ(task_name(rebooting.task_state), "None");
  EXPECT_EQ(rebooting.instance.power_state, PowerState::kRunning);
  auto stopped = fake_.get("powering-off").value();
  EXPECT_EQ(stopped.vm_state, "stopped");
  EXPECT_EQ(task_name(stopped.task_state), "None");
  EXPECT_EQ(stopped.instance.power_state, PowerState::kShutdown);
  // Soft-deleted stays so; another host's instance is not touched.
  EXPECT_EQ(fake_.get("soft-deleted")->vm_state, "soft-delete");
  EXPECT_TRUE(driver_->guest("soft-deleted").has_value());
  EXPECT_TRUE(fake_.history("soft-deleted").empty());
  EXPECT_TRUE(fake_.history("elsewhere").empty());
}

// A build cast that was queued for this host before the restart and arrives
// after the conductor took the instance back (its host cleared, as
// ComputeTaskManager::reschedule_from_host does): nothing is done here.
TEST_F(ReconcileTest, ABuildCastAfterTheInstanceWasHandedBackDoesNothing) {
  put("i-1", "building", "scheduling", PowerState::kNoState);
  start_compute();
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.reschedules().size() == 1; }));
  auto taken = instance("i-1", "building", "scheduling");
  taken.instance.host.clear();
  fake_.put(taken);
  const std::size_t steps = fake_.history("i-1").size();
  ASSERT_TRUE(compute_api_->build_and_run_instance(ctx(), kHost, build_request(instance("i-1"))).ok());
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 1; }));
  EXPECT_EQ(fake_.history("i-1").size(), steps);
  EXPECT_EQ(driver_->instance_count(), 0u);
}

// A conductor that misses the first listing (busy after a storm): the host
// asks again, and still reconciles what it finds.
TEST_F(ReconcileTest, AMissedListingIsAskedAgain) {
  existing_guest("rebooting");
  put("rebooting", "active", "reboot_started", PowerState::kRunning);
  fake_.make_listing_unreachable_for(2);
  start_compute();
  EXPECT_EQ(fake_.listings(), 3u);
  EXPECT_EQ(task_name(fake_.get("rebooting")->task_state), "None");
}

TEST_F(ReconcileTest, StartFailsWhenTheDriverCannotInitialiseAndMayBeRetried) {
  compute_ep_ = make_endpoint("compute-" + kHost);
  conductor_api_ = std::make_unique<rpcapi::ConductorRpcApi>(*compute_ep_, 5000ms);
  auto failing = std::make_shared<FailingInitDriver>(driver_);
  manager_ = std::make_unique<ComputeManager>(kHost, failing, *conductor_api_, quiet_options());
  ASSERT_TRUE(manager_->register_on(*compute_ep_).ok());
  ASSERT_TRUE(compute_ep_->start().ok());
  ASSERT_TRUE(compute_ep_->wait_registered(5s));
  const sdk::Status first = manager_->start();
  EXPECT_TRUE(first.is(sdk::StatusCode::kUnavailable)) << first.to_string();
  EXPECT_TRUE(manager_->start().ok());
  EXPECT_TRUE(manager_->start().is(sdk::StatusCode::kInvalidState));
}

}  // namespace
}  // namespace stratus::core::compute::testing
