// Security groups as libvirt nwfilter XML (contract in nwfilter_xml.h).
#include "nwfilter_xml.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>

#include "xml_writer.h"

namespace stratus::drivers::libvirt {

namespace {

using sdk::Status;

bool uuid_like(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : std::isxdigit(static_cast<unsigned char>(s[i])) == 0) return false;
  }
  return true;
}

// The filter's uuid. libvirt refuses to redefine a filter under a different
// uuid, so it must be the same every time: the port's own uuid, or one
// derived from the name (FNV-1a, two seeds) for ids that are not uuids.
std::string filter_uuid(const std::string& port_id) {
  if (uuid_like(port_id)) return port_id;
  auto fnv = [&](std::uint64_t h) {
    for (unsigned char c : port_id) h = (h ^ c) * 1099511628211ULL;
    return h;
  };
  const std::uint64_t a = fnv(14695981039346656037ULL), b = fnv(1469598103934665603ULL);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(0x4000 | (a & 0x0fff)),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

struct Prefix {
  std::string address;
  int length = 0;
};

// "10.0.0.0/24" -> {10.0.0.0, 24}; an address alone is a host prefix.
std::optional<Prefix> parse_prefix(const std::string& cidr, bool v6) {
  const auto slash = cidr.find('/');
  Prefix p;
  p.address = cidr.substr(0, slash);
  const int max = v6 ? 128 : 32;
  p.length = max;
  if (slash != std::string::npos) {
    const std::string len = cidr.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(len.data(), len.data() + len.size(), p.length);
    if (ec != std::errc() || ptr != len.data() + len.size() || len.empty() || p.length < 0 || p.length > max) {
      return std::nullopt;
    }
  }
  unsigned char buf[16];
  if (inet_pton(v6 ? AF_INET6 : AF_INET, p.address.c_str(), buf) != 1) return std::nullopt;
  return p;
}

// The nwfilter protocol element for a rule's protocol, or "" when libvirt
// has none for it.
std::string protocol_element(const std::string& protocol, bool v6) {
  if (protocol.empty() || protocol == "any") return v6 ? "all-ipv6" : "all";
  if (protocol == "tcp" || protocol == "6") return v6 ? "tcp-ipv6" : "tcp";
  if (protocol == "udp" || protocol == "17") return v6 ? "udp-ipv6" : "udp";
  if (protocol == "icmp" || protocol == "1") return v6 ? "icmpv6" : "icmp";
  if ((protocol == "ipv6-icmp" || protocol == "icmpv6" || protocol == "58") && v6) return "icmpv6";
  return "";
}

void accept_rule(XmlWriter& w, const char* direction, int priority) {
  w.open("rule").attr("action", "accept").attr("direction", direction).attr("priority", std::to_string(priority));
}

}  // namespace

std::string nwfilter_name(const std::string& port_id) { return kNwfilterPrefix + port_id; }

sdk::Result<std::string> build_nwfilter_xml(const sdk::PortSecurity& port) {
  if (port.port_id.empty()) return Status::InvalidArgument("security groups of a port without id");
  XmlWriter w;
  w.open("filter").attr("name", nwfilter_name(port.port_id)).attr("chain", "root");
  w.element("uuid", filter_uuid(port.port_id));
  if (!port.port_security_enabled) {
    w.close();
    return w.finish();
  }
  for (const char* base : {"no-mac-spoofing", "no-ip-spoofing", "no-arp-spoofing"}) {
    w.open("filterref").attr("filter", base).close();
  }
  // DHCP, whatever the groups say.
  accept_rule(w, "out", 100);
  w.open("udp").attr("srcportstart", "68").attr("dstportstart", "67").close().close();
  accept_rule(w, "in", 100);
  w.open("udp").attr("srcportstart", "67").attr("dstportstart", "68").close().close();
  // IPv6 neighbour discovery (router/neighbour solicitation and advertisement).
  for (int type = 133; type <= 136; ++type) {
    accept_rule(w, "inout", 100);
    w.open("icmpv6").attr("type", std::to_string(type)).close().close();
  }

  for (const sdk::SecurityGroupRule& r : port.rules) {
    const std::string who = "port " + port.port_id + ", rule " + r.id + ": ";
    bool in = false;
    if (r.direction == "ingress") {
      in = true;
    } else if (r.direction != "egress") {
      return Status::InvalidArgument(who + "direction '" + r.direction + "' is neither ingress nor egress");
    }
    bool v6 = false;
    if (r.ethertype == "IPv6") {
      v6 = true;
    } else if (r.ethertype != "IPv4") {
      return Status::InvalidArgument(who + "ethertype '" + r.ethertype + "' is neither IPv4 nor IPv6");
    }
    const std::string element = protocol_element(r.protocol, v6);
    if (element.empty()) {
      return Status::InvalidArgument(who + "protocol '" + r.protocol + "' cannot be filtered by libvirt (" +
                                     (v6 ? "IPv6" : "IPv4") + ")");
    }
    const bool ports = element.rfind("tcp", 0) == 0 || element.rfind("udp", 0) == 0;
    const bool icmp = element.rfind("icmp", 0) == 0;
    if (ports) {
      const bool any = r.port_range_min < 0 && r.port_range_max < 0;
      if (!any && (r.port_range_min < 0 || r.port_range_min > 65535 || r.port_range_max > 65535 ||
                   (r.port_range_max >= 0 && r.port_range_max < r.port_range_min))) {
        return Status::InvalidArgument(who + "port range " + std::to_string(r.port_range_min) + ".." +
                                       std::to_string(r.port_range_max) + " is not within 0..65535");
      }
    } else if (icmp && (r.port_range_min > 255 || r.port_range_max > 255)) {
      return Status::InvalidArgument(who + "icmp type/code above 255");
    }
    std::optional<Prefix> prefix;
    if (!r.remote_ip_prefix.empty()) {
      prefix = parse_prefix(r.remote_ip_prefix, v6);
      if (!prefix) {
        return Status::InvalidArgument(who + "remote prefix '" + r.remote_ip_prefix + "' is not an " +
                                       (v6 ? "IPv6" : "IPv4") + " CIDR");
      }
    }
    accept_rule(w, in ? "in" : "out", 500);
    w.open(element);
    if (prefix) {
      // The remote end: the source of what comes in, the destination of what goes out.
      w.attr(in ? "srcipaddr" : "dstipaddr", prefix->address);
      w.attr(in ? "srcipmask" : "dstipmask", std::to_string(prefix->length));
    }
    if (ports && r.port_range_min >= 0) {
      w.attr("dstportstart", std::to_string(r.port_range_min));
      w.attr("dstportend", std::to_string(r.port_range_max >= 0 ? r.port_range_max : r.port_range_min));
    }
    if (icmp) {
      if (r.port_range_min >= 0) w.attr("type", std::to_string(r.port_range_min));
      if (r.port_range_min >= 0 && r.port_range_max >= 0) w.attr("code", std::to_string(r.port_range_max));
    }
    w.close().close();
  }

  for (const char* all : {"all", "all-ipv6"}) {
    w.open("rule").attr("action", "drop").attr("direction", "inout").attr("priority", "1000");
    w.open(all).close().close();
  }
  w.close();  // filter
  return w.finish();
}

}  // namespace stratus::drivers::libvirt
