// The files of one instance under <instances_path>/<uuid>/, and the small
// file operations the driver does on them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "stratus/drivers/libvirt/connection.h"
#include "stratus/sdk/result.h"

namespace stratus::drivers::libvirt {

inline constexpr const char* kRootDiskFile = "disk";
inline constexpr const char* kEphemeralDiskPrefix = "disk.eph";
inline constexpr const char* kSwapDiskFile = "disk.swap";
inline constexpr const char* kKernelFile = "kernel";
inline constexpr const char* kRamdiskFile = "ramdisk";
inline constexpr const char* kConsoleLogFile = "console.log";

// Removes an instance directory on scope exit unless keep() was called: a
// failed spawn leaves no file behind, whichever step failed.
class InstanceFilesGuard {
 public:
  explicit InstanceFilesGuard(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~InstanceFilesGuard();
  InstanceFilesGuard(const InstanceFilesGuard&) = delete;
  InstanceFilesGuard& operator=(const InstanceFilesGuard&) = delete;
  void keep() { keep_ = true; }

 private:
  std::filesystem::path dir_;
  bool keep_ = false;
};

// Removes the disks (and kernel, ramdisk, config drive) of an instance, keeping its console
// log, and its ephemeral disks when `keep_ephemeral`. Best effort.
void remove_instance_disks(const std::filesystem::path& dir, bool keep_ephemeral);

// The last `max_bytes` of a file; "" when it does not exist.
// Errors: kInternal when it exists but cannot be read.
sdk::Result<std::string> read_tail(const std::filesystem::path& file, std::int64_t max_bytes);

struct DiskUsage {
  std::int64_t total_bytes = 0;
  std::int64_t used_bytes = 0;
  std::int64_t available_bytes = 0;
};
// statvfs of `path`, or of its nearest existing parent. Errors: kInternal.
sdk::Result<DiskUsage> disk_usage(const std::filesystem::path& path);

// Nova's cpu_info JSON: {"arch", "model", "vendor", "topology": {...}, "features": []}.
std::string cpu_info_json(const NodeInfo& node);

}  // namespace stratus::drivers::libvirt
