// The periodic tasks: heartbeat, resource report, power-state sync (the
// driver's state wins) and reclaim of old soft-deleted instances.
#include <gtest/gtest.h>

#include "compute_test_support.h"

namespace stratus::core::compute::testing {
namespace {

using drivers::fake::FakeOperation;
using sdk::PowerState;

class PeriodicTest : public ComputeTest {
 protected:
  void expect_state(const std::string& uuid, const std::string& vm_state, PowerState power) {
    const auto m = fake_.get(uuid).value();
    EXPECT_EQ(m.vm_state, vm_state);
    EXPECT_EQ(task_name(m.task_state), "None");
    EXPECT_EQ(m.instance.power_state, power);
  }
  void set_vm_state(const std::string& uuid, const std::string& vm_state) {
    auto m = fake_.get(uuid).value();
    m.vm_state = vm_state;
    fake_.put(m);
  }
};

TEST_F(PeriodicTest, HeartbeatsAndResourceReportsKeepComing) {
  auto o = quiet_options();
  o.heartbeat_interval = 20ms;
  o.resource_report_interval = 20ms;
  start_compute(o);
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.heartbeats().size() >= 4 && fake_.reports().size() >= 4; }));
  const auto hb = fake_.heartbeats().back();
  EXPECT_EQ(hb.host, kHost);
  EXPECT_EQ(hb.binary, "stratus-compute");
  EXPECT_EQ(hb.topic, "compute");
  const auto report = fake_.reports().back();
  EXPECT_EQ(report.host, kHost);
  EXPECT_EQ(report.resources.vcpus, 16);
  EXPECT_EQ(report.resources.memory_mb, 65536);
  EXPECT_TRUE(report.capabilities.supports_reboot);
  EXPECT_TRUE(report.instance_uuids.empty());
}

TEST_F(PeriodicTest, StartSendsOneHeartbeatAndOneReportEvenWithPeriodicTasksOff) {
  start_compute();
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.heartbeats().size() == 1 && fake_.reports().size() == 1; }));
}

TEST_F(PeriodicTest, AGuestThatShutItselfDownIsStoppedByTheSync) {
  auto o = quiet_options();
  o.sync_power_state_interval = 20ms;
  start_compute(o);
  build_active("i-1");
  ASSERT_TRUE(driver_->power_off(ctx(), fake_.get("i-1")->instance, 0, 0).ok());  // behind the manager's back
  ASSERT_TRUE(wait_state("i-1", "stopped"));
  expect_state("i-1", "stopped", PowerState::kShutdown);
}

TEST_F(PeriodicTest, ACrashedGuestIsPoweredOffAndStopped) {
  start_compute();
  build_active("i-1");
  ASSERT_TRUE(driver_->crash("i-1").ok());
  manager_->sync_power_states();
  expect_state("i-1", "stopped", PowerState::kShutdown);
  EXPECT_EQ(guest_state("i-1"), PowerState::kShutdown);
}

TEST_F(PeriodicTest, AMissingGuestIsNoStateAndStopped) {
  start_compute();
  build_active("i-1");
  ASSERT_TRUE(driver_->destroy(ctx(), fake_.get("i-1")->instance, {}, {}, true).ok());
  manager_->sync_power_states();
  expect_state("i-1", "stopped", PowerState::kNoState);
}

TEST_F(PeriodicTest, OtherwiseOnlyThePowerStateFollowsTheDriver) {
  start_compute();
  build_active("i-1");
  ASSERT_TRUE(driver_->pause(ctx(), fake_.get("i-1")->instance).ok());
  manager_->sync_power_states();
  expect_state("i-1", "active", PowerState::kPaused);
}

TEST_F(PeriodicTest, AStoppedInstanceWhoseGuestRunsIsPoweredOff) {
  start_compute();
  build_active("i-1");
  set_vm_state("i-1", "stopped");  // the guest still runs
  manager_->sync_power_states();
  expect_state("i-1", "stopped", PowerState::kShutdown);
  EXPECT_EQ(guest_state("i-1"), PowerState::kShutdown);
}

TEST_F(PeriodicTest, TheSyncLeavesInstancesWithATaskAlone) {
  start_compute();
  build_active("i-1");
  api_sets_task("i-1", "powering-on");
  ASSERT_TRUE(driver_->crash("i-1").ok());
  manager_->sync_power_states();
  const auto m = fake_.get("i-1").value();
  EXPECT_EQ(m.vm_state, "active");
  EXPECT_EQ(task_name(m.task_state), "powering-on");
  EXPECT_EQ(m.instance.power_state, PowerState::kRunning);
  EXPECT_EQ(guest_state("i-1"), PowerState::kCrashed);
}

