// Scripted faults: fail, delay and hang, N times or always, host-wide (config,
// inject_fault) or per instance (metadata), and how they end.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <future>
#include <thread>

#include "fake_test_support.h"

namespace stratus::drivers::fake {
namespace {

using namespace testing;  // NOLINT: test helpers
using sdk::PowerState;
using sdk::StatusCode;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// One call per operation, made on a running guest, reduced to its Status.
std::vector<std::pair<FakeOperation, std::function<sdk::Status(FakeDriver&, const sdk::Instance&)>>> every_call() {
  return {
      {FakeOperation::kSpawn, [](FakeDriver& d, const sdk::Instance&) { return spawn(d, make_instance("new")); }},
      {FakeOperation::kDestroy, [](FakeDriver& d, const sdk::Instance& i) { return destroy(d, i); }},
      {FakeOperation::kReboot,
       [](FakeDriver& d, const sdk::Instance& i) { return reboot(d, i, sdk::RebootType::kHard); }},
      {FakeOperation::kPowerOff, [](FakeDriver& d, const sdk::Instance& i) { return power_off(d, i); }},
      {FakeOperation::kPowerOn, [](FakeDriver& d, const sdk::Instance& i) { return power_on(d, i); }},
      {FakeOperation::kPause, [](FakeDriver& d, const sdk::Instance& i) { return pause(d, i); }},
      {FakeOperation::kUnpause, [](FakeDriver& d, const sdk::Instance& i) { return unpause(d, i); }},
      {FakeOperation::kSuspend, [](FakeDriver& d, const sdk::Instance& i) { return suspend(d, i); }},
      {FakeOperation::kResume, [](FakeDriver& d, const sdk::Instance& i) { return resume(d, i); }},
      {FakeOperation::kRebuild, [](FakeDriver& d, const sdk::Instance& i) { return rebuild(d, i); }},
      {FakeOperation::kGetInfo, [](FakeDriver& d, const sdk::Instance& i) { return d.get_info(i).status(); }},
      {FakeOperation::kListInstances, [](FakeDriver& d, const sdk::Instance&) { return d.list_instances().status(); }},
      {FakeOperation::kGetAvailableResource,
       [](FakeDriver& d, const sdk::Instance&) { return d.get_available_resource("").status(); }},
      {FakeOperation::kGetConsoleOutput,
       [](FakeDriver& d, const sdk::Instance& i) { return console(d, i).status(); }},
      {FakeOperation::kGetDiagnostics,
       [](FakeDriver& d, const sdk::Instance& i) { return d.get_diagnostics({}, i).status(); }},
      {FakeOperation::kApplySecurityGroups,
       [](FakeDriver& d, const sdk::Instance& i) { return d.apply_security_groups({}, i, {}); }},
      {FakeOperation::kSnapshot,
       [](FakeDriver& d, const sdk::Instance& i) {
         const std::string path = ::testing::TempDir() + "fault-snapshot-" + i.uuid;
         const sdk::Status st = d.snapshot({}, i, sdk::ImageMeta{}, path);
         std::remove(path.c_str());
         return st;
       }},
      {FakeOperation::kAttachInterface,
       [](FakeDriver& d, const sdk::Instance& i) {
         sdk::Vif v;
         v.id = "p";
         v.address = "fa:16:3e:00:00:01";
         return d.attach_interface({}, i, v);
       }},
      {FakeOperation::kDetachInterface,
       [](FakeDriver& d, const sdk::Instance& i) {
         sdk::Vif v;
         v.id = "p";
         v.address = "fa:16:3e:00:00:01";
         return d.detach_interface({}, i, v);
       }},
      {FakeOperation::kTriggerCrashDump,
       [](FakeDriver& d, const sdk::Instance& i) { return d.trigger_crash_dump({}, i); }},
      {FakeOperation::kRescue,
       [](FakeDriver& d, const sdk::Instance& i) { return d.rescue({}, i, {}, image("rescue"), ""); }},
      {FakeOperation::kUnrescue, [](FakeDriver& d, const sdk::Instance& i) { return d.unrescue({}, i, {}); }},
  };
}

TEST(FakeFaults, EveryOperationCanFailAndChangesNothing) {
  const auto calls = every_call();
  ASSERT_EQ(calls.size(), kFakeOperationCount);
  for (const auto& [op, call] : calls) {
    FakeDriver d;
    const auto i = make_instance("victim");
    ASSERT_TRUE(spawn(d, i).ok());
    const std::string log = *console(d, i);
    ASSERT_TRUE(d.inject_fault(op, "fail:conflict").ok());
    const sdk::Status s = call(d, i);
    EXPECT_EQ(s.code(), StatusCode::kConflict) << operation_name(op) << ": " << s;
    EXPECT_TRUE(contains(s.message(), std::string(operation_name(op)))) << s;
    EXPECT_TRUE(contains(s.message(), "injected fault 'fail:conflict' from inject_fault")) << s;
    d.clear_faults();
    EXPECT_EQ(state_of(d, i), PowerState::kRunning) << operation_name(op);
    EXPECT_EQ(*console(d, i), log) << operation_name(op);
    EXPECT_EQ(*d.list_instances(), std::vector<std::string>{"victim"}) << operation_name(op);
  }
}

TEST(FakeFaults, FailNTimesThenSucceed) {
  FakeDriver d;
  ASSERT_TRUE(d.inject_fault(FakeOperation::kSpawn, "fail*2").ok());
  const auto i = make_instance("uuid-retry");
  auto first = spawn(d, i);
  EXPECT_EQ(first.code(), StatusCode::kInternal);
  EXPECT_TRUE(contains(first.message(), "uuid-retry")) << first;
  EXPECT_EQ(spawn(d, i).code(), StatusCode::kInternal);
  EXPECT_EQ(d.instance_count(), 0u) << "a failed spawn leaves nothing behind";
  EXPECT_TRUE(spawn(d, i).ok());
  EXPECT_TRUE(spawn(d, make_instance("other")).ok()) << "the fault is spent";
}

TEST(FakeFaults, FaultMessageNamesTheState) {
  FakeDriver d;
  const auto i = make_instance("uuid-state");
  ASSERT_TRUE(spawn(d, i).ok());
  ASSERT_TRUE(pause(d, i).ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kUnpause, "fail:unavailable").ok());
  auto s = unpause(d, i);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(contains(s.message(), "unpause of instance uuid-state (paused) on fake host fake-host")) << s;
}

TEST(FakeFaults, DestroyFaultKeepsTheGuest) {
  FakeDriver d;
  const auto i = make_instance("uuid-stuck");
  ASSERT_TRUE(spawn(d, i).ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kDestroy, "fail:timeout*1").ok());
  EXPECT_EQ(destroy(d, i).code(), StatusCode::kTimeout);
  EXPECT_EQ(d.instance_count(), 1u);
  EXPECT_TRUE(destroy(d, i).ok());
  EXPECT_EQ(d.instance_count(), 0u);
}

