// The instance actions: each one's resulting state, the refused and failed
// paths, terminate and the console.
#include <gtest/gtest.h>

#include "compute_test_support.h"

namespace stratus::core::compute::testing {
namespace {

using drivers::fake::FakeOperation;
using sdk::PowerState;

class ActionsTest : public ComputeTest {
 protected:
  void SetUp() override {
    ComputeTest::SetUp();
    start_compute();
  }

  // The API's part of an action (set the task), the cast, and the wait for
  // the action's finish event; returns that event's result.
  std::string act(const std::string& uuid, const std::optional<std::string>& api_task, const std::string& method,
                  const std::function<sdk::Status(const InstanceMsg&)>& cast) {
    const std::size_t before = finished_events(uuid, "compute_" + method);
    const InstanceMsg m = api_sets_task(uuid, api_task);
    EXPECT_TRUE(cast(m).ok());
    EXPECT_TRUE(fake_.wait_for([&] { return finished_events(uuid, "compute_" + method) == before + 1; }))
        << method << " did not finish";
    std::string result;
    for (const auto& e : fake_.events(uuid)) {
      if (e.finish && e.event == "compute_" + method) result = e.result;
    }
    return result;
  }

  void expect_state(const std::string& uuid, const std::string& vm_state, PowerState power) {
    const auto m = fake_.get(uuid).value();
    EXPECT_EQ(m.vm_state, vm_state);
    EXPECT_EQ(task_name(m.task_state), "None");
    EXPECT_EQ(m.instance.power_state, power);
    EXPECT_EQ(guest_state(uuid), power);
  }

  bool walked(const std::string& uuid, const std::string& task) const {
    for (const auto& s : fake_.history(uuid)) {
      if (s.task_state == task) return true;
    }
    return false;
  }

  rpcapi::ComputeRpcApi& api() { return *compute_api_; }
};

TEST_F(ActionsTest, StopStartPauseUnpauseSuspendResume) {
  build_active("i-1");
  const auto c = ctx("req-action");
  EXPECT_EQ(act("i-1", "powering-off", "stop_instance", [&](auto& m) { return api().stop_instance(c, m); }),
            "Success");
  expect_state("i-1", "stopped", PowerState::kShutdown);
  EXPECT_EQ(act("i-1", "powering-on", "start_instance", [&](auto& m) { return api().start_instance(c, m); }),
            "Success");
  expect_state("i-1", "active", PowerState::kRunning);
  EXPECT_EQ(act("i-1", "pausing", "pause_instance", [&](auto& m) { return api().pause_instance(c, m); }), "Success");
  expect_state("i-1", "paused", PowerState::kPaused);
  EXPECT_EQ(act("i-1", "unpausing", "unpause_instance", [&](auto& m) { return api().unpause_instance(c, m); }),
            "Success");
  expect_state("i-1", "active", PowerState::kRunning);
  EXPECT_EQ(act("i-1", "suspending", "suspend_instance", [&](auto& m) { return api().suspend_instance(c, m); }),
            "Success");
  expect_state("i-1", "suspended", PowerState::kSuspended);
  EXPECT_EQ(act("i-1", "resuming", "resume_instance", [&](auto& m) { return api().resume_instance(c, m); }),
            "Success");
  expect_state("i-1", "active", PowerState::kRunning);
  EXPECT_TRUE(fake_.faults("i-1").empty());
  // Every action's events carry the request id of the action.
  for (const auto& e : fake_.events("i-1")) {
    if (e.event != std::string(kBuildEvent)) {
      EXPECT_EQ(e.request_id, "req-action") << e.event;
    }
  }
}

TEST_F(ActionsTest, ActionsWorkWhenTheApiSetNoTask) {
  build_active("i-1");
  EXPECT_EQ(act("i-1", std::nullopt, "stop_instance", [&](auto& m) { return api().stop_instance(ctx(), m); }),
            "Success");
  EXPECT_TRUE(walked("i-1", "powering-off"));
  expect_state("i-1", "stopped", PowerState::kShutdown);
}

TEST_F(ActionsTest, SoftAndHardReboot) {
  build_active("i-1");
  const auto boots = driver_->guest("i-1")->boot_count;
  EXPECT_EQ(act("i-1", "rebooting", "reboot_instance",
                [&](auto& m) { return api().reboot_instance(ctx(), m, "SOFT"); }),
            "Success");
  EXPECT_TRUE(walked("i-1", "reboot_started"));
  expect_state("i-1", "active", PowerState::kRunning);
  EXPECT_EQ(act("i-1", "rebooting_hard", "reboot_instance",
                [&](auto& m) { return api().reboot_instance(ctx(), m, "HARD"); }),
            "Success");
  EXPECT_TRUE(walked("i-1", "reboot_started_hard"));
  expect_state("i-1", "active", PowerState::kRunning);
  EXPECT_EQ(driver_->guest("i-1")->boot_count, boots + 2);
}

TEST_F(ActionsTest, HardRebootBringsAStoppedInstanceBackActive) {
  build_active("i-1");
  ASSERT_EQ(act("i-1", "powering-off", "stop_instance", [&](auto& m) { return api().stop_instance(ctx(), m); }),
            "Success");
  EXPECT_EQ(act("i-1", "rebooting_hard", "reboot_instance",
                [&](auto& m) { return api().reboot_instance(ctx(), m, "HARD"); }),
            "Success");
  expect_state("i-1", "active", PowerState::kRunning);
}

TEST_F(ActionsTest, RebuildWalksRebuildingThenRebuildSpawning) {
  build_active("i-1");
  sdk::ImageMeta debian = cirros();
  debian.id = "image-debian";
  EXPECT_EQ(act("i-1", "rebuilding", "rebuild_instance",
                [&](auto& m) { return api().rebuild_instance(ctx(), m, debian); }),
            "Success");
  std::vector<std::string> tasks;
  for (const auto& s : fake_.history("i-1")) tasks.push_back(task_name(s.task_state));
  const std::vector<std::string> tail(tasks.end() - 3, tasks.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"rebuilding", "rebuild_spawning", "None"}));
  expect_state("i-1", "active", PowerState::kRunning);
  EXPECT_EQ(driver_->guest("i-1")->image_id, "image-debian");
  EXPECT_EQ(driver_->guest("i-1")->rebuild_count, 1u);
}

