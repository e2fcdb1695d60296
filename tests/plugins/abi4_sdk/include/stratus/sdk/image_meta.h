// ImageMeta: what the image service knows of the image a server boots from.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace stratus::sdk {

struct ImageMeta {
  std::string id;
  std::string name;
  std::string disk_format;       // "qcow2", "raw", "ami", ...
  std::string container_format;  // "bare", "ami", ...
  std::string checksum;          // md5, as Glance reports it
  std::int64_t size_bytes = 0;
  std::int64_t min_ram_mb = 0;
  std::int64_t min_disk_gb = 0;
  // Glance image properties, e.g. "hw_architecture" = "x86_64",
  // "img_hv_type" = "qemu", "kernel_id", "ramdisk_id", "os_distro".
  std::map<std::string, std::string> properties;

  // The value of a property, or "" when the image does not set it.
  std::string property(const std::string& key) const {
    auto it = properties.find(key);
    return it == properties.end() ? std::string() : it->second;
  }
};

}  // namespace stratus::sdk
