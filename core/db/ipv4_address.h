// IPv4 addresses and CIDRs as numbers: parsing (with errors that name the
// bad text), formatting, and the host-address arithmetic subnets and port
// allocation are built on. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "stratus/sdk/result.h"

namespace stratus::core::db {

// An IPv4 network "10.0.0.0/24", normalised to its network address.
struct Ipv4Cidr {
  std::uint32_t network = 0;
  int prefix = 0;
  std::uint32_t broadcast() const { return prefix == 0 ? 0xFFFFFFFFu : network | (0xFFFFFFFFu >> prefix); }
  bool contains(std::uint32_t ip) const { return ip >= network && ip <= broadcast(); }
  // The usable host addresses: everything but the network and broadcast address.
  std::uint32_t first_host() const { return network + 1; }
  std::uint32_t last_host() const { return broadcast() - 1; }
  bool is_host(std::uint32_t ip) const { return ip >= first_host() && ip <= last_host(); }
  // True when the two networks share at least one address.
  bool overlaps(const Ipv4Cidr& other) const { return network <= other.broadcast() && other.network <= broadcast(); }
  std::string to_string() const;
};

// kInvalidArgument naming the text for anything that is not a.b.c.d/n with
// n <= 30 (a usable network has at least two host addresses). Host bits are
// cleared: "10.0.0.7/24" is 10.0.0.0/24.
sdk::Result<Ipv4Cidr> parse_ipv4_cidr(const std::string& text);
// kInvalidArgument "'<text>' is not an IPv4 address".
sdk::Result<std::uint32_t> parse_ipv4(const std::string& text);
std::string format_ipv4(std::uint32_t ip);

}  // namespace stratus::core::db