// Nova: a server rebuilt from STOPPED is powered off again and stays STOPPED
// (tempest's test_rebuild_server_in_stop_state waits for SHUTOFF).
TEST_F(ActionsTest, RebuildOfAStoppedInstanceLeavesItStopped) {
  build_active("i-1");
  ASSERT_EQ(act("i-1", "powering-off", "stop_instance", [&](auto& m) { return api().stop_instance(ctx(), m); }),
            "Success");
  EXPECT_EQ(act("i-1", "rebuilding", "rebuild_instance",
                [&](auto& m) { return api().rebuild_instance(ctx(), m, cirros()); }),
            "Success");
  expect_state("i-1", "stopped", PowerState::kShutdown);
  EXPECT_EQ(driver_->guest("i-1")->rebuild_count, 1u);
}

TEST_F(ActionsTest, SoftDeleteThenRestore) {
  build_active("i-1");
  EXPECT_EQ(act("i-1", "soft-deleting", "soft_delete_instance",
                [&](auto& m) { return api().soft_delete_instance(ctx(), m); }),
            "Success");
  expect_state("i-1", "soft-delete", PowerState::kShutdown);
  EXPECT_EQ(act("i-1", "restoring", "restore_instance", [&](auto& m) { return api().restore_instance(ctx(), m); }),
            "Success");
  expect_state("i-1", "active", PowerState::kRunning);
}

TEST_F(ActionsTest, ADriverFailureRevertsTheStateAndRecordsAFault) {
  build_active("i-1");
  ASSERT_EQ(act("i-1", "powering-off", "stop_instance", [&](auto& m) { return api().stop_instance(ctx(), m); }),
            "Success");
  // A stopped guest cannot be paused (the fake answers as libvirt does).
  EXPECT_EQ(act("i-1", "pausing", "pause_instance", [&](auto& m) { return api().pause_instance(ctx(), m); }),
            "Error");
  expect_state("i-1", "stopped", PowerState::kShutdown);
  ASSERT_EQ(fake_.faults("i-1").size(), 1u);
  EXPECT_EQ(fake_.faults("i-1")[0].code, 409);
  EXPECT_NE(fake_.faults("i-1")[0].message.find("i-1"), std::string::npos) << fake_.faults("i-1")[0].message;
  EXPECT_EQ(fake_.faults("i-1")[0].host, kHost);
  EXPECT_EQ(finish_of("i-1", "compute_pause_instance")->details, fake_.faults("i-1")[0].message);

  // An injected failure of a reboot: the instance stays active and running.
  ASSERT_EQ(act("i-1", "powering-on", "start_instance", [&](auto& m) { return api().start_instance(ctx(), m); }),
            "Success");
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kReboot, "fail*1").ok());
  EXPECT_EQ(act("i-1", "rebooting", "reboot_instance",
                [&](auto& m) { return api().reboot_instance(ctx(), m, "SOFT"); }),
            "Error");
  expect_state("i-1", "active", PowerState::kRunning);
  EXPECT_EQ(fake_.faults("i-1").size(), 2u);
}

