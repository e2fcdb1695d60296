// BlockDeviceInfo: the disks a guest gets beyond its root image.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace stratus::sdk {

struct EphemeralDisk {
  std::string device_name;   // "/dev/vdb"
  std::int64_t size_gb = 0;
  std::string guest_format;  // "ext4", "" for unformatted
};

struct SwapDisk {
  std::string device_name;
  std::int64_t size_mb = 0;
};

struct VolumeAttachment {
  std::string device_name;
  std::string volume_id;
  std::int32_t boot_index = -1;  // -1: not bootable
  std::map<std::string, std::string> connection_info;
};

struct BlockDeviceInfo {
  std::string root_device_name = "/dev/vda";
  std::vector<EphemeralDisk> ephemerals;
  std::optional<SwapDisk> swap;
  std::vector<VolumeAttachment> volumes;
};

}  // namespace stratus::sdk
