// build_and_run_instance: Nova's state walk, the failure and delete paths,
// the bound on concurrent builds, and stop() with builds in flight.
#include <gtest/gtest.h>

#include "compute_test_support.h"

namespace stratus::core::compute::testing {
namespace {

using drivers::fake::FakeOperation;

class BuildTest : public ComputeTest {
 protected:
  // No build queued or running.
  bool idle() {
    const auto s = manager_->build_stats();
    return s.queued + s.running == 0;
  }
};

TEST_F(BuildTest, WalksNovasTaskStatesAndEndsActiveRunning) {
  start_compute();
  cast_build(instance("i-1"));
  ASSERT_TRUE(wait_state("i-1", "active"));
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 1; }));

  const auto steps = fake_.history("i-1");
  std::vector<std::string> walk;
  for (const auto& s : steps) walk.push_back(s.vm_state + "/" + task_name(s.task_state));
  EXPECT_EQ(walk, (std::vector<std::string>{"building/None", "building/networking", "building/block_device_mapping",
                                            "building/spawning", "active/None"}));
  EXPECT_EQ(steps.back().power_state, sdk::PowerState::kRunning);
  const auto stored = fake_.get("i-1").value();
  EXPECT_EQ(stored.instance.power_state, sdk::PowerState::kRunning);
  EXPECT_TRUE(stored.launched_at.has_value());
  EXPECT_EQ(guest_state("i-1"), sdk::PowerState::kRunning);

  // The event starts and finishes under the request's id.
  const auto events = fake_.events("i-1");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[0].finish);
  EXPECT_EQ(events[0].event, "compute__do_build_and_run_instance");
  EXPECT_EQ(events[1].result, "Success");
  EXPECT_EQ(events[1].request_id, "req-build-i-1");
  EXPECT_EQ(events[1].host, kHost);

  // A report with the new guest follows the build at once.
  EXPECT_TRUE(fake_.wait_for([&] {
    for (const auto& r : fake_.reports()) {
      if (r.instance_uuids == std::vector<std::string>{"i-1"} && r.resources.vcpus_used == 1) return true;
    }
    return false;
  }));
  EXPECT_TRUE(fake_.reschedules().empty());
}

// Conductor RPC 1.3: the start event and the four steps up to spawning go
// in one message, active and the finish event in a second; no single update.
TEST_F(BuildTest, AConductorOf13GetsTheWalkInTwoMessages) {
  start_compute();
  cast_build(instance("i-1"));
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 1; }));
  EXPECT_EQ(fake_.step_messages(), 2u);
  EXPECT_EQ(fake_.update_calls(), 0u);
  EXPECT_EQ(fake_.history("i-1").size(), 5u);
  const auto events = fake_.events("i-1");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[0].finish);
  EXPECT_TRUE(events[1].finish);
  EXPECT_EQ(events[1].result, "Success");
}

// The spawn runs after `spawning` is stored: a user polling a slow driver
// sees it for the whole spawn, as in Nova.
TEST_F(BuildTest, SpawningIsStoredBeforeTheDriverSpawns) {
  start_compute();
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kSpawn, "delay:400*1").ok());
  cast_build(instance("i-1"));
  ASSERT_TRUE(fake_.wait_for([&] { return driver_->instance_count() == 0 && fake_.get("i-1")->task_state ==
                                                                                std::optional<std::string>("spawning"); }));
  EXPECT_EQ(fake_.get("i-1")->vm_state, "building");
  ASSERT_TRUE(wait_state("i-1", "active"));
}

// An update refused inside the walk (the API deleted the instance) stops it:
// nothing is spawned, the event finishes with the error.
TEST_F(BuildTest, ARefusedStepInTheWalkStopsTheBuild) {
  start_compute();
  fake_.put(instance("i-1", "deleted", std::nullopt));
  ASSERT_TRUE(compute_api_->build_and_run_instance(ctx(), kHost, build_request(instance("i-1"))).ok());
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 1; }));
  EXPECT_EQ(fake_.step_messages(), 1u);
  EXPECT_EQ(driver_->instance_count(), 0u);
  EXPECT_TRUE(fake_.history("i-1").empty());
  const auto events = fake_.events("i-1");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].result, "Error");
}

// A conductor of RPC 1.2 has no instance_steps: the compute learns it from
// the first refusal and sends every step alone, the same walk.
class BuildWithOlderConductorTest : public BuildTest {
 protected:
  BuildWithOlderConductorTest() { conductor_has_steps_ = false; }
};