TEST(FakeFaults, DelayIsObservedAndTheCallThenWorks) {
  FakeDriver d;
  const auto i = make_instance("uuid-slow");
  ASSERT_TRUE(d.inject_fault(FakeOperation::kSpawn, "delay:120*1").ok());
  const auto start = Clock::now();
  ASSERT_TRUE(spawn(d, i).ok());
  EXPECT_GE(Clock::now() - start, milliseconds(120));
  EXPECT_EQ(state_of(d, i), PowerState::kRunning);
  EXPECT_TRUE(spawn(d, make_instance("fast")).ok());
}

TEST(FakeFaults, DelayDoesNotHoldTheHostLock) {
  FakeDriver d;
  const auto i = make_instance("uuid-parked");
  ASSERT_TRUE(spawn(d, i).ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kPause, "delay:60000").ok());
  auto parked = std::async(std::launch::async, [&] { return pause(d, i); });
  ASSERT_TRUE(wait_for_waiting_calls(d, 1));
  // While pause waits, the host answers everything else.
  EXPECT_EQ(state_of(d, i), PowerState::kRunning);
  EXPECT_TRUE(spawn(d, make_instance("meanwhile")).ok());
  EXPECT_EQ(d.list_instances()->size(), 2u);
  EXPECT_TRUE(d.get_available_resource("").ok());
  ASSERT_TRUE(d.cleanup_host("fake-host").ok());
  auto s = parked.get();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s;
  EXPECT_TRUE(contains(s.message(), "shutting down")) << s;
  EXPECT_EQ(state_of(d, i), PowerState::kRunning) << "an abandoned call changes nothing";
  EXPECT_EQ(d.waiting_calls(), 0u);
}

