// IPv4 addresses and CIDRs as numbers: parsing (with errors that name the
// bad text), formatting, and the host-address arithmetic subnets and port
// allocation are built on. Parsing and arithmetic are Boost.Asio's
// address_v4 / network_v4 (inet_pton underneath); this header keeps plain
// numbers so the repositories store and compare them as integers.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "stratus/sdk/result.h"

namespace stratus::core::db {

// An IPv4 network "10.0.0.0/24", normalised to its network address.
struct Ipv4Cidr {
  std::uint32_t network = 0;
  int prefix = 0;
  std::uint32_t broadcast() const;
  bool contains(std::uint32_t ip) const;
  // The usable host addresses: everything but the network and broadcast
  // address (a parsed CIDR has at least two).
  std::uint32_t first_host() const;
  std::uint32_t last_host() const;
  bool is_host(std::uint32_t ip) const;
  // True when the two networks share at least one address.
  bool overlaps(const Ipv4Cidr& other) const;
  std::string to_string() const;
};

// kInvalidArgument naming the text for anything that is not a.b.c.d/n with
// n <= 30 (a usable network has at least two host addresses). Host bits are
// cleared: "10.0.0.7/24" is 10.0.0.0/24.
sdk::Result<Ipv4Cidr> parse_ipv4_cidr(const std::string& text);
// Dotted decimal, exactly four parts of 0..255 without leading zeros ("010"
// is refused, as Python's ipaddress and inet_pton refuse it: it reads as
// octal elsewhere). kInvalidArgument "'<text>' is not an IPv4 address".
sdk::Result<std::uint32_t> parse_ipv4(const std::string& text);
std::string format_ipv4(std::uint32_t ip);

}  // namespace stratus::core::db