TEST_F(BuildWithOlderConductorTest, AConductorOf12GetsTheSameWalkStepByStep) {
  start_compute();
  cast_build(instance("i-1"));
  ASSERT_TRUE(wait_state("i-1", "active"));
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 1; }));
  cast_build(instance("i-2"));
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-2", std::string(kBuildEvent)) == 1; }));
  for (const std::string uuid : {"i-1", "i-2"}) {
    std::vector<std::string> walk;
    for (const auto& s : fake_.history(uuid)) walk.push_back(s.vm_state + "/" + task_name(s.task_state));
    EXPECT_EQ(walk, (std::vector<std::string>{"building/None", "building/networking", "building/block_device_mapping",
                                              "building/spawning", "active/None"}));
    EXPECT_EQ(fake_.events(uuid).size(), 2u);
  }
  EXPECT_EQ(fake_.step_messages(), 0u);
  EXPECT_EQ(fake_.update_calls(), 10u);
}

// [upgrade_levels] conductor = 1.2: never sent, whatever the conductor serves.
TEST_F(BuildTest, ACapBelow13SendsEachStepAlone) {
  conductor_cap_ = rpcapi::fixed_cap("1.2");
  start_compute();
  cast_build(instance("i-1"));
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 1; }));
  EXPECT_EQ(fake_.get("i-1")->vm_state, "active");
  EXPECT_EQ(fake_.step_messages(), 0u);
  EXPECT_EQ(fake_.update_calls(), 5u);
}

TEST_F(BuildTest, SpawnFailureDestroysAndAsksTheConductorToReschedule) {
  start_compute();
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kSpawn, "fail:unavailable*1").ok());
  const std::vector<rpcapi::DestinationMsg> alternates{{"compute-2", "compute-2"}, {"compute-3", "compute-3"}};
  cast_build(instance("i-1"), alternates);
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.reschedules().size() == 1; }));

  const auto r = fake_.reschedules().front();
  EXPECT_EQ(r.instance_uuid, "i-1");
  EXPECT_EQ(r.failed_host, kHost);
  EXPECT_EQ(r.alternates, alternates);
  EXPECT_EQ(r.attempt, 1);
  EXPECT_EQ(r.spec.instance_uuid, "i-1");
  EXPECT_NE(r.fault_message.find("spawn of instance i-1"), std::string::npos) << r.fault_message;
  EXPECT_NE(r.fault_message.find("injected fault"), std::string::npos) << r.fault_message;

  // Nothing is left on this host, and the instance waits for its next host.
  EXPECT_FALSE(driver_->guest("i-1").has_value());
  const auto stored = fake_.get("i-1").value();
  EXPECT_EQ(stored.vm_state, "building");
  EXPECT_EQ(task_name(stored.task_state), "scheduling");
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 1; }));
  const auto finish = finish_of("i-1", std::string(kBuildEvent)).value();
  EXPECT_EQ(finish.result, "Error");
  EXPECT_EQ(finish.details, r.fault_message);
}

TEST_F(BuildTest, AFailureEveryHostWouldHitOffersNoAlternate) {
  start_compute();
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kSpawn, "fail:invalid_argument*1").ok());
  cast_build(instance("i-1"), {{"compute-2", "compute-2"}});
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.reschedules().size() == 1; }));
  EXPECT_TRUE(fake_.reschedules().front().alternates.empty());
}

TEST_F(BuildTest, ADeleteDuringTheSpawnStopsTheBuildAndDestroysTheGuest) {
  start_compute();
  auto msg = instance("i-1");
  // The spawn works, slowly; the delete comes in while it is parked.
  msg.instance.metadata["stratus:fake_fault:spawn"] = "delay:1500";
  cast_build(msg);
  ASSERT_TRUE(fake_.wait_for([&] { return driver_->waiting_calls() == 1; }));
  api_sets_task("i-1", "deleting");
  ASSERT_TRUE(compute_api_->terminate_instance(ctx("req-delete"), fake_.get("i-1").value()).ok());

  ASSERT_TRUE(fake_.wait_for([&] { return fake_.destroyed() == std::vector<std::string>{"i-1"}; }));
  EXPECT_FALSE(driver_->guest("i-1").has_value());
  EXPECT_EQ(driver_->instance_count(), 0u);
  EXPECT_TRUE(fake_.reschedules().empty());
  for (const auto& s : fake_.history("i-1")) EXPECT_NE(s.vm_state, "active");
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 1; }));
  EXPECT_EQ(finish_of("i-1", std::string(kBuildEvent))->result, "Error");
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", "compute_terminate_instance") == 1; }));
  EXPECT_EQ(finish_of("i-1", "compute_terminate_instance")->result, "Success");
}

TEST_F(BuildTest, AnInstanceDeletedBeforeItsBuildStartsIsNeverSpawned) {
  start_compute();
  cast_build(instance("i-1", "building", "deleting"));
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 1; }));
  EXPECT_EQ(driver_->instance_count(), 0u);
  EXPECT_TRUE(fake_.history("i-1").empty());
  EXPECT_TRUE(fake_.reschedules().empty());
}

