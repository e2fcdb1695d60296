// Instance: the server a driver operation is about.
//
// A driver identifies guests by `uuid` (stable for the server's life) and may use
// `name` ("instance-0000002a", unique per deployment) for hypervisor-side names.
#pragma once

#include <map>
#include <string>

#include "stratus/sdk/flavor.h"
#include "stratus/sdk/power_state.h"

namespace stratus::sdk {

struct Instance {
  std::string uuid;
  std::string name;          // hypervisor-side name, e.g. "instance-0000002a"
  std::string display_name;  // what the user called it
  std::string project_id;
  std::string user_id;
  std::string host;          // compute host it is placed on
  std::string node;          // hypervisor node name on that host
  std::string availability_zone;
  std::string image_ref;
  Flavor flavor;
  std::map<std::string, std::string> metadata;  // user metadata
  std::string user_data;     // decoded user data; may be empty
  std::string key_name;
  std::string key_data;      // public key to inject, when key_name is set
  bool config_drive = false; // the user asked for a config drive
  PowerState power_state = PowerState::kNoState;  // last known, as the core has it
};

}  // namespace stratus::sdk
