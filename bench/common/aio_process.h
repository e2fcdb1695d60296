// AioProcess: a `stratus aio` child process for the benchmarks, started in
// its own process group with its output in a log file, asked for its API
// port (the "ready at" line), its memory and CPU time from /proc, and
// stopped by PID (SIGTERM, then SIGKILL after 10 s).
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace stratus::bench {

class AioProcess {
 public:
  // Runs `binary ARGS... aio --fake-hosts HOSTS --data-dir DIR/data --listen
  // 127.0.0.1:0`; `options` come before "aio" (--log-level, --set ...).
  AioProcess(const std::string& binary, const std::vector<std::string>& options, int hosts,
             const std::filesystem::path& dir)
      : log_(dir / "aio.log") {
    std::filesystem::create_directories(dir);
    std::vector<std::string> args = {binary};
    args.insert(args.end(), options.begin(), options.end());
    for (const std::string& a : {std::string("aio"), std::string("--fake-hosts"), std::to_string(hosts),
                                 std::string("--data-dir"), (dir / "data").string(), std::string("--listen"),
                                 std::string("127.0.0.1:0")}) {
      args.push_back(a);
    }
    std::fflush(stdout);  // the child must not inherit (and print again) our buffer
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      FILE* out = std::freopen(log_.c_str(), "w", stdout);
      FILE* err = std::freopen(log_.c_str(), "a", stderr);
      (void)out;
      (void)err;
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
  }
  AioProcess(const AioProcess&) = delete;
  AioProcess& operator=(const AioProcess&) = delete;
  ~AioProcess() { stop(); }

  pid_t pid() const { return pid_; }

  // The API port from the "ready at http://127.0.0.1:PORT/v2.1" line, or 0
  // (the process exited, or `deadline` passed).
  int wait_ready(std::chrono::seconds deadline) {
    using namespace std::chrono_literals;
    const std::regex ready(R"(ready at http://127\.0\.0\.1:([0-9]+)/v2\.1)");
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
      std::ifstream in(log_);
      std::stringstream text;
      text << in.rdbuf();
      std::smatch m;
      const std::string s = text.str();
      if (std::regex_search(s, m, ready)) return std::stoi(m[1]);
      int status = 0;
      if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        std::cerr << "aio exited early:\n" << s.substr(s.size() > 4000 ? s.size() - 4000 : 0) << "\n";
        return 0;
      }
      std::this_thread::sleep_for(20ms);
    }
    return 0;
  }

  // Peak and current resident set (kB) from /proc/PID/status.
  std::pair<long, long> rss_kb() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    long hwm = 0, rss = 0;
    while (std::getline(in, line)) {
      if (line.rfind("VmHWM:", 0) == 0) hwm = std::stol(line.substr(6));
      if (line.rfind("VmRSS:", 0) == 0) rss = std::stol(line.substr(6));
    }
    return {hwm, rss};
  }

  // user + system CPU seconds so far (/proc/PID/stat fields 14 and 15).
  double cpu_seconds() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');  // the command name may hold spaces
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 2));
    std::string f;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
      if (i == 14) utime = std::stol(f);
      if (i == 15) stime = std::stol(f);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

  int thread_count() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
    }
    return 0;
  }

  void stop() {
    using namespace std::chrono_literals;
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(50ms);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

}  // namespace stratus::bench
