// The block devices a flavor gives an instance beyond its root disk (Nova's
// default ephemeral and swap BDMs), as the driver receives them.
#pragma once

#include "stratus/sdk/block_device_info.h"
#include "stratus/sdk/flavor.h"

namespace stratus::core::conductor {

// Root on /dev/vda; the flavor's ephemeral disk (if any) on /dev/vdb
// (unformatted: the driver picks the format); swap (if any) on the next
// device. Pure.
sdk::BlockDeviceInfo block_device_info_for(const sdk::Flavor& flavor);

}  // namespace stratus::core::conductor
