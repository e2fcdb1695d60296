#include "core/conductor/block_device_info.h"

namespace stratus::core::conductor {

sdk::BlockDeviceInfo block_device_info_for(const sdk::Flavor& flavor) {
  sdk::BlockDeviceInfo bdi;
  bdi.root_device_name = "/dev/vda";
  char next = 'b';
  if (flavor.ephemeral_gb > 0) {
    bdi.ephemerals.push_back(sdk::EphemeralDisk{std::string("/dev/vd") + next, flavor.ephemeral_gb, ""});
    ++next;
  }
  if (flavor.swap_mb > 0) bdi.swap = sdk::SwapDisk{std::string("/dev/vd") + next, flavor.swap_mb};
  return bdi;
}

}  // namespace stratus::core::conductor
