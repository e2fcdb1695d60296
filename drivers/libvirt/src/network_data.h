// network_data.json: the guest's network configuration on the config drive,
// in Nova's format (nova/virt/netutils.py get_network_metadata), which
// cloud-init and glean read:
//
//   {"links":    [{"id": "tap<port id, 11 chars>", "vif_id": <port id>,
//                  "type": "bridge" (QEMU user networking: "phy"), "mtu": <mtu>,
//                  "ethernet_mac_address": <MAC>}, ...],
//    "networks": [{"id": "network<N>", "link": <link id>, "network_id": <network id>,
//                  "type": "ipv4", "ip_address": <fixed IP>, "netmask": "255.255.255.0",
//                  "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": <gw>}],
//                  "services": []}, ...],
//    "services": []}
//
// A port on a bridge gets its fixed address, statically ("ipv4"): Stratus
// runs no DHCP server. The netmask and gateway are the host's knowledge of
// the network (`subnets.<network>` and `gateways.<network>` in
// [driver.libvirt]), since the SDK's Vif carries the address alone; a port
// whose network has no subnet configured gets its link but no network
// entry, and the guest leaves it unconfigured. A port on QEMU user
// networking gets "ipv4_dhcp": QEMU's own DHCP answers it.
#pragma once

#include <string>

#include "stratus/drivers/libvirt/libvirt_config.h"
#include "stratus/sdk/network_info.h"
#include "stratus/sdk/result.h"

namespace stratus::drivers::libvirt {

struct Ipv4Subnet {
  std::string network;  // "10.0.0.0"
  std::string netmask;  // "255.255.255.0"
  int prefix = 0;       // 24
};

// "a.b.c.d/n" (n in 0..32; host bits are cleared). Errors: kInvalidArgument naming the value.
sdk::Result<Ipv4Subnet> parse_ipv4_cidr(const std::string& cidr);

// Whether `address` is a dotted-quad IPv4 address.
bool is_ipv4_address(const std::string& address);

// The document above for `network_info` as `config` plugs it.
std::string network_data_json(const sdk::NetworkInfo& network_info, const LibvirtConfig& config);

}  // namespace stratus::drivers::libvirt