TEST(FakeFaults, HangTimesOutWithTimeoutAndDoesNothing) {
  FakeDriver d;
  ASSERT_TRUE(d.inject_fault(FakeOperation::kSpawn, "hang:30*1").ok());
  const auto start = Clock::now();
  auto s = spawn(d, make_instance("uuid-hang"));
  EXPECT_GE(Clock::now() - start, milliseconds(30));
  EXPECT_EQ(s.code(), StatusCode::kTimeout) << s;
  EXPECT_TRUE(contains(s.message(), "no answer after 30 ms")) << s;
  EXPECT_EQ(d.instance_count(), 0u);
  EXPECT_TRUE(spawn(d, make_instance("uuid-hang")).ok());
}

TEST(FakeFaults, BareHangUsesTheConfiguredTimeout) {
  FakeDriverConfig c;
  c.hang_timeout = milliseconds(40);
  FakeDriver d(c);
  ASSERT_TRUE(d.inject_fault(FakeOperation::kListInstances, "hang").ok());
  auto s = d.list_instances().status();
  EXPECT_EQ(s.code(), StatusCode::kTimeout);
  EXPECT_TRUE(contains(s.message(), "no answer after 40 ms")) << s;
}

TEST(FakeFaults, HangIsReleasedByDestroyingTheDriver) {
  auto d = std::make_unique<FakeDriver>();  // a bare hang would last 300 s
  FakeDriver* raw = d.get();
  ASSERT_TRUE(raw->inject_fault(FakeOperation::kSpawn, "hang").ok());
  const auto start = Clock::now();
  auto hung = std::async(std::launch::async, [raw] { return spawn(*raw, make_instance("uuid-h")); });
  ASSERT_TRUE(wait_for_waiting_calls(*raw, 1));
  // The destructor wakes the hung call and waits until it has left the
  // driver (were it not to wait, the sanitizer build reports the woken call
  // touching freed memory).
  d.reset();
  ASSERT_EQ(hung.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  auto s = hung.get();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(60)) << "released long before the 300 s hang";
}

TEST(FakeFaults, CleanupHostReleasesEveryHungCall) {
  FakeDriver d;
  const auto i = make_instance("uuid-multi");
  ASSERT_TRUE(spawn(d, i).ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kGetInfo, "hang").ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kReboot, "hang:600000").ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kListInstances, "delay:600000").ok());
  std::vector<std::future<sdk::Status>> calls;
  calls.push_back(std::async(std::launch::async, [&] { return d.get_info(i).status(); }));
  calls.push_back(std::async(std::launch::async, [&] { return reboot(d, i, sdk::RebootType::kSoft); }));
  calls.push_back(std::async(std::launch::async, [&] { return d.list_instances().status(); }));
  ASSERT_TRUE(wait_for_waiting_calls(d, 3));
  ASSERT_TRUE(d.cleanup_host("fake-host").ok());
  EXPECT_EQ(d.waiting_calls(), 0u) << "cleanup_host returns after the waits have ended";
  for (auto& c : calls) EXPECT_EQ(c.get().code(), StatusCode::kUnavailable);

  // Until init_host, injected waits end at once; afterwards they wait again.
  EXPECT_EQ(d.get_info(i).status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(d.init_host("fake-host").ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kGetInfo, "hang:20").ok());
  EXPECT_EQ(d.get_info(i).status().code(), StatusCode::kTimeout);
  d.clear_faults();
  EXPECT_EQ(state_of(d, i), PowerState::kRunning) << "the hung reboot never happened";
  EXPECT_EQ(d.guest(i.uuid)->boot_count, 1u);
}

