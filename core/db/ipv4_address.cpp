// IPv4 parsing and arithmetic over Boost.Asio (contract in ipv4_address.h).
#include "core/db/ipv4_address.h"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/network_v4.hpp>

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;
namespace ip = boost::asio::ip;

namespace {

ip::network_v4 as_network(const Ipv4Cidr& c) {
  return ip::network_v4(ip::address_v4(c.network), static_cast<unsigned short>(c.prefix));
}

}  // namespace

std::string format_ipv4(std::uint32_t ip) { return ip::address_v4(ip).to_string(); }

std::uint32_t Ipv4Cidr::broadcast() const { return as_network(*this).broadcast().to_uint(); }

bool Ipv4Cidr::contains(std::uint32_t ip) const {
  // An address is in the network when masking it to this prefix gives the network.
  return ip::network_v4(ip::address_v4(ip), static_cast<unsigned short>(prefix)).network().to_uint() == network;
}

std::uint32_t Ipv4Cidr::first_host() const { return as_network(*this).hosts().begin()->to_uint(); }

std::uint32_t Ipv4Cidr::last_host() const {
  // Asio's address iterator says it is an input iterator, so no std::prev;
  // its operator-- is what steps back from the end.
  auto end = as_network(*this).hosts().end();
  return (--end)->to_uint();
}

bool Ipv4Cidr::is_host(std::uint32_t ip) const {
  const auto hosts = as_network(*this).hosts();
  return hosts.find(ip::address_v4(ip)) != hosts.end();
}

bool Ipv4Cidr::overlaps(const Ipv4Cidr& other) const {
  // Two CIDR blocks share an address exactly when one holds the other.
  const auto mine = as_network(*this).canonical();
  const auto theirs = as_network(other).canonical();
  return mine == theirs || mine.is_subnet_of(theirs) || theirs.is_subnet_of(mine);
}

std::string Ipv4Cidr::to_string() const { return as_network(*this).canonical().to_string(); }

Result<std::uint32_t> parse_ipv4(const std::string& text) {
  auto bad = [&] { return Status::InvalidArgument("'" + text + "' is not an IPv4 address"); };
  // make_address_v4 reads a C string: a NUL inside would end the text early.
  if (text.find('\0') != std::string::npos) return bad();
  boost::system::error_code ec;
  const ip::address_v4 address = ip::make_address_v4(text, ec);
  if (ec) return bad();
  return address.to_uint();
}

Result<Ipv4Cidr> parse_ipv4_cidr(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("'" + text + "' is not a usable IPv4 CIDR: " + why);
  };
  const auto slash = text.find('/');
  if (slash == std::string::npos) return bad("no /prefix");
  auto address = parse_ipv4(text.substr(0, slash));
  if (!address.ok()) return bad("bad address");
  // The prefix is read here, not by make_network_v4: Boost 1.74 reads it with
  // atoi, so "/4294967320" would wrap around to /24.
  const std::string p = text.substr(slash + 1);
  if (p.empty() || p.size() > 2 || p.find_first_not_of("0123456789") != std::string::npos) return bad("bad prefix");
  const int prefix = std::stoi(p);
  if (prefix < 1 || prefix > 30) return bad("prefix must be 1..30");
  const auto network = ip::network_v4(ip::address_v4(*address), static_cast<unsigned short>(prefix)).canonical();
  Ipv4Cidr c;
  c.network = network.address().to_uint();
  c.prefix = network.prefix_length();
  return c;
}

}  // namespace stratus::core::db
