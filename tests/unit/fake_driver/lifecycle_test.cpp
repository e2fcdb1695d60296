// The power-state machine: every operation from every state, the errors a
// real libvirt host gives, idempotence, get_info and capabilities.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>

#include "fake_test_support.h"

namespace stratus::drivers::fake {
namespace {

using namespace testing;  // NOLINT: test helpers
using sdk::PowerState;
using sdk::RebootType;
using sdk::StatusCode;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Brings a freshly spawned guest into `state` through real operations.
void drive_to(FakeDriver& d, const sdk::Instance& i, PowerState state) {
  ASSERT_TRUE(spawn(d, i).ok());
  switch (state) {
    case PowerState::kRunning: break;
    case PowerState::kPaused: ASSERT_TRUE(pause(d, i).ok()); break;
    case PowerState::kShutdown: ASSERT_TRUE(power_off(d, i).ok()); break;
    case PowerState::kCrashed: ASSERT_TRUE(d.crash(i.uuid).ok()); break;
    case PowerState::kSuspended: ASSERT_TRUE(suspend(d, i).ok()); break;
    default: FAIL() << "no way to reach that state";
  }
  ASSERT_EQ(state_of(d, i), state);
}

struct Transition {
  const char* name;
  std::function<sdk::Status(FakeDriver&, const sdk::Instance&)> call;
  // From each state: the state it ends in, or nullopt for kInvalidState.
  std::function<std::optional<PowerState>(PowerState)> outcome;
};

const std::vector<Transition>& transitions() {
  using S = PowerState;
  using O = std::optional<PowerState>;
  static const std::vector<Transition> all = {
      {"soft_reboot", [](FakeDriver& d, const sdk::Instance& i) { return reboot(d, i, RebootType::kSoft); },
       [](S s) { return s == S::kRunning ? O(S::kRunning) : std::nullopt; }},
      {"hard_reboot", [](FakeDriver& d, const sdk::Instance& i) { return reboot(d, i, RebootType::kHard); },
       [](S s) { return s == S::kSuspended ? std::nullopt : O(S::kRunning); }},
      {"power_off", [](FakeDriver& d, const sdk::Instance& i) { return power_off(d, i); },
       [](S s) { return s == S::kSuspended ? std::nullopt : O(S::kShutdown); }},
      {"hard_power_off", [](FakeDriver& d, const sdk::Instance& i) { return power_off(d, i, 0); },
       [](S s) { return s == S::kSuspended ? std::nullopt : O(S::kShutdown); }},
      {"power_on", [](FakeDriver& d, const sdk::Instance& i) { return power_on(d, i); },
       [](S s) { return s == S::kPaused || s == S::kSuspended ? std::nullopt : O(S::kRunning); }},
      {"pause", [](FakeDriver& d, const sdk::Instance& i) { return pause(d, i); },
       [](S s) { return s == S::kRunning ? O(S::kPaused) : std::nullopt; }},
      {"unpause", [](FakeDriver& d, const sdk::Instance& i) { return unpause(d, i); },
       [](S s) { return s == S::kPaused ? O(S::kRunning) : std::nullopt; }},
      {"suspend", [](FakeDriver& d, const sdk::Instance& i) { return suspend(d, i); },
       [](S s) { return s == S::kRunning || s == S::kPaused ? O(S::kSuspended) : std::nullopt; }},
      {"resume", [](FakeDriver& d, const sdk::Instance& i) { return resume(d, i); },
       [](S s) { return s == S::kSuspended ? O(S::kRunning) : std::nullopt; }},
      {"rebuild", [](FakeDriver& d, const sdk::Instance& i) { return rebuild(d, i); },
       [](S s) {
         return s == S::kRunning || s == S::kShutdown || s == S::kCrashed ? O(S::kRunning) : std::nullopt;
       }},
      {"crash", [](FakeDriver& d, const sdk::Instance& i) { return d.crash(i.uuid); },
       [](S s) { return s == S::kRunning ? O(S::kCrashed) : std::nullopt; }},
  };
  return all;
}

const PowerState kStates[] = {PowerState::kRunning, PowerState::kPaused, PowerState::kShutdown,
                              PowerState::kCrashed, PowerState::kSuspended};

// One (operation, starting state) pair; printable so test names read well.
struct Case {
  std::size_t transition;
  PowerState from;
  std::string name() const {
    return std::string(transitions()[transition].name) + "_from_" + std::string(sdk::power_state_name(from));
  }
  friend void PrintTo(const Case& c, std::ostream* os) { *os << c.name(); }
};

std::vector<Case> all_cases() {
  std::vector<Case> out;
  for (std::size_t t = 0; t < transitions().size(); ++t) {
    for (PowerState s : kStates) out.push_back(Case{t, s});
  }
  return out;
}

class FakeStateMachine : public ::testing::TestWithParam<Case> {};

TEST_P(FakeStateMachine, OperationFromState) {
  const PowerState from = GetParam().from;
  const Transition& t = transitions()[GetParam().transition];
  FakeDriver d;
  const auto i = make_instance("uuid-sm-1");
  drive_to(d, i, from);
  const std::string log_before = console(d, i).value();

  const sdk::Status s = t.call(d, i);
  const std::optional<PowerState> expected = t.outcome(from);
  if (expected) {
    EXPECT_TRUE(s.ok()) << t.name << " from " << sdk::power_state_name(from) << ": " << s;
    EXPECT_EQ(state_of(d, i), *expected);
  } else {
    EXPECT_EQ(s.code(), StatusCode::kInvalidState) << t.name << " from " << sdk::power_state_name(from) << ": " << s;
    EXPECT_TRUE(contains(s.message(), "uuid-sm-1")) << s;
    EXPECT_TRUE(contains(s.message(), std::string(sdk::power_state_name(from)))) << s;
    EXPECT_EQ(state_of(d, i), from) << "a refused operation leaves the guest as it was";
    EXPECT_EQ(console(d, i).value(), log_before) << "a refused operation does nothing to the guest";
  }
}

INSTANTIATE_TEST_SUITE_P(AllTransitions, FakeStateMachine, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.name(); });

TEST(FakeLifecycle, SpawnStartsTheGuestAndRecordsIt) {
  FakeDriver d;
  auto i = make_instance("uuid-1");
  i.config_drive = true;
  sdk::NetworkInfo net(1);
  net[0].address = "fa:16:3e:00:00:01";
  net[0].fixed_ips = {"10.0.0.5"};
  ASSERT_TRUE(d.spawn(ctx(), i, image(), {{"/etc/motd", "hi"}}, "pw", net, {}).ok());
  EXPECT_EQ(state_of(d, i), PowerState::kRunning);
  auto g = d.guest("uuid-1");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->name, "instance-uuid-1");
  EXPECT_EQ(g->image_id, "image-cirros");
  EXPECT_EQ(g->flavor.vcpus, 2);
  EXPECT_EQ(g->boot_count, 1u);
  EXPECT_EQ(g->injected_files, 1u);
  EXPECT_TRUE(g->config_drive);
  ASSERT_EQ(g->network_info.size(), 1u);
  EXPECT_EQ(g->network_info[0].address, "fa:16:3e:00:00:01");
}

