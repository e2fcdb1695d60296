#include "core/db/ipv4_address.h"

#include <cstdio>

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

std::string format_ipv4(std::uint32_t ip) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xFF, (ip >> 8) & 0xFF, ip & 0xFF);
  return buf;
}

std::string Ipv4Cidr::to_string() const { return format_ipv4(network) + "/" + std::to_string(prefix); }

Result<std::uint32_t> parse_ipv4(const std::string& text) {
  std::uint32_t ip = 0;
  int parts = 0;
  std::size_t i = 0;
  while (parts < 4) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') break;
    unsigned v = 0;
    std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3) v = v * 10 + unsigned(text[i++] - '0');
    if (v > 255) break;
    ip = (ip << 8) | v;
    ++parts;
    if (parts < 4) {
      if (i >= text.size() || text[i] != '.') break;
      ++i;
    }
  }
  if (parts != 4 || i != text.size()) return Status::InvalidArgument("'" + text + "' is not an IPv4 address");
  return ip;
}

Result<Ipv4Cidr> parse_ipv4_cidr(const std::string& text) {
  auto slash = text.find('/');
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("'" + text + "' is not a usable IPv4 CIDR: " + why);
  };
  if (slash == std::string::npos) return bad("no /prefix");
  auto ip = parse_ipv4(text.substr(0, slash));
  if (!ip.ok()) return bad("bad address");
  std::string p = text.substr(slash + 1);
  if (p.empty() || p.size() > 2 || p.find_first_not_of("0123456789") != std::string::npos) return bad("bad prefix");
  int prefix = std::stoi(p);
  if (prefix < 1 || prefix > 30) return bad("prefix must be 1..30");
  Ipv4Cidr c;
  c.prefix = prefix;
  c.network = *ip & ~(0xFFFFFFFFu >> prefix);
  return c;
}

}  // namespace stratus::core::db
