// The text form of sdk::DriverCapabilities in compute_nodes.capabilities: a
// JSON object with one key per flag (its name in driver_capabilities.h) and
// "supported_image_formats", e.g.
//   {"supports_reboot":true,...,"supported_image_formats":["qcow2","raw"]}
// A key the reader does not know is ignored and a missing one reads as false
// (empty), so a node of another release reads as what it said it can do.
#pragma once

#include <string>

#include <vector>

#include "stratus/sdk/driver_capabilities.h"
#include "stratus/sdk/host_resources.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

std::string capabilities_to_json(const sdk::DriverCapabilities& caps);

// kInvalidArgument when `text` is not a JSON object or a value has the wrong type.
sdk::Result<sdk::DriverCapabilities> capabilities_from_json(const std::string& text);

// compute_nodes.supported_instances: [[arch, hv_type, vm_mode], ...], what the
// ImagePropertiesFilter matches, kept so that a scheduler that loads nodes
// from the database (at start) places as it would after their next report.
std::string supported_instances_to_json(const std::vector<sdk::SupportedInstance>& instances);
// kInvalidArgument when `text` is not such a list.
sdk::Result<std::vector<sdk::SupportedInstance>> supported_instances_from_json(const std::string& text);

}  // namespace stratus::core::db
