// BootCheck: does a virt driver, as configured, run guests up to userspace?
// Boots one tiny guest (tiny_guest.h) through the VirtDriver interface, waits
// (bounded) for its marker in get_console_output, and always destroys it with
// its disks. `stratus driver check` runs it; on some hosts libvirt advertises
// KVM while guests hang before userspace, which only a real boot shows.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "stratus/sdk/result.h"
#include "stratus/sdk/virt_driver.h"

namespace stratus::core::driver_check {

// The guest: three images the driver can fetch by id (direct kernel boot).
struct BootCheckGuest {
  std::string kernel_image_id;   // disk_format aki
  std::string ramdisk_image_id;  // disk_format ari
  std::string root_image_id;     // raw; never read by the guest
  std::string marker;            // the line /init prints
  std::string command_line = "console=ttyS0";
};

struct BootCheckOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(180)};  // spawn to marker
  std::chrono::milliseconds poll{500};                           // console re-read interval
  std::int64_t memory_mb = 256;
};

struct BootCheckReport {
  bool reached_userspace = false;
  std::string instance_uuid;
  std::chrono::milliseconds elapsed{0};  // from spawn to the marker, or to giving up
  std::string console_tail;              // the console's last lines (at most ~2 KiB)
  sdk::Status cleanup;                   // destroy's result: not OK means a guest may be left
};

// Spawns the guest, polls its console until the marker shows or the timeout
// passes, then destroys it (disks included). Errors: spawn's own (nothing is
// left then: spawn cleans up after itself). Blocks for up to timeout plus the
// driver's own calls.
sdk::Result<BootCheckReport> run_boot_check(sdk::VirtDriver& driver, const BootCheckGuest& guest,
                                            const BootCheckOptions& options);

}  // namespace stratus::core::driver_check
