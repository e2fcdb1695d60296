// run_program on Boost.Process: the child in its own process group with
// stdin from /dev/null and stdout/stderr on asynchronous pipes, both read on
// one Boost.Asio io_context until they close or the deadline passes; on the
// deadline the whole group is killed.
//
// Kept our own: the bounds on what is kept of the output (the first 1 MiB of
// stdout, the last 4 KiB of stderr), read chunk by chunk, because Boost's
// ready-made sinks (std::future<std::string>, asio::streambuf) grow without
// limit; and no child::wait_for, whose Boost 1.74 version swaps the
// process-wide SIGCHLD handler while it waits (libvirt's event loop lives in
// this process too): after both pipes closed, the exit is awaited by
// waitpid(WNOHANG) (child.running()), with short pauses, until the same deadline.
#include "process.h"

#include <fcntl.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/process/args.hpp>
#include <boost/process/async_pipe.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/group.hpp>
#include <boost/process/io.hpp>
#include <boost/process/search_path.hpp>
#include <exception>
#include <thread>

namespace stratus::drivers::libvirt {
namespace {

namespace bp = boost::process;
namespace asio = boost::asio;
using sdk::Status;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxStdout = 1 << 20;  // qemu-img info is a few hundred bytes
constexpr std::size_t kStderrTail = 4096;

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

// Reads `pipe` to its end on its io_context, keeping the first `limit` bytes
// (or, with keep_tail, the last ones) in `into`; sets `done` at the end.
class Drain {
 public:
  Drain(bp::async_pipe& pipe, std::string& into, std::size_t limit, bool keep_tail)
      : pipe_(pipe), into_(into), limit_(limit), keep_tail_(keep_tail) {}
  void start() {
    pipe_.async_read_some(asio::buffer(buf_), [this](const boost::system::error_code& ec, std::size_t n) {
      if (ec) {  // eof, or the pipe was closed
        done = true;
        return;
      }
      if (keep_tail_) {
        into_.append(buf_.data(), n);
        if (into_.size() > 2 * limit_) into_.erase(0, into_.size() - limit_);
      } else if (into_.size() < limit_) {
        into_.append(buf_.data(), std::min(n, limit_ - into_.size()));
      }
      start();
    });
  }
  bool done = false;

 private:
  bp::async_pipe& pipe_;
  std::string& into_;
  std::size_t limit_;
  bool keep_tail_;
  std::array<char, 4096> buf_{};
};

// The parent's ends must not leak into programs other threads start while
// this one runs (they would hold the pipe open past our child's exit);
// Boost's pipes are made without O_CLOEXEC. The child gets its ends by dup2,
// which clears the flag on the copies. (Boost's limit_handles, which closes
// every other descriptor in the child, is not used: in 1.74 it closed the
// redirected stdout as well, so the child's output went nowhere.)
void close_on_exec(bp::async_pipe& p) {
  for (int fd : {p.native_source(), p.native_sink()}) ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

sdk::Result<std::string> run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  // Looked up as posix_spawnp would: a name with a slash is a path as given.
  const boost::filesystem::path exe =
      argv[0].find('/') != std::string::npos ? boost::filesystem::path(argv[0]) : bp::search_path(argv[0]);
  boost::system::error_code exists_ec;
  if (exe.empty() || !boost::filesystem::exists(exe, exists_ec)) {
    return Status::NotFound("program '" + argv[0] + "' not found (is it installed?)");
  }

  // Declared in this order so they go in reverse: the child (killed if it
  // still runs), then its group (every process still in it is killed), then
  // the pipes, then the io_context they belong to.
  asio::io_context io;
  bp::async_pipe out(io), err(io);
  close_on_exec(out);
  close_on_exec(err);
  bp::group group;
  std::error_code launch_ec;
  bp::child child(bp::exe = exe, bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()),
                  bp::std_in < bp::null, bp::std_out > out, bp::std_err > err, group, launch_ec);
  if (launch_ec) {
    if (launch_ec.value() == ENOENT) return Status::NotFound("program '" + argv[0] + "' not found (is it installed?)");
    return Status::Internal("cannot run " + argv[0] + ": " + launch_ec.message());
  }

  std::string stdout_text, stderr_text;
  Drain out_drain(out, stdout_text, kMaxStdout, false), err_drain(err, stderr_text, kStderrTail, true);
  out_drain.start();
  err_drain.start();
  const auto deadline = Clock::now() + timeout;
  auto timed_out = [&] {
    std::error_code ignored;
    group.terminate(ignored);  // SIGKILL to the child and anything it started
    child.wait(ignored);
    return Status::Timeout(command_line(argv) + ": killed after " + std::to_string(timeout.count()) + " ms");
  };
  // Returns when both pipes are at their end (no work left) or at the deadline.
  io.run_until(deadline);
  if (!out_drain.done || !err_drain.done) return timed_out();
  // Both pipes closed: the child is exiting, or closed them and runs on. Its
  // exit is awaited within the same deadline, by waitpid(WNOHANG) in
  // child.running() (child.wait_for is the one Boost 1.74 gets wrong).
  std::error_code wait_ec;
  // The usual child is a zombie within microseconds of closing its pipes, so
  // the pause starts short and doubles up to 10 ms for one that runs on.
  auto pause = std::chrono::microseconds(50);
  while (child.running(wait_ec)) {
    if (Clock::now() >= deadline) return timed_out();
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(10));
  }
  if (wait_ec) return Status::Internal("waiting for " + argv[0] + ": " + wait_ec.message());
  const int wstatus = child.native_exit_code();
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    if (stderr_text.size() > kStderrTail) stderr_text.erase(0, stderr_text.size() - kStderrTail);
    while (!stderr_text.empty() && (stderr_text.back() == '\n' || stderr_text.back() == '\r')) stderr_text.pop_back();
    const std::string how = WIFEXITED(wstatus) ? "exit status " + std::to_string(WEXITSTATUS(wstatus))
                                               : "signal " + std::to_string(WTERMSIG(wstatus));
    return Status::Internal(command_line(argv) + " failed (" + how + "): " + stderr_text);
  }
  return stdout_text;
}

}  // namespace

sdk::Result<std::string> run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  if (argv.empty()) return Status::InvalidArgument("run_program: no program given");
  try {
    return run(argv, timeout);
  } catch (const std::exception& e) {  // Boost.Process and Asio report setup failures by throwing
    return Status::Internal("cannot run " + argv[0] + ": " + e.what());
  }
}

}  // namespace stratus::drivers::libvirt
