// HostUptime: this host's uptime line, what os-hypervisors' uptime shows (Nova
// asks the compute host's driver, whose libvirt flavour runs `uptime`). Read
// from the kernel (/proc/uptime, /proc/loadavg) rather than a subprocess.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stratus/sdk/result.h"

namespace stratus::core::compute {

// " 08:32:11 up 93 days, 18:25,  load average: 0.20, 0.12, 0.14" (the time of
// day in UTC). kUnavailable when /proc cannot be read (not Linux).
sdk::Result<std::string> read_host_uptime();

// The line for `now_seconds_of_day` (UTC), `uptime_seconds` and the three
// load averages text ("0.20 0.12 0.14 ..."); kInvalidArgument for bad input.
sdk::Result<std::string> format_host_uptime(std::int64_t now_seconds_of_day, double uptime_seconds,
                                            std::string_view loadavg);

}  // namespace stratus::core::compute
