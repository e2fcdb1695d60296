// DriverRequirements: what a boot request needs of a host's virt driver, read
// from its RequestSpec, and checked against each host's DriverCapabilities
// before any filter runs (forced hosts included: a driver that cannot do a
// thing cannot do it for an admin either).
//
//   image disk_format      in supported_image_formats (an empty list: any)
//   kernel_id / ramdisk_id image properties: supports_direct_kernel_boot
//   img_config_drive = "mandatory" (Nova's image property; the API also sets
//       it in the spec when the user asks for config_drive): supports_config_drive
#pragma once

#include <optional>
#include <string>

#include "stratus/sdk/driver_capabilities.h"
#include "stratus/sdk/request_spec.h"

namespace stratus::core::scheduler {

// The first need of `spec` that `caps` does not meet, named for the
// NoValidHost reason ("config drive", "direct kernel boot", "image disk
// format 'vmdk'"); nullopt when the driver can do all of it.
std::optional<std::string> unmet_driver_requirement(const sdk::DriverCapabilities& caps,
                                                    const sdk::RequestSpec& spec);

}  // namespace stratus::core::scheduler