TEST(FakeLifecycle, SpawnOfAnExistingGuestIsAlreadyExistsAndLeavesItAlone) {
  FakeDriver d;
  const auto i = make_instance("uuid-dup");
  ASSERT_TRUE(spawn(d, i).ok());
  ASSERT_TRUE(pause(d, i).ok());
  auto again = spawn(d, i, image("other-image"));
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(contains(again.message(), "uuid-dup")) << again;
  EXPECT_TRUE(contains(again.message(), "paused")) << again;
  EXPECT_EQ(state_of(d, i), PowerState::kPaused);
  EXPECT_EQ(d.guest("uuid-dup")->image_id, "image-cirros");
  EXPECT_EQ(d.instance_count(), 1u);
}

TEST(FakeLifecycle, SpawnRefusesBadInput) {
  FakeDriver d;
  auto no_uuid = make_instance("");
  EXPECT_EQ(spawn(d, no_uuid).code(), StatusCode::kInvalidArgument);

  auto negative = make_instance("uuid-neg");
  negative.flavor.memory_mb = -1;
  EXPECT_EQ(spawn(d, negative).code(), StatusCode::kInvalidArgument);

  auto vhd = spawn(d, make_instance("uuid-vhd"), image("img-vhd", "vhd"));
  EXPECT_EQ(vhd.code(), StatusCode::kNotSupported);
  EXPECT_TRUE(contains(vhd.message(), "vhd")) << vhd;
  EXPECT_TRUE(contains(vhd.message(), "uuid-vhd")) << vhd;

  auto arm = image("img-arm");
  arm.properties["hw_architecture"] = "aarch64";
  EXPECT_EQ(spawn(d, make_instance("uuid-arm"), arm).code(), StatusCode::kNotSupported);

  EXPECT_EQ(d.instance_count(), 0u) << "a failed spawn leaves nothing behind";
  EXPECT_TRUE(d.list_instances()->empty());
}