TEST_F(ActionsTest, AnActionIsRefusedWhileAnotherTaskHoldsTheInstance) {
  build_active("i-1");
  // The API has a stop in progress; a pause arriving now must not touch it.
  EXPECT_EQ(act("i-1", "powering-off", "pause_instance", [&](auto& m) { return api().pause_instance(ctx(), m); }),
            "Error");
  const auto m = fake_.get("i-1").value();
  EXPECT_EQ(m.vm_state, "active");
  EXPECT_EQ(task_name(m.task_state), "powering-off");
  EXPECT_EQ(guest_state("i-1"), PowerState::kRunning);
  ASSERT_EQ(fake_.faults("i-1").size(), 1u);
  EXPECT_NE(fake_.faults("i-1")[0].message.find("pause_instance refused"), std::string::npos);
}

TEST_F(ActionsTest, AnUnknownRebootTypeIsRefused) {
  build_active("i-1");
  const sdk::Status st = manager_->reboot_instance(ctx(), fake_.get("i-1").value(), "GENTLE");
  EXPECT_TRUE(st.is(sdk::StatusCode::kInvalidArgument)) << st.to_string();
  EXPECT_EQ(driver_->guest("i-1")->boot_count, 1u);
}

TEST_F(ActionsTest, TerminateDestroysTheGuestAndTheInstanceAndReports) {
  build_active("i-1");
  build_active("i-2");
  EXPECT_EQ(act("i-1", "deleting", "terminate_instance",
                [&](auto& m) { return api().terminate_instance(ctx(), m); }),
            "Success");
  EXPECT_EQ(fake_.destroyed(), std::vector<std::string>{"i-1"});
  EXPECT_FALSE(fake_.get("i-1").has_value());
  EXPECT_FALSE(driver_->guest("i-1").has_value());
  EXPECT_TRUE(fake_.wait_for([&] {
    const auto reports = fake_.reports();
    return !reports.empty() && reports.back().instance_uuids == std::vector<std::string>{"i-2"};
  }));
}

TEST_F(ActionsTest, TerminateOfAGuestAlreadyGoneSucceeds) {
  build_active("i-1");
  ASSERT_TRUE(driver_->destroy(ctx(), fake_.get("i-1")->instance, {}, {}, true).ok());
  EXPECT_EQ(act("i-1", "deleting", "terminate_instance",
                [&](auto& m) { return api().terminate_instance(ctx(), m); }),
            "Success");
  EXPECT_EQ(fake_.destroyed(), std::vector<std::string>{"i-1"});
}

TEST_F(ActionsTest, ATerminateTheDriverCannotDoLeavesTheInstanceInError) {
  build_active("i-1");
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kDestroy, "fail:unavailable*1").ok());
  EXPECT_EQ(act("i-1", "deleting", "terminate_instance",
                [&](auto& m) { return api().terminate_instance(ctx(), m); }),
            "Error");
  const auto m = fake_.get("i-1").value();
  EXPECT_EQ(m.vm_state, "error");
  EXPECT_EQ(task_name(m.task_state), "None");
  EXPECT_TRUE(fake_.destroyed().empty());
  EXPECT_EQ(fake_.faults("i-1").size(), 1u);
}

TEST_F(ActionsTest, ConsoleOutputWholeAndTail) {
  build_active("i-1");
  const auto m = fake_.get("i-1").value();
  auto whole = driver_->get_console_output(ctx(), m.instance);
  ASSERT_TRUE(whole.ok());
  ASSERT_FALSE(whole->empty());
  auto all = api().get_console_output(ctx(), m, 0);
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  EXPECT_EQ(*all, *whole);
  auto tail = api().get_console_output(ctx(), m, 2);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, tail_lines(*whole, 2));
  EXPECT_EQ(std::count(tail->begin(), tail->end(), '\n') + 1, 2);  // two pieces of split('\n')
  EXPECT_EQ(whole->substr(whole->size() - tail->size()), *tail);

  auto missing = api().get_console_output(ctx(), instance("i-404", "active", std::nullopt), 0);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().is(sdk::StatusCode::kNotFound)) << missing.status().to_string();
}

}  // namespace
}  // namespace stratus::core::compute::testing