// Idempotent: a build message delivered twice (the conductor's sweep sends
// a lost one again) neither spawns a second guest nor moves the instance.
// The same attempt is dropped on arrival; a later attempt is refused by the
// instance's state.
TEST_F(BuildTest, ABuildDeliveredTwiceSpawnsOnce) {
  start_compute();
  const auto msg = instance("i-1");
  cast_build(msg);
  ASSERT_TRUE(wait_state("i-1", "active"));
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 1; }));
  const std::size_t steps = fake_.history("i-1").size();
  ASSERT_TRUE(fake_.wait_for([&] { return idle(); }));  // the first build's job has ended

  // The same message again: accepted by the RPC, never queued.
  ASSERT_TRUE(manager_->build_and_run_instance(ctx("req-build-i-1"), build_request(msg)).ok());
  EXPECT_TRUE(idle());

  // The next attempt of it, the instance as the conductor now has it (active).
  auto next = build_request(msg);
  next.attempt = 2;
  ASSERT_TRUE(compute_api_->build_and_run_instance(ctx("req-build-i-1"), kHost, next).ok());
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 2; }));
  EXPECT_EQ(fake_.history("i-1").size(), steps);
  EXPECT_EQ(fake_.get("i-1")->vm_state, "active");
  EXPECT_EQ(driver_->instance_count(), 1u);
  EXPECT_TRUE(fake_.reschedules().empty());
}

// The original cast and the sweep's re-send both arrive while the first
// builds: one guest, one build event.
TEST_F(BuildTest, TheSameAttemptDeliveredWhileItBuildsIsDropped) {
  start_compute();
  auto msg = instance("i-1");
  msg.instance.metadata["stratus:fake_fault:spawn"] = "delay:800";
  cast_build(msg);
  ASSERT_TRUE(fake_.wait_for([&] { return driver_->waiting_calls() == 1; }));
  ASSERT_TRUE(manager_->build_and_run_instance(ctx("req-build-i-1"), build_request(msg)).ok());
  EXPECT_EQ(manager_->build_stats().queued, 0u);
  EXPECT_EQ(manager_->build_stats().running, 1u);
  ASSERT_TRUE(wait_state("i-1", "active"));
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 1; }));
  EXPECT_EQ(driver_->instance_count(), 1u);
  EXPECT_TRUE(fake_.reschedules().empty());
}

// After a failed attempt the instance waits in "scheduling" on this host for
// the conductor to move it: a second delivery of that attempt would pass the
// state guards, and must not build it here again.
TEST_F(BuildTest, AFailedAttemptDeliveredAgainIsNotBuiltAgain) {
  start_compute();
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kSpawn, "fail:unavailable*1").ok());
  const auto msg = instance("i-1");
  cast_build(msg, {{"compute-2", "compute-2"}});
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.reschedules().size() == 1; }));
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 1; }));
  ASSERT_TRUE(wait_state("i-1", "building", std::string("scheduling")));
  const std::size_t steps = fake_.history("i-1").size();
  ASSERT_TRUE(fake_.wait_for([&] { return idle(); }));

  ASSERT_TRUE(manager_->build_and_run_instance(ctx("req-build-i-1"), build_request(msg)).ok());
  EXPECT_TRUE(idle());
  EXPECT_EQ(fake_.history("i-1").size(), steps);
  EXPECT_EQ(driver_->instance_count(), 0u);
  EXPECT_EQ(fake_.reschedules().size(), 1u);
}

// A conductor restarting: the updates that found none connected are sent
// again (they were never delivered), and the build goes on.
TEST_F(BuildTest, AnUpdateThatFindsNoConductorIsSentAgainWithinTheWindow) {
  start_compute();
  fake_.make_unreachable_for(3);
  cast_build(instance("i-1"));
  ASSERT_TRUE(wait_state("i-1", "active"));
  EXPECT_TRUE(fake_.reschedules().empty());
  EXPECT_EQ(driver_->instance_count(), 1u);
}

TEST_F(BuildTest, WithNoRetryWindowAnUnreachableConductorFailsTheBuildStep) {
  auto options = quiet_options();
  options.conductor_retry_window = 0ms;
  start_compute(options);
  fake_.make_unreachable_for(1);
  cast_build(instance("i-1"));
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.reschedules().size() == 1; }));
  EXPECT_EQ(driver_->instance_count(), 0u);
}

