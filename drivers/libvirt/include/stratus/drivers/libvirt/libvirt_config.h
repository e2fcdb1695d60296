// LibvirtConfig: the settings of the libvirt driver, read from `[driver.libvirt]`.
//
// Every key has a default. Keys (docs/drivers/libvirt.md says more):
//
//   uri                       string  "qemu:///system"   libvirt connection URI;
//                                     "qemu:///embed?root=DIR" runs QEMU with no daemon
//   virt_type                 string  "qemu"             "qemu" (TCG) or "kvm"; never
//                                     guessed from what libvirt advertises
//   instances_path            string  "/var/lib/stratus/instances"
//                                     one directory per instance (disks, console log)
//   images_path               string  "" (= <instances_path>/_base)
//                                     cache of base images, one file per checksum
//   image_source_path         string  "/var/lib/stratus/images"
//                                     where image data is read from, one file per
//                                     image id (until the image service serves it)
//   cpu_mode                  string  "" (= host-model for kvm, none for qemu)
//                                     "none", "host-model", "host-passthrough", "custom"
//   cpu_model                 string  ""                 required with cpu_mode "custom"
//   network_mode              string  "bridge"           "bridge" or "user"
//   bridges.<network>         string  (none)             host bridge of a network,
//                                     by network name or id
//   subnets.<network>         string  (none)             the network's IPv4 CIDR
//                                     ("10.0.0.0/24"): the netmask network_data.json gives
//   gateways.<network>        string  (none)             its default gateway, if any
//   graphics                  string  "none"             "none", "vnc" or "spice"
//   console_log_bytes         integer 102400             bound of get_console_output
//   soft_reboot_timeout_s     integer 120                ACPI reboot wait before hard
//   clean_shutdown_timeout_s  integer 60                 ACPI power-off wait used when
//                                     the caller gives none (rebuild, power_off < 0)
//   state_poll_ms             integer 250                how often a wait re-reads state
//   qemu_img                  string  "qemu-img"         the qemu-img program
//   force_config_drive        boolean false              give every guest a config drive,
//                                     asked for or not
//   genisoimage               string  "genisoimage"      the program that makes config drives
//
// The base image cache manager (Nova's [image_cache] options):
//   remove_unused_base_images             boolean true   remove cached base images
//                                         no instance disk uses
//   remove_unused_original_minimum_age_s  integer 86400  ... once unused for this long
//                                         (at least 10)
//   image_cache_manager_interval_s        integer 2400   how often the cache is checked
//
// Unknown keys, values of the wrong type and values out of range are refused
// with kInvalidArgument naming the key.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "stratus/sdk/plugin_config.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::drivers::libvirt {

enum class NetworkMode : std::uint8_t { kBridge, kUser };

struct LibvirtConfig {
  std::string uri = "qemu:///system";
  std::string virt_type = "qemu";
  std::string instances_path = "/var/lib/stratus/instances";
  std::string images_path;  // "" -> instances_path + "/_base"
  std::string image_source_path = "/var/lib/stratus/images";
  std::string cpu_mode;     // "" -> by virt_type
  std::string cpu_model;
  NetworkMode network_mode = NetworkMode::kBridge;
  std::map<std::string, std::string> bridges;  // network name or id -> bridge
  std::map<std::string, std::string> subnets;   // network name or id -> IPv4 CIDR (network_data.json)
  std::map<std::string, std::string> gateways;  // network name or id -> IPv4 gateway (network_data.json)
  std::string graphics = "none";
  std::int64_t console_log_bytes = 100 * 1024;
  std::chrono::seconds soft_reboot_timeout{120};
  std::chrono::seconds clean_shutdown_timeout{60};
  std::chrono::milliseconds state_poll{250};
  std::string qemu_img = "qemu-img";
  bool force_config_drive = false;
  std::string genisoimage = "genisoimage";
  bool remove_unused_base_images = true;
  std::chrono::seconds remove_unused_original_minimum_age{86400};
  std::chrono::seconds image_cache_manager_interval{2400};

  // The cache directory (images_path, or its default under instances_path).
  std::string image_cache_path() const;
  // The cpu mode the guest XML uses (cpu_mode, or its default for virt_type).
  std::string effective_cpu_mode() const;

  // Reads and checks a plugin table. Errors: kInvalidArgument naming the key.
  static sdk::Result<LibvirtConfig> from_plugin_config(const sdk::PluginConfig& config);
  // The same checks for a config built in code. Errors: kInvalidArgument.
  sdk::Status validate() const;
};

}  // namespace stratus::drivers::libvirt
