// run_program: posix_spawnp with pipes for stdout and stderr, a poll loop
// bounded by a deadline, and a kill of the child (by its pid) when it overruns.
#include "process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace stratus::drivers::libvirt {
namespace {

using sdk::Status;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxStdout = 1 << 20;  // qemu-img info is a few hundred bytes
constexpr std::size_t kStderrTail = 4096;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read, write;
};

bool make_pipe(Pipe& p) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  p.read.reset(fds[0]);
  p.write.reset(fds[1]);
  return true;
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

}  // namespace

sdk::Result<std::string> run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  if (argv.empty()) return Status::InvalidArgument("run_program: no program given");
  Pipe out, err;
  if (!make_pipe(out) || !make_pipe(err)) return Status::Internal("pipe: " + std::string(std::strerror(errno)));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write.get(), STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    if (rc == ENOENT) return Status::NotFound("program '" + argv[0] + "' not found (is it installed?)");
    return Status::Internal("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  out.write.reset();
  err.write.reset();

  std::string stdout_text, stderr_text;
  const auto deadline = Clock::now() + timeout;
  bool timed_out = false;
  std::array<pollfd, 2> fds{pollfd{out.read.get(), POLLIN, 0}, pollfd{err.read.get(), POLLIN, 0}};
  std::array<char, 4096> buf{};
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left, 1000)));
    if (ready < 0 && errno != EINTR) break;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf.data(), buf.size());
      if (n <= 0) {
        fds[i].fd = -1;  // EOF or error: stop polling it (the Fd closes it)
        continue;
      }
      if (i == 0) {
        if (stdout_text.size() < kMaxStdout) stdout_text.append(buf.data(), static_cast<std::size_t>(n));
      } else {
        stderr_text.append(buf.data(), static_cast<std::size_t>(n));
        if (stderr_text.size() > 2 * kStderrTail) stderr_text.erase(0, stderr_text.size() - kStderrTail);
      }
    }
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return Status::Timeout(command_line(argv) + ": killed after " + std::to_string(timeout.count()) + " ms");
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    if (stderr_text.size() > kStderrTail) stderr_text.erase(0, stderr_text.size() - kStderrTail);
    while (!stderr_text.empty() && (stderr_text.back() == '\n' || stderr_text.back() == '\r')) stderr_text.pop_back();
    const std::string how = WIFEXITED(wstatus) ? "exit status " + std::to_string(WEXITSTATUS(wstatus))
                                               : "signal " + std::to_string(WTERMSIG(wstatus));
    return Status::Internal(command_line(argv) + " failed (" + how + "): " + stderr_text);
  }
  return stdout_text;
}

}  // namespace stratus::drivers::libvirt