TEST(FakeLifecycle, EverySupportedImageFormatSpawns) {
  FakeDriver d;
  int n = 0;
  for (const char* format : {"qcow2", "raw", "ami", "iso", ""}) {
    EXPECT_TRUE(spawn(d, make_instance("fmt-" + std::to_string(n++)), image("img", format)).ok()) << format;
  }
}

TEST(FakeLifecycle, DestroyIsIdempotent) {
  FakeDriver d;
  const auto i = make_instance("uuid-del");
  EXPECT_TRUE(destroy(d, i).ok()) << "destroying a guest that never existed is OK";
  ASSERT_TRUE(spawn(d, i).ok());
  EXPECT_TRUE(destroy(d, i).ok());
  EXPECT_FALSE(d.guest("uuid-del").has_value());
  EXPECT_EQ(d.get_info(i).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(destroy(d, i).ok()) << "a retried delete succeeds";
  EXPECT_TRUE(spawn(d, i).ok()) << "the uuid can be used again";
}

TEST(FakeLifecycle, DestroyWorksFromEveryState) {
  for (PowerState s : kStates) {
    FakeDriver d;
    const auto i = make_instance("uuid-any");
    drive_to(d, i, s);
    EXPECT_TRUE(destroy(d, i).ok()) << sdk::power_state_name(s);
    EXPECT_EQ(d.instance_count(), 0u);
  }
}

TEST(FakeLifecycle, OperationsOnAMissingGuestAreNotFound) {
  FakeDriver d;
  const auto i = make_instance("uuid-missing");
  const std::vector<std::pair<const char*, sdk::Status>> results = {
      {"soft reboot", reboot(d, i, RebootType::kSoft)},
      {"hard reboot", reboot(d, i, RebootType::kHard)},
      {"power_off", power_off(d, i)},
      {"power_on", power_on(d, i)},
      {"pause", pause(d, i)},
      {"unpause", unpause(d, i)},
      {"suspend", suspend(d, i)},
      {"resume", resume(d, i)},
      {"rebuild", rebuild(d, i)},
      {"get_info", d.get_info(i).status()},
      {"get_console_output", console(d, i).status()},
      {"crash", d.crash(i.uuid)},
  };
  for (const auto& [name, s] : results) {
    EXPECT_EQ(s.code(), StatusCode::kNotFound) << name << ": " << s;
    EXPECT_TRUE(contains(s.message(), "uuid-missing")) << name << ": " << s;
    EXPECT_TRUE(contains(s.message(), "fake-host")) << name << ": " << s;
  }
}

TEST(FakeLifecycle, IdempotentPowerOperations) {
  FakeDriver d;
  const auto i = make_instance("uuid-idem");
  ASSERT_TRUE(spawn(d, i).ok());
  EXPECT_TRUE(power_on(d, i).ok()) << "already running";
  EXPECT_EQ(d.guest(i.uuid)->boot_count, 1u) << "powering on a running guest does not reboot it";
  ASSERT_TRUE(power_off(d, i).ok());
  const std::string log = console(d, i).value();
  EXPECT_TRUE(power_off(d, i).ok()) << "already shut down";
  EXPECT_EQ(console(d, i).value(), log) << "a no-op power_off leaves no trace";
  EXPECT_EQ(state_of(d, i), PowerState::kShutdown);
}

TEST(FakeLifecycle, PauseTwiceIsInvalidState) {
  FakeDriver d;
  const auto i = make_instance("uuid-pp");
  ASSERT_TRUE(spawn(d, i).ok());
  ASSERT_TRUE(pause(d, i).ok());
  auto again = pause(d, i);
  EXPECT_EQ(again.code(), StatusCode::kInvalidState);
  EXPECT_TRUE(contains(again.message(), "paused")) << again;
}

TEST(FakeLifecycle, FullLifecycle) {
  FakeDriver d;
  ASSERT_TRUE(d.init_host("compute-1").ok());
  const auto i = make_instance("uuid-life");
  ASSERT_TRUE(spawn(d, i).ok());
  ASSERT_TRUE(reboot(d, i, RebootType::kSoft).ok());
  ASSERT_TRUE(pause(d, i).ok());
  ASSERT_TRUE(reboot(d, i, RebootType::kHard).ok());
  ASSERT_TRUE(pause(d, i).ok());
  ASSERT_TRUE(unpause(d, i).ok());
  ASSERT_TRUE(suspend(d, i).ok());
  ASSERT_TRUE(resume(d, i).ok());
  ASSERT_TRUE(power_off(d, i).ok());
  ASSERT_TRUE(rebuild(d, i, image("image-debian")).ok());
  EXPECT_EQ(state_of(d, i), PowerState::kRunning);
  ASSERT_TRUE(d.crash(i.uuid).ok());
  ASSERT_TRUE(power_on(d, i).ok());
  auto g = d.guest(i.uuid);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->image_id, "image-debian");
  EXPECT_EQ(g->rebuild_count, 1u);
  // spawn, soft reboot, hard reboot, rebuild, power_on after the crash.
  EXPECT_EQ(g->boot_count, 5u);
  ASSERT_TRUE(destroy(d, i).ok());
  EXPECT_TRUE(d.list_instances()->empty());
  ASSERT_TRUE(d.cleanup_host("compute-1").ok());
}

