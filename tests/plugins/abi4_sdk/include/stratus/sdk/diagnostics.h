// Diagnostics: what a hypervisor reports about one running guest, in the
// shape of Nova's standard diagnostics (Compute API 2.48). A field a driver
// cannot measure stays empty (std::nullopt) and the API shows null for it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stratus::sdk {

struct CpuDiagnostics {
  std::int32_t id = 0;
  std::optional<std::int64_t> time_ns;      // CPU time used
  std::optional<std::int32_t> utilisation;  // percent
};

struct NicDiagnostics {
  std::string mac_address;
  std::optional<std::int64_t> rx_octets, rx_errors, rx_drop, rx_packets, rx_rate;
  std::optional<std::int64_t> tx_octets, tx_errors, tx_drop, tx_packets, tx_rate;
};

struct DiskDiagnostics {
  std::optional<std::int64_t> read_bytes, read_requests, write_bytes, write_requests, errors_count;
};

struct Diagnostics {
  std::string state;          // Nova's power state name: "running", "paused", "shutdown", ...
  std::string driver;         // "libvirt", "fake", ...
  std::string hypervisor;     // "qemu", "kvm", "fake", ...
  std::string hypervisor_os;  // "linux", ...
  std::optional<std::int64_t> uptime_s;
  bool config_drive = false;
  std::optional<std::int64_t> memory_max_mb;   // memory_details.maximum
  std::optional<std::int64_t> memory_used_mb;  // memory_details.used
  std::vector<CpuDiagnostics> cpus;
  std::vector<NicDiagnostics> nics;
  std::vector<DiskDiagnostics> disks;
};

}  // namespace stratus::sdk
