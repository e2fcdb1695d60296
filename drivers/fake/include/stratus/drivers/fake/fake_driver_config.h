// FakeDriverConfig: the settings of one fake host, read from `[driver.fake]`.
//
// Every key has a default, so a fake host needs no config at all. Keys:
//
//   host                   string  ""         host name until init_host names one
//                                             ("" means "fake-host")
//   vcpus                  integer 16         host inventory reported by
//   memory_mb              integer 65536      get_available_resource
//   local_gb               integer 1024
//   hypervisor_type        string  "fake"
//   hypervisor_version     integer 1000000    Nova's encoding: 1.0.0
//   cpu_arch               string  "x86_64"
//   console_log_bytes      integer 102400     bound of each guest's console log
//                                             (Nova's libvirt driver uses 100 KiB)
//   hang_timeout_ms        integer 300000     how long a bare "hang" fault blocks
//   allow_metadata_faults  boolean true       honour stratus:fake_fault:<op>
//                                             instance metadata
//   fault.<operation>      string  (none)     a fault spec (fault_spec.h), e.g.
//                                             fault.spawn = "fail*1"
//   unsupported            list    []         capabilities this host does not
//                                             declare, and whose operations answer
//                                             kNotSupported, as a driver without
//                                             them would (a test double of such a
//                                             driver): reboot, power_off (and on),
//                                             pause (and unpause), suspend (and
//                                             resume), rebuild, console_output,
//                                             config_drive, direct_kernel_boot,
//                                             get_available_resource (the host then
//                                             reports the compute service's defaults),
//                                             attach_interface (and detach) and
//                                             trigger_crash_dump
//   state_file             string  ""         off; else an absolute path where the
//                                             host keeps its guests, so that they
//                                             outlive the compute process as a
//                                             libvirt/QEMU host's domains do: saved
//                                             after every change, loaded by
//                                             init_host. One file per host: a file
//                                             another host holds (flock on
//                                             PATH.lock) is refused. See
//                                             docs/drivers/fake.md.
//
// Unknown keys, values of the wrong type and values out of range are refused
// with kInvalidArgument naming the key, as the core does for its own sections.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "stratus/drivers/fake/fault_spec.h"
#include "stratus/sdk/plugin_config.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::drivers::fake {

// What `unsupported` may name.
inline constexpr const char* kUnsupportableNames[] = {
    "reboot",         "power_off",    "pause",
    "suspend",        "rebuild",      "console_output",
    "config_drive",   "direct_kernel_boot", "get_available_resource",
    "attach_interface", "trigger_crash_dump", "rescue",
};

struct FakeDriverConfig {
  std::string host;
  std::int32_t vcpus = 16;
  std::int64_t memory_mb = 65536;
  std::int64_t local_gb = 1024;
  std::string hypervisor_type = "fake";
  std::int64_t hypervisor_version = 1'000'000;
  std::string cpu_arch = "x86_64";
  std::int64_t console_log_bytes = 100 * 1024;
  std::chrono::milliseconds hang_timeout{300'000};
  bool allow_metadata_faults = true;
  // Host-wide faults by operation (index: FakeOperation); nullopt: none.
  std::array<std::optional<FaultSpec>, kFakeOperationCount> faults{};
  // Names from the `unsupported` key (kUnsupportableNames), each at most once.
  std::vector<std::string> unsupported;
  // The `state_file` key: "" keeps the guests in memory only.
  std::string state_file;
  // The clock guests' CPU time and uptime run on; empty: steady_clock. Not a
  // config key: tests set a clock they move by hand instead of sleeping.
  // Called under the host's lock; must not call back into the driver.
  std::function<std::chrono::steady_clock::time_point()> clock;

  // Reads and checks a plugin table. Errors: kInvalidArgument naming the key
  // (unknown key, wrong type, out of range, malformed fault spec).
  static sdk::Result<FakeDriverConfig> from_plugin_config(const sdk::PluginConfig& config);

  // Range checks for a config built in code. Errors: kInvalidArgument.
  sdk::Status validate() const;

  // Whether `name` (one of kUnsupportableNames) is listed in `unsupported`.
  bool lacks(std::string_view name) const;
};

}  // namespace stratus::drivers::fake
