// get_console_output: a plausible serial log that grows with each lifecycle
// event and never exceeds its bound.
#include <gtest/gtest.h>

#include <functional>

#include "fake_test_support.h"

namespace stratus::drivers::fake {
namespace {

using namespace testing;  // NOLINT: test helpers
using sdk::RebootType;

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

TEST(FakeConsole, BootLogLooksLikeALinuxGuest) {
  FakeDriver d;
  auto i = make_instance("uuid-con");
  i.display_name = "My Web_Server";
  sdk::NetworkInfo net(1);
  net[0].address = "fa:16:3e:aa:bb:cc";
  net[0].fixed_ips = {"192.168.0.10"};
  ASSERT_TRUE(d.spawn(ctx(), i, image(), {}, "hunter2", net, {}).ok());
  auto log = console(d, i);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->rfind("[    0.000000] Linux version", 0), 0u) << *log;
  EXPECT_NE(log->find("Memory: 2097152K/2097152K available"), std::string::npos);
  EXPECT_NE(log->find("smp: Brought up 1 node, 2 CPUs"), std::string::npos);
  EXPECT_NE(log->find("Hostname set to <my-web-server>"), std::string::npos);
  EXPECT_NE(log->find("192.168.0.10"), std::string::npos);
  EXPECT_NE(log->find("fa:16:3e:aa:bb:cc"), std::string::npos);
  EXPECT_NE(log->find("my-web-server login:"), std::string::npos);
  EXPECT_EQ(log->find("hunter2"), std::string::npos) << "the admin password never reaches the log";
}

TEST(FakeConsole, EveryLifecycleEventAddsToTheLog) {
  FakeDriver d;
  const auto i = make_instance("uuid-grow");
  ASSERT_TRUE(spawn(d, i).ok());
  std::size_t size = console(d, i)->size();
  const std::vector<std::pair<const char*, std::function<sdk::Status()>>> steps = {
      {"soft reboot", [&] { return reboot(d, i, RebootType::kSoft); }},
      {"pause", [&] { return pause(d, i); }},
      {"unpause", [&] { return unpause(d, i); }},
      {"suspend", [&] { return suspend(d, i); }},
      {"resume", [&] { return resume(d, i); }},
      {"hard reboot", [&] { return reboot(d, i, RebootType::kHard); }},
      {"power_off", [&] { return power_off(d, i); }},
      {"power_on", [&] { return power_on(d, i); }},
      {"hard power_off", [&] { return power_off(d, i, 0); }},
      {"rebuild", [&] { return rebuild(d, i); }},
      {"crash", [&] { return d.crash(i.uuid); }},
  };
  for (const auto& [name, step] : steps) {
    ASSERT_TRUE(step().ok()) << name;
    const std::size_t now = console(d, i)->size();
    EXPECT_GT(now, size) << name << " left no trace in the console log";
    size = now;
  }
  const std::string log = *console(d, i);
  EXPECT_EQ(count(log, "Linux version"), 5u) << "spawn, two reboots, power_on, rebuild";
  EXPECT_NE(log.find("reboot: Restarting system"), std::string::npos);
  EXPECT_NE(log.find("reboot: Power down"), std::string::npos);
  EXPECT_NE(log.find("[stratus-fake]"), std::string::npos);
  EXPECT_NE(log.find("paused"), std::string::npos);
  EXPECT_NE(log.find("image-debian"), std::string::npos);
  EXPECT_NE(log.find("Kernel panic"), std::string::npos);
}

TEST(FakeConsole, LogIsBoundedAndKeepsTheTail) {
  FakeDriverConfig c;
  c.console_log_bytes = 4096;
  FakeDriver d(c);
  const auto i = make_instance("uuid-bound");
  ASSERT_TRUE(spawn(d, i).ok());
  for (int n = 0; n < 50; ++n) ASSERT_TRUE(reboot(d, i, RebootType::kSoft).ok());
  ASSERT_TRUE(pause(d, i).ok());
  const std::string log = *console(d, i);
  EXPECT_LE(log.size(), 4096u);
  EXPECT_GT(log.size(), 2048u) << "the bound keeps a useful tail, not nothing";
  EXPECT_NE(log.find("paused"), std::string::npos) << "the newest event is kept";
  EXPECT_EQ(log.back(), '\n');
  // Trimming cuts at a line boundary: every line kept is a whole line.
  std::size_t start = 0;
  while (start < log.size()) {
    const std::size_t end = log.find('\n', start);
    const std::string line = log.substr(start, end - start);
    const bool whole = line.empty() || line.rfind("[stratus-fake] ", 0) == 0 ||
                       line.rfind("Debian GNU/Linux 12 ", 0) == 0 || line.find(" login: ") != std::string::npos ||
                       (line.size() > 15 && line[0] == '[' && line[6] == '.' && line[13] == ']');
    EXPECT_TRUE(whole) << "partial line kept: '" << line << "'";
    start = end + 1;
  }
}

TEST(FakeConsole, DefaultBoundIsOneHundredKiB) {
  FakeDriver d;
  const auto i = make_instance("uuid-default-bound");
  ASSERT_TRUE(spawn(d, i).ok());
  for (int n = 0; n < 200; ++n) ASSERT_TRUE(reboot(d, i, RebootType::kHard).ok());
  const auto size = console(d, i)->size();
  EXPECT_LE(size, 100u * 1024);
  EXPECT_GT(size, 90u * 1024);
}

TEST(FakeConsole, EachGuestHasItsOwnLog) {
  FakeDriver d;
  ASSERT_TRUE(spawn(d, make_instance("one")).ok());
  ASSERT_TRUE(spawn(d, make_instance("two")).ok());
  ASSERT_TRUE(pause(d, make_instance("one")).ok());
  EXPECT_NE(console(d, make_instance("one"))->find("paused"), std::string::npos);
  EXPECT_EQ(console(d, make_instance("two"))->find("paused"), std::string::npos);
}

}  // namespace
}  // namespace stratus::drivers::fake
