#include "core/compute/host_uptime.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace stratus::core::compute {

using sdk::Result;
using sdk::Status;

Result<std::string> format_host_uptime(std::int64_t now_seconds_of_day, double uptime_seconds, std::string_view loadavg) {
  if (uptime_seconds < 0 || now_seconds_of_day < 0) return Status::InvalidArgument("negative uptime or time of day");
  std::istringstream in{std::string(loadavg)};
  double l1 = 0, l5 = 0, l15 = 0;
  if (!(in >> l1 >> l5 >> l15)) return Status::InvalidArgument("unreadable load averages '" + std::string(loadavg) + "'");
  const auto up = static_cast<std::int64_t>(uptime_seconds);
  const std::int64_t days = up / 86400, hours = (up % 86400) / 3600, minutes = (up % 3600) / 60;
  char head[64];
  std::snprintf(head, sizeof head, " %02lld:%02lld:%02lld up ", static_cast<long long>(now_seconds_of_day / 3600 % 24),
                static_cast<long long>(now_seconds_of_day / 60 % 60), static_cast<long long>(now_seconds_of_day % 60));
  std::string out = head;
  // As procps prints it: "N day(s), " then "H:MM" or "M min".
  if (days > 0) out += std::to_string(days) + (days == 1 ? " day, " : " days, ");
  char clock[32];
  if (hours > 0) {
    std::snprintf(clock, sizeof clock, "%2lld:%02lld", static_cast<long long>(hours), static_cast<long long>(minutes));
  } else {
    std::snprintf(clock, sizeof clock, "%lld min", static_cast<long long>(minutes));
  }
  out += clock;
  char load[96];
  std::snprintf(load, sizeof load, ",  load average: %.2f, %.2f, %.2f", l1, l5, l15);
  return out + load;
}

Result<std::string> read_host_uptime() {
  std::ifstream uptime_file("/proc/uptime");
  double uptime = 0;
  if (!(uptime_file >> uptime)) return Status::Unavailable("cannot read /proc/uptime on this host");
  std::ifstream load_file("/proc/loadavg");
  std::string loadavg;
  if (!std::getline(load_file, loadavg)) return Status::Unavailable("cannot read /proc/loadavg on this host");
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const std::int64_t of_day = std::chrono::duration_cast<std::chrono::seconds>(now).count() % 86400;
  return format_host_uptime(of_day, uptime, loadavg);
}

}  // namespace stratus::core::compute
