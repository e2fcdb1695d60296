// run_program beyond the basics in qemu_img_disks_test.cpp: a timeout kills
// the whole process group (a shell's background child too), stdout and
// stderr are both drained (no deadlock on a full pipe) within their bounds,
// stdin is empty, and every failure is a Status naming the program.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "libvirt_test_support.h"
#include "process.h"

namespace stratus::drivers::libvirt::testing {
namespace {

using sdk::StatusCode;

// True once `pid` is gone or a zombie (killed, not yet reaped by its new
// parent), waiting at most 10 s for a SIGKILL to land.
bool dead(int pid) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < give_up) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!stat || !std::getline(stat, line)) return true;
    const auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos || line.substr(close_paren + 2, 1) == "Z") return true;
    if (line.find("(sleep)") == std::string::npos) return true;  // the pid was reused
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST(RunProgram, TimeoutKillsTheWholeProcessGroup) {
  TempDir dir;
  const std::string pid_file = (dir.path() / "pid").string();
  // The shell starts a background sleep that holds stdout and stderr open, then waits.
  auto r = run_program({"sh", "-c", "sleep 60 & echo $! > \"$0\"; wait", pid_file}, std::chrono::seconds(1));
  EXPECT_EQ(r.status().code(), StatusCode::kTimeout) << r.status();
  EXPECT_NE(r.status().message().find("killed after 1000 ms"), std::string::npos) << r.status();
  std::ifstream in(pid_file);
  int pid = 0;
  ASSERT_TRUE(in >> pid) << "the shell never wrote its child's pid";
  EXPECT_TRUE(dead(pid)) << "the background sleep " << pid << " outlived the timeout";
}

TEST(RunProgram, AChildThatClosesItsOutputAndRunsOnIsStillBounded) {
  TempDir dir;
  const std::string pid_file = (dir.path() / "pid").string();
  // Both pipes close at once; the shell's exec'd sleep then runs on.
  auto r = run_program({"sh", "-c", "echo $$ > \"$0\"; exec sleep 60 >&- 2>&-", pid_file}, std::chrono::seconds(1));
  EXPECT_EQ(r.status().code(), StatusCode::kTimeout) << r.status();
  std::ifstream in(pid_file);
  int pid = 0;
  ASSERT_TRUE(in >> pid) << "the shell never wrote its pid";
  EXPECT_TRUE(dead(pid)) << "the sleep " << pid << " outlived the timeout";
}

TEST(RunProgram, DrainsBothPipesWithinBounds) {
  // 3 MB to stderr first, then 3 MB to stdout: a reader of one pipe at a time
  // would block the child on the other one.
  auto r = run_program(
      {"sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' e >&2; head -c 3000000 /dev/zero | tr '\\0' o"},
      std::chrono::seconds(60));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->size(), 1u << 20) << "stdout is kept up to 1 MiB";
  EXPECT_EQ(r->find_first_not_of('o'), std::string::npos);
  // On failure the message holds stderr's last 4 KiB, not its first.
  auto failed = run_program({"sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a >&2; echo the-end >&2; exit 1"});
  ASSERT_EQ(failed.status().code(), StatusCode::kInternal);
  const std::string& m = failed.status().message();
  EXPECT_NE(m.find("exit status 1"), std::string::npos);
  EXPECT_NE(m.find("athe-end"), std::string::npos) << m.substr(0, 200);
  EXPECT_LE(m.size(), 4096u + 200u) << "only the tail of stderr";
}

TEST(RunProgram, StdinIsEmptyAndOutputIsExact) {
  auto cat = run_program({"cat"}, std::chrono::seconds(30));
  ASSERT_TRUE(cat.ok()) << cat.status();
  EXPECT_EQ(*cat, "") << "stdin is /dev/null, so cat ends at once";
  auto binary = run_program({"printf", "a\\000b\\377"});
  ASSERT_TRUE(binary.ok()) << binary.status();
  EXPECT_EQ(*binary, std::string("a\0b\xff", 4));
  auto empty_stdout = run_program({"true"});
  ASSERT_TRUE(empty_stdout.ok());
  EXPECT_EQ(*empty_stdout, "");
}

TEST(RunProgram, FailuresAreStatusesNamingTheProgram) {
  TempDir dir;
  // A path (with a slash) is used as given, not looked up.
  auto by_path = run_program({"/bin/echo", "x"});
  ASSERT_TRUE(by_path.ok()) << by_path.status();
  EXPECT_EQ(*by_path, "x\n");
  auto missing = run_program({(dir.path() / "absent").string()});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("absent"), std::string::npos);
  // A file that is not executable.
  const auto plain = dir.path() / "plain";
  std::ofstream(plain) << "#!/bin/sh\necho hi\n";
  auto not_exec = run_program({plain.string()});
  EXPECT_EQ(not_exec.status().code(), StatusCode::kInternal) << not_exec.status();
  EXPECT_NE(not_exec.status().message().find("plain"), std::string::npos) << not_exec.status();
  // Killed by a signal.
  auto signalled = run_program({"sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(signalled.status().code(), StatusCode::kInternal);
  EXPECT_NE(signalled.status().message().find("signal 15"), std::string::npos) << signalled.status();
  EXPECT_EQ(run_program({}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stratus::drivers::libvirt::testing
