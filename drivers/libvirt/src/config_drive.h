// The config drive: an ISO9660 image labelled "config-2" in the OpenStack
// metadata layout, attached to a guest as a read-only cdrom, through which
// cloud-init (or any guest agent) finds its metadata and user data without a
// metadata service. The ISO holds, under openstack/latest/ and openstack/2012-08-10/:
//
//   meta_data.json  {"uuid", "name", "hostname", "launch_index": 0,
//                    "availability_zone", "project_id", "meta": {server metadata},
//                    "public_keys": {key name: key} (only with a key pair),
//                    "admin_pass": the admin password (only with one),
//                    "files": [{"path": guest path, "content_path": "/content/0000"}]
//                             (only with personality files)}
//   user_data       the decoded user data, byte for byte (only when there is some)
//   network_data.json  the ports' links and addresses (network_data.h; latest/ only,
//                   as Nova writes it only for versions after 2015-10-15)
//
// and, as Nova lays them out, each personality file's contents under
// openstack/content/NNNN (0000, 0001, ... in the order given).
//
// The image is made by genisoimage (Debian's mkisofs) from a staging directory
// that is removed afterwards, whatever happens.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "stratus/sdk/instance.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/virt_driver.h"

namespace stratus::drivers::libvirt {

inline constexpr const char* kConfigDriveFile = "disk.config";
inline constexpr const char* kConfigDriveLabel = "config-2";

// What a spawn or rebuild asks to write into the guest.
struct ConfigDriveInjection {
  sdk::InjectedFiles files;    // guest path, contents
  std::string admin_password;  // "" : none
  std::string network_data{};  // network_data.json (network_data.h), in openstack/latest/; "" : none
};

// The files of the drive: path inside the ISO ("openstack/latest/user_data") -> contents.
std::map<std::string, std::string> config_drive_files(const sdk::Instance& instance,
                                                      const ConfigDriveInjection& injection = {});

// meta_data.json for `instance`, as described above.
std::string config_drive_meta_data(const sdk::Instance& instance, const ConfigDriveInjection& injection = {});

// Nova's hostname from a display name: lower case, spaces and underscores to
// '-', other characters outside [a-z0-9.-] dropped, no leading or trailing
// '-' or '.', at most 63 characters; "server-<uuid>" when nothing is left.
std::string config_drive_hostname(const sdk::Instance& instance);

// Writes the ISO to `iso` with the program `genisoimage`; on failure no ISO
// is left. Errors: kTimeout, kInternal (no such program, the staging files
// could not be written, or the program failed: the message says which).
sdk::Status make_config_drive(const sdk::Instance& instance, const std::filesystem::path& iso,
                              const std::string& genisoimage,
                              std::chrono::milliseconds timeout = std::chrono::seconds(60),
                              const ConfigDriveInjection& injection = {});

}  // namespace stratus::drivers::libvirt