TEST(FakeFaults, ConfigFaultsApplyFromTheStart) {
  FakeDriverConfig c;
  c.faults[static_cast<std::size_t>(FakeOperation::kGetAvailableResource)] = *FaultSpec::parse("fail:unavailable*1");
  FakeDriver d(c);
  auto r = d.get_available_resource("");
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(contains(r.status().message(), "config key 'fault.get_available_resource'")) << r.status();
  EXPECT_TRUE(d.get_available_resource("").ok());
}

TEST(FakeFaults, InjectFaultRefusesABadSpecAndKeepsTheOldOne) {
  FakeDriver d;
  ASSERT_TRUE(d.inject_fault(FakeOperation::kPause, "fail").ok());
  auto s = d.inject_fault(FakeOperation::kPause, "fail*lots");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(contains(s.message(), "inject_fault(pause)")) << s;
  EXPECT_TRUE(contains(s.message(), "'fail*lots'")) << s;
  const auto i = make_instance("uuid-keep");
  ASSERT_TRUE(spawn(d, i).ok());
  EXPECT_EQ(pause(d, i).code(), StatusCode::kInternal) << "the previous fault is still armed";
}

TEST(FakeFaults, ClearFaultsAndNone) {
  FakeDriver d;
  const auto i = make_instance("uuid-clear");
  ASSERT_TRUE(spawn(d, i).ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kPause, "fail").ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kGetInfo, "fail").ok());
  d.clear_fault(FakeOperation::kPause);
  EXPECT_TRUE(pause(d, i).ok());
  EXPECT_FALSE(d.get_info(i).ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kGetInfo, "none").ok());
  EXPECT_TRUE(d.get_info(i).ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kUnpause, "fail").ok());
  d.clear_faults();
  EXPECT_TRUE(unpause(d, i).ok());
}

TEST(FakeFaults, CountedFaultHitsExactlyNCallsUnderConcurrency) {
  FakeDriver d;
  ASSERT_TRUE(d.inject_fault(FakeOperation::kSpawn, "fail*25").ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 20; ++n) {
        if (!spawn(d, make_instance("c-" + std::to_string(t) + "-" + std::to_string(n))).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 25);
  EXPECT_EQ(d.instance_count(), 160u - 25u);
}

// ---- per-instance faults from metadata ------------------------------------------------

TEST(FakeMetadataFaults, SpawnFailsOnceForThatInstanceOnly) {
  FakeDriver d;
  auto flaky = make_instance("uuid-flaky");
  flaky.metadata["stratus:fake_fault:spawn"] = "fail:unavailable*1";
  auto s = spawn(d, flaky);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(contains(s.message(), "instance metadata 'stratus:fake_fault:spawn'")) << s;
  EXPECT_EQ(d.instance_count(), 0u);
  EXPECT_TRUE(spawn(d, make_instance("uuid-healthy")).ok()) << "other instances are unaffected";
  EXPECT_TRUE(spawn(d, flaky).ok()) << "the retry succeeds";
}

TEST(FakeMetadataFaults, CountsArePerInstance) {
  FakeDriver d;
  for (const char* u : {"m-1", "m-2"}) {
    auto i = make_instance(u);
    i.metadata["stratus:fake_fault:get_info"] = "fail*1";
    ASSERT_TRUE(spawn(d, i).ok());
    EXPECT_EQ(d.get_info(i).status().code(), StatusCode::kInternal) << u;
    EXPECT_TRUE(d.get_info(i).ok()) << u;
  }
}

TEST(FakeMetadataFaults, ChangingTheSpecRearmsIt) {
  FakeDriver d;
  auto i = make_instance("uuid-rearm");
  ASSERT_TRUE(spawn(d, i).ok());
  i.metadata["stratus:fake_fault:pause"] = "fail*1";
  EXPECT_FALSE(pause(d, i).ok());
  EXPECT_TRUE(pause(d, i).ok());
  i.metadata["stratus:fake_fault:unpause"] = "fail:conflict*1";
  EXPECT_EQ(unpause(d, i).code(), StatusCode::kConflict);
  i.metadata["stratus:fake_fault:unpause"] = "fail:timeout*1";
  EXPECT_EQ(unpause(d, i).code(), StatusCode::kTimeout);
  EXPECT_TRUE(unpause(d, i).ok());
}

TEST(FakeMetadataFaults, InstanceSpecTakesPrecedenceOverHostWide) {
  FakeDriver d;
  auto exempt = make_instance("uuid-exempt");
  exempt.metadata["stratus:fake_fault:get_info"] = "none";
  const auto normal = make_instance("uuid-normal");
  ASSERT_TRUE(spawn(d, exempt).ok());
  ASSERT_TRUE(spawn(d, normal).ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kGetInfo, "fail").ok());
  EXPECT_TRUE(d.get_info(exempt).ok());
  EXPECT_FALSE(d.get_info(normal).ok());
}

