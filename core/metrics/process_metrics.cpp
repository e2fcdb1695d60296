#include "core/metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace stratus::core::metrics {

namespace {

// Fields of /proc/self/stat after the command name (which may hold spaces
// and parentheses, so the line is split after its last ')').
std::vector<std::string> stat_fields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  const auto close = line.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) return fields;
  std::istringstream rest(line.substr(close + 1));
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;  // fields[0] is "state" (field 3 of proc(5))
}

// The machine's boot time, seconds since the epoch (/proc/stat btime).
double boot_time() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double v = 0;
      in >> v;
      return v;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

void collect(CollectorSink& sink) {
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  const auto f = stat_fields();
  // proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24 (1-based);
  // fields[0] is field 3.
  if (f.size() > 21 && ticks > 0) {
    const double cpu = (std::stod(f[11]) + std::stod(f[12])) / ticks;
    sink.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", {}, cpu);
    static const double started = boot_time() + std::stod(f[19]) / ticks;
    sink.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", {}, started);
    sink.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", {}, std::stod(f[20]));
    sink.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", {}, std::stod(f[21]) * page);
  }
  std::error_code ec;
  double fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++fds;
  }
  if (!ec) sink.gauge("process_open_fds", "Number of open file descriptors.", {}, fds);
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    sink.gauge("process_max_fds", "Maximum number of open file descriptors.", {}, static_cast<double>(lim.rlim_cur));
  }
  sink.gauge("stratus_build_info", "Stratus' version; always 1.", {{"version", STRATUS_VERSION}}, 1);
}

}  // namespace

CollectorHandle add_process_collector(Registry& registry) { return registry.add_collector(&collect); }

void ensure_process_metrics() {
  static CollectorHandle* handle = new CollectorHandle(add_process_collector(default_registry()));
  (void)handle;
}

}  // namespace stratus::core::metrics
