// DriverCapabilities: what a VirtDriver can do, declared rather than probed.
//
// The API reads these to answer 501/409 before it casts anything a driver cannot
// do, and the scheduler can filter hosts on them. The mandatory operations
// (spawn, destroy, get_info, list_instances) have no flag: every driver has them.
#pragma once

#include <string>
#include <vector>

namespace stratus::sdk {

struct DriverCapabilities {
  bool supports_reboot = false;
  bool supports_power_off = false;   // and power_on
  bool supports_pause = false;       // and unpause
  bool supports_suspend = false;     // and resume
  bool supports_rebuild = false;
  bool supports_console_output = false;
  bool supports_config_drive = false;
  bool supports_direct_kernel_boot = false;
  // Image disk formats spawn accepts, e.g. {"qcow2", "raw"}. Empty: any.
  std::vector<std::string> supported_image_formats;
};

}  // namespace stratus::sdk