TEST(FakeLifecycle, RebuildRecordsTheNewImageAndChecksIt) {
  FakeDriver d;
  const auto i = make_instance("uuid-rb");
  ASSERT_TRUE(spawn(d, i).ok());
  auto refused = rebuild(d, i, image("img-vhd", "vhd"));
  EXPECT_EQ(refused.code(), StatusCode::kNotSupported);
  EXPECT_EQ(d.guest(i.uuid)->image_id, "image-cirros") << "a refused rebuild keeps the old disk";
  ASSERT_TRUE(rebuild(d, i, image("image-fedora")).ok());
  EXPECT_EQ(d.guest(i.uuid)->image_id, "image-fedora");
}

TEST(FakeLifecycle, GetInfoReportsSizesFromTheFlavor) {
  FakeDriver d;
  const auto i = make_instance("uuid-info");
  ASSERT_TRUE(spawn(d, i).ok());
  auto info = d.get_info(i);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->state, PowerState::kRunning);
  EXPECT_EQ(info->max_mem_kb, 2048 * 1024);
  EXPECT_EQ(info->mem_kb, 2048 * 1024);
  EXPECT_EQ(info->num_cpu, 2);
  EXPECT_EQ(info->internal_id, "instance-uuid-info");
}

TEST(FakeLifecycle, CpuTimeAdvancesOnlyWhileRunning) {
  // The guests run on a clock this test moves: no sleeping for time to pass.
  auto clock = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::time_point{});
  FakeDriverConfig config;
  config.clock = [clock] { return *clock; };
  FakeDriver d(config);
  const auto advance = [&clock](int ms) { *clock += std::chrono::milliseconds(ms); };
  const auto i = make_instance("uuid-cpu");
  ASSERT_TRUE(spawn(d, i).ok());
  const auto t0 = d.get_info(i)->cpu_time_ns;
  advance(5);
  const auto t1 = d.get_info(i)->cpu_time_ns;
  EXPECT_EQ(t1 - t0, 5'000'000u) << "a running guest's CPU time follows the clock";
  ASSERT_TRUE(pause(d, i).ok());
  const auto p0 = d.get_info(i)->cpu_time_ns;
  EXPECT_EQ(p0, t1);
  advance(5);
  EXPECT_EQ(d.get_info(i)->cpu_time_ns, p0) << "a paused guest uses no CPU";
  ASSERT_TRUE(unpause(d, i).ok());
  advance(7);
  EXPECT_EQ(d.get_info(i)->cpu_time_ns, p0 + 7'000'000u);
  ASSERT_TRUE(power_off(d, i).ok());
  const auto off = d.get_info(i)->cpu_time_ns;
  EXPECT_EQ(off, p0 + 7'000'000u);
  advance(5);
  EXPECT_EQ(d.get_info(i)->cpu_time_ns, off);
}

