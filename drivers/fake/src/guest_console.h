// GuestConsole: one fake guest's serial console log, bounded in size.
//
// It writes what a Debian cloud image prints on ttyS0 (kernel, systemd,
// cloud-init, login prompt) so that tools and people reading
// `openstack console log show` see something plausible, and adds a line for
// every lifecycle event so a test can see that each one happened. Events the
// guest cannot see (pause, hard power-off, suspend) are written as hypervisor
// notes starting with "[stratus-fake]". Kernel timestamps are seconds since the
// guest last booted. Not thread-safe: the driver's mutex guards it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "stratus/sdk/network_info.h"

namespace stratus::drivers::fake {

struct GuestBootInfo {
  std::string hostname;
  std::int32_t vcpus = 0;
  std::int64_t memory_mb = 0;
  std::int64_t root_gb = 0;
  std::int64_t ephemeral_gb = 0;
  std::string hypervisor_type;
  bool config_drive = false;
  std::size_t injected_files = 0;
  const sdk::NetworkInfo* network_info = nullptr;  // may be null
};

class GuestConsole {
 public:
  using Clock = std::chrono::steady_clock;

  explicit GuestConsole(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // A guest boots: firmware, kernel, cloud-init, login prompt.
  void boot(const GuestBootInfo& info, Clock::time_point now);
  // The guest answers ACPI power-off (clean shutdown).
  void clean_shutdown(Clock::time_point now);
  // The guest answers ACPI reboot (soft reboot); the next boot() follows.
  void clean_restart(Clock::time_point now);
  // The guest's kernel dies.
  void panic(Clock::time_point now);
  // An event only the hypervisor sees, e.g. "paused".
  void note(std::string_view event);

  const std::string& text() const { return text_; }

 private:
  void kernel_line(double seconds, std::string_view line);
  void raw_line(std::string_view line);
  double uptime(Clock::time_point now) const;
  void bound();

  std::size_t max_bytes_;
  std::string text_;
  Clock::time_point booted_at_{};
};

// A host name from a display name, as cloud-init would set it: lower case,
// [a-z0-9-], at most 63 characters; `fallback` when nothing is left.
std::string guest_hostname(std::string_view display_name, std::string_view fallback);

}  // namespace stratus::drivers::fake
