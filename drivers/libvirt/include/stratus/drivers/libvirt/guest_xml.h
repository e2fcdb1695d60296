// GuestConfig and its libvirt domain XML.
//
// GuestConfig is everything the XML says, decided by the driver (which disks,
// which bridge, which CPU mode); build_guest_xml only writes it, with libxml2's
// xmlTextWriter escaping every value (an instance called a'<b>& stays a name,
// never markup). A value XML 1.0 cannot carry (invalid UTF-8, a control
// character other than tab, newline and carriage return) is refused, never
// altered. The document:
//
//   <domain type=virt_type>  name, uuid, <metadata> with <stratus:instance>
//   (uuid, display name, creation time, flavor, owner, root image) in
//   kMetadataNamespace, memory, vcpu, <os> (direct kernel boot when a kernel is
//   given, else boot from disk), <features><acpi/> (without ACPI a guest
//   ignores power-off requests), <cpu> by mode, virtio disks, the config drive
//   as a read-only IDE cdrom (the guest's /dev/sr0) when there is one, one <interface>
//   per port (bridge with its MAC and its <filterref> when it has a filter, or
//   QEMU user networking), a serial port
//   and console writing to the per-instance log file, and <graphics> only when
//   configured.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stratus/sdk/result.h"

namespace stratus::drivers::libvirt {

// The namespace of Stratus' metadata element. list_instances recognises the
// domains Stratus manages by it, as Nova's is recognised by its own.
inline constexpr const char* kMetadataNamespace = "urn:stratus:libvirt:instance:1.0";
inline constexpr const char* kMetadataPrefix = "stratus";

struct GuestDisk {
  std::string path;
  std::string format = "qcow2";
  std::string target_dev;  // "vda", "vdb", ...
};

struct GuestInterface {
  bool user_networking = false;  // QEMU user-mode (slirp) instead of a bridge
  std::string mac;
  std::string bridge;
  std::int32_t mtu = 0;          // 0: not set; ignored with user networking
  // The network filter (security groups) the interface enforces: a
  // <filterref filter=...> with one IP parameter per address; "" : none.
  // Bridges only: libvirt filters no user-mode interface.
  std::string filter{};
  std::vector<std::string> filter_ips{};
};

struct GuestMetadata {
  std::string uuid;
  std::string display_name;
  std::string creation_time;  // "YYYY-MM-DD HH:MM:SS", UTC, as Nova writes it
  std::string flavor_id;
  std::string flavor_name;
  std::int64_t memory_mb = 0;
  std::int64_t root_gb = 0;
  std::int64_t ephemeral_gb = 0;
  std::int64_t swap_mb = 0;
  std::int32_t vcpus = 0;
  std::string user_id;
  std::string project_id;
  std::string image_id;
};

struct GuestConfig {
  std::string virt_type = "qemu";  // <domain type=...>: "qemu" or "kvm"
  std::string name;
  std::string uuid;
  std::int64_t memory_mb = 0;
  std::int32_t vcpus = 1;
  std::string cpu_mode = "none";   // "none" writes no <cpu>
  std::string cpu_model;           // for "custom"
  std::string kernel_path;         // direct kernel boot when non-empty
  std::string ramdisk_path;
  std::string kernel_cmdline;
  std::vector<GuestDisk> disks;
  std::string config_drive_path;   // the config drive ISO; "" when there is none
  std::string console_log_path;
  std::vector<GuestInterface> interfaces;
  std::string graphics = "none";   // "none", "vnc", "spice"
  GuestMetadata metadata;
};

// The domain XML. Errors: kInvalidArgument when the config is unusable (no
// name, uuid or memory; an interface without a MAC or bridge) or a value
// cannot be written as XML (the message names the element or attribute and
// the byte); kInternal for a bug in the writing itself.
sdk::Result<std::string> build_guest_xml(const GuestConfig& config);

// One <interface> element alone, as build_guest_xml writes it inside
// <devices>: the device XML virDomainAttachDeviceFlags and
// virDomainDetachDeviceFlags take (a hot-plugged port). Errors as above.
sdk::Result<std::string> build_interface_xml(const GuestInterface& nic);

}  // namespace stratus::drivers::libvirt