TEST(FakeLifecycle, ListInstancesIsSortedUuidsOfThisHost) {
  FakeDriver d;
  for (const char* u : {"c", "a", "b"}) ASSERT_TRUE(spawn(d, make_instance(u)).ok());
  auto list = d.list_instances();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(FakeLifecycle, CapabilitiesAreAllTrue) {
  FakeDriver d;
  const auto caps = d.capabilities();
  EXPECT_TRUE(caps.supports_reboot);
  EXPECT_TRUE(caps.supports_power_off);
  EXPECT_TRUE(caps.supports_pause);
  EXPECT_TRUE(caps.supports_suspend);
  EXPECT_TRUE(caps.supports_rebuild);
  EXPECT_TRUE(caps.supports_console_output);
  EXPECT_TRUE(caps.supports_config_drive);
  EXPECT_TRUE(caps.supports_direct_kernel_boot);
  EXPECT_EQ(caps.supported_image_formats, (std::vector<std::string>{"qcow2", "raw", "ami", "iso"}));
}

TEST(FakeLifecycle, GuestsSurviveCleanupAndInitHost) {
  FakeDriver d;
  ASSERT_TRUE(d.init_host("compute-1").ok());
  ASSERT_TRUE(spawn(d, make_instance("keep")).ok());
  ASSERT_TRUE(d.cleanup_host("compute-1").ok());
  ASSERT_TRUE(d.cleanup_host("compute-1").ok()) << "cleanup_host is idempotent";
  ASSERT_TRUE(d.init_host("compute-1").ok());
  EXPECT_EQ(*d.list_instances(), std::vector<std::string>{"keep"});
}

TEST(FakeLifecycle, WorksThroughTheVirtDriverInterface) {
  std::unique_ptr<sdk::VirtDriver> d = std::make_unique<FakeDriver>();
  const auto i = make_instance("uuid-iface");
  ASSERT_TRUE(d->spawn(ctx(), i, image(), {}, "", {}, {}).ok());
  EXPECT_TRUE(d->pause(ctx(), i).ok());
  EXPECT_EQ(d->get_info(i)->state, PowerState::kPaused);
}

}  // namespace
}  // namespace stratus::drivers::fake