TEST_F(PeriodicTest, ALifecycleEventSyncsThatInstanceWithoutThePeriodicSync) {
  start_compute();  // periodic sync off: only the event can notice
  build_active("i-1");
  ASSERT_TRUE(driver_->power_off(ctx(), fake_.get("i-1")->instance, 0, 0).ok());  // behind the manager's back
  ASSERT_TRUE(driver_->emit_lifecycle_event({"i-1", sdk::LifecycleTransition::kStopped}));
  ASSERT_TRUE(wait_state("i-1", "stopped"));
  expect_state("i-1", "stopped", PowerState::kShutdown);
}

TEST_F(PeriodicTest, ALifecycleEventOnlyUpdatesThePowerStateWhenThatIsAllThatChanged) {
  start_compute();
  build_active("i-1");
  build_active("i-2");
  ASSERT_TRUE(driver_->pause(ctx(), fake_.get("i-1")->instance).ok());
  ASSERT_TRUE(driver_->emit_lifecycle_event({"i-1", sdk::LifecycleTransition::kPaused}));
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.get("i-1")->instance.power_state == PowerState::kPaused; }));
  expect_state("i-1", "active", PowerState::kPaused);
  expect_state("i-2", "active", PowerState::kRunning);
}

TEST_F(PeriodicTest, ADriverBuiltForAbi1IsNeverAskedForLifecycleEvents) {
  auto o = quiet_options();
  o.driver_abi_version = 1;
  start_compute(o);
  EXPECT_FALSE(driver_->emit_lifecycle_event({"i-1", sdk::LifecycleTransition::kStopped}));
}

TEST_F(PeriodicTest, StopUnregistersTheLifecycleListener) {
  start_compute();
  EXPECT_TRUE(driver_->emit_lifecycle_event({"unknown-uuid", sdk::LifecycleTransition::kStarted}));
  manager_->stop();
  EXPECT_FALSE(driver_->emit_lifecycle_event({"i-1", sdk::LifecycleTransition::kStopped}));
}

TEST_F(PeriodicTest, HypervisorTroubleIsNotTakenForAMissingGuest) {
  start_compute();
  build_active("i-1");
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kGetInfo, "fail:unavailable").ok());
  manager_->sync_power_states();
  expect_state("i-1", "active", PowerState::kRunning);
}

TEST_F(PeriodicTest, AnOldSoftDeletedInstanceIsReclaimed) {
  auto o = quiet_options();
  o.reclaim_instance_interval = 50ms;
  start_compute(o);
  build_active("i-old");
  build_active("i-new");
  ASSERT_TRUE(manager_->soft_delete_instance(ctx(), fake_.get("i-new").value()).ok());
  ASSERT_TRUE(manager_->soft_delete_instance(ctx(), fake_.get("i-old").value()).ok());
  auto old = fake_.get("i-old").value();
  old.updated_at = "2000-01-01T00:00:00.000000";
  fake_.put(old);

  ASSERT_TRUE(fake_.wait_for([&] { return fake_.destroyed() == std::vector<std::string>{"i-old"}; }));
  EXPECT_FALSE(driver_->guest("i-old").has_value());
  // One more pass, run here: the recently soft-deleted one stays.
  manager_->reclaim_queued_deletes();
  EXPECT_EQ(fake_.destroyed(), std::vector<std::string>{"i-old"});
  EXPECT_EQ(fake_.get("i-new")->vm_state, "soft-delete");
  EXPECT_TRUE(driver_->guest("i-new").has_value());
}

TEST_F(PeriodicTest, NoReclaimWhenTheIntervalIsZero) {
  start_compute();
  build_active("i-1");
  ASSERT_TRUE(manager_->soft_delete_instance(ctx(), fake_.get("i-1").value()).ok());
  auto m = fake_.get("i-1").value();
  m.updated_at = "2000-01-01T00:00:00.000000";
  fake_.put(m);
  manager_->reclaim_queued_deletes();
  EXPECT_TRUE(fake_.destroyed().empty());
}

}  // namespace
}  // namespace stratus::core::compute::testing