// The final "active" update was applied but no conductor answered (one killed
// after its commit, restarting for longer than the window): the guest must
// stay, or the ACTIVE server would have none and the power sync would turn it
// SHUTOFF for good (#15, the chaos conductor round under load).
TEST_F(BuildTest, AnActiveUpdateWithNoAnswerKeepsTheGuest) {
  auto options = quiet_options();
  options.conductor_retry_window = 300ms;
  start_compute(options);
  fake_.lose_replies_to("active");
  cast_build(instance("i-1"));
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 1; }));
  EXPECT_EQ(fake_.get("i-1")->vm_state, "active");
  EXPECT_EQ(driver_->instance_count(), 1u);
  EXPECT_TRUE(driver_->guest("i-1").has_value());
  EXPECT_TRUE(fake_.reschedules().empty());
}

// A build the conductor moved off this host (judged down) before the host got
// to it: refused at its first step, nothing spawned, nothing rescheduled.
TEST_F(BuildTest, ABuildMovedToAnotherHostIsNotRunHere) {
  start_compute();
  auto moved = instance("i-1");
  moved.instance.host = "compute-2";
  fake_.put(moved);
  ASSERT_TRUE(compute_api_->build_and_run_instance(ctx(), kHost, build_request(instance("i-1"))).ok());
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", std::string(kBuildEvent)) == 1; }));
  EXPECT_EQ(driver_->instance_count(), 0u);
  EXPECT_TRUE(fake_.history("i-1").empty());
  EXPECT_TRUE(fake_.reschedules().empty());
  EXPECT_EQ(fake_.get("i-1")->instance.host, "compute-2");
}

TEST_F(BuildTest, MaxConcurrentBuildsBoundsTheSpawnsInFlight) {
  auto options = quiet_options();
  options.max_concurrent_builds = 2;
  start_compute(options);
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kSpawn, "hang*2").ok());
  for (const char* id : {"i-1", "i-2", "i-3", "i-4"}) cast_build(instance(id));

  ASSERT_TRUE(fake_.wait_for([&] {
    const auto s = manager_->build_stats();
    return driver_->waiting_calls() == 2 && s.running == 2 && s.queued == 2;
  }));
  // The two waiting builds have not been touched.
  int untouched = 0;
  for (const char* id : {"i-1", "i-2", "i-3", "i-4"}) untouched += fake_.history(id).empty() ? 1 : 0;
  EXPECT_EQ(untouched, 2);

  // Release the hung spawns (they fail and go back to the conductor); the
  // queued builds then run and succeed.
  driver_->clear_faults();
  ASSERT_TRUE(driver_->cleanup_host(kHost).ok());
  ASSERT_TRUE(driver_->init_host(kHost).ok());
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.reschedules().size() == 2; }));
  int active = 0;
  ASSERT_TRUE(fake_.wait_for([&] {
    active = 0;
    for (const char* id : {"i-1", "i-2", "i-3", "i-4"}) active += fake_.get(id)->vm_state == "active" ? 1 : 0;
    return active == 2;
  }));
  EXPECT_EQ(driver_->instance_count(), 2u);
}

TEST_F(BuildTest, StopEndsPromptlyWithABuildInFlightAndHandsQueuedBuildsBack) {
  auto options = quiet_options();
  options.max_concurrent_builds = 1;
  options.graceful_shutdown_timeout = 100ms;
  start_compute(options);
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kSpawn, "hang").ok());  // 300 s unless ended
  cast_build(instance("i-1"));
  cast_build(instance("i-2"));
  ASSERT_TRUE(fake_.wait_for([&] {
    const auto s = manager_->build_stats();
    return driver_->waiting_calls() == 1 && s.running == 1 && s.queued == 1;
  }));

  manager_->stop();  // returns only once every thread is joined
  EXPECT_EQ(manager_->build_stats().running, 0u);
  EXPECT_EQ(manager_->build_stats().queued, 0u);
  EXPECT_EQ(driver_->waiting_calls(), 0u);
  EXPECT_EQ(driver_->instance_count(), 0u);
  // Both go back to the conductor: the queued one untouched, the hung one
  // failed by the driver's give-up.
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.reschedules().size() == 2; }));
  bool not_started = false;
  for (const auto& r : fake_.reschedules()) {
    not_started |= r.fault_message.find("stopped before the build started") != std::string::npos;
  }
  EXPECT_TRUE(not_started);

  // A build after stop is refused and handed back too.
  fake_.put(instance("i-3"));
  const sdk::Status refused = manager_->build_and_run_instance(ctx(), build_request(instance("i-3")));
  EXPECT_TRUE(refused.is(sdk::StatusCode::kUnavailable)) << refused.to_string();
  EXPECT_TRUE(fake_.wait_for([&] { return fake_.reschedules().size() == 3; }));
  manager_->stop();  // idempotent
}

}  // namespace
}  // namespace stratus::core::compute::testing
