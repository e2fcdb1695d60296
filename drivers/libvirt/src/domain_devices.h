// The devices of a defined domain as its live XML names them: which target
// each disk has and which host device each interface got (libvirt picks
// "vnetN" when the domain starts), for the diagnostics' per-device counters.
#pragma once

#include <string>
#include <vector>

#include "stratus/sdk/result.h"

namespace stratus::drivers::libvirt {

struct DomainInterface {
  std::string mac;
  std::string target_dev;  // "" : none (user networking, or not running)
  std::string filter;      // the <filterref filter=...>, "" : none
};

struct DomainDevices {
  std::vector<std::string> disks;  // target devs of <disk device='disk'>, in document order
  std::vector<DomainInterface> interfaces;
};

// Errors: kInvalidArgument when `xml` is not a domain document.
sdk::Result<DomainDevices> parse_domain_devices(const std::string& xml);

}  // namespace stratus::drivers::libvirt
