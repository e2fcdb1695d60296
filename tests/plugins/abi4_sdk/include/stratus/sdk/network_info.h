// NetworkInfo: the virtual interfaces (ports) a guest is plugged into.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stratus::sdk {

struct Vif {
  std::string id;            // the port's uuid
  std::string address;       // MAC, "fa:16:3e:xx:xx:xx"
  std::string network_id;
  std::string network_name;
  std::string bridge;        // host bridge to plug into, when type is "bridge"
  std::string type = "bridge";  // "bridge", "user" (QEMU user networking), ...
  std::vector<std::string> fixed_ips;
  std::int32_t mtu = 1500;
};

using NetworkInfo = std::vector<Vif>;

}  // namespace stratus::sdk