TEST(FakeMetadataFaults, MetadataDelayAndHang) {
  FakeDriver d;
  auto i = make_instance("uuid-md-slow");
  i.metadata["stratus:fake_fault:spawn"] = "delay:60*1";
  const auto start = Clock::now();
  ASSERT_TRUE(spawn(d, i).ok());
  EXPECT_GE(Clock::now() - start, milliseconds(60));
  i.metadata["stratus:fake_fault:suspend"] = "hang:20";
  EXPECT_EQ(suspend(d, i).code(), StatusCode::kTimeout);
  EXPECT_EQ(state_of(d, i), PowerState::kRunning);
}

TEST(FakeMetadataFaults, BadSpecsAreRefusedAtSpawnNamingTheKey) {
  FakeDriver d;
  auto i = make_instance("uuid-typo");
  i.metadata["stratus:fake_fault:reboot"] = "boom";
  auto s = spawn(d, i);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(contains(s.message(), "instance uuid-typo metadata 'stratus:fake_fault:reboot'")) << s;
  EXPECT_TRUE(contains(s.message(), "bad fault spec 'boom'")) << s;
  EXPECT_EQ(d.instance_count(), 0u);

  auto j = make_instance("uuid-unknown-op");
  j.metadata["stratus:fake_fault:explode"] = "fail";
  auto u = spawn(d, j);
  EXPECT_EQ(u.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(contains(u.message(), "'stratus:fake_fault:explode'")) << u;
  EXPECT_EQ(d.instance_count(), 0u);
}

TEST(FakeMetadataFaults, BadSpecAddedLaterIsRefusedByThatOperation) {
  FakeDriver d;
  auto i = make_instance("uuid-later");
  ASSERT_TRUE(spawn(d, i).ok());
  i.metadata["stratus:fake_fault:pause"] = "delay:soon";
  auto s = pause(d, i);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(contains(s.message(), "'stratus:fake_fault:pause'")) << s;
  EXPECT_EQ(state_of(d, i), PowerState::kRunning);
}

TEST(FakeMetadataFaults, CanBeTurnedOff) {
  FakeDriverConfig c;
  c.allow_metadata_faults = false;
  FakeDriver d(c);
  auto i = make_instance("uuid-ignored");
  i.metadata["stratus:fake_fault:spawn"] = "fail";
  i.metadata["stratus:fake_fault:bogus"] = "nonsense";
  EXPECT_TRUE(spawn(d, i).ok());
}

TEST(FakeMetadataFaults, ClearFaultsResetsInstanceCounts) {
  FakeDriver d;
  auto i = make_instance("uuid-reset");
  i.metadata["stratus:fake_fault:spawn"] = "fail*1";
  EXPECT_FALSE(spawn(d, i).ok());
  d.clear_faults();
  EXPECT_FALSE(spawn(d, i).ok()) << "the count starts again after clear_faults";
  EXPECT_TRUE(spawn(d, i).ok());
}

}  // namespace
}  // namespace stratus::drivers::fake
