#include "core/http/microversion.h"

#include <cctype>
#include <charconv>
#include <sstream>

namespace stratus::core::api {

using sdk::Result;
using sdk::Status;

namespace {

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

bool parse_int(std::string_view s, int& out) {
  if (s.empty() || s.size() > 6) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// The value for the "compute" service out of "compute 2.37, image 2.1".
std::optional<std::string> compute_entry(const std::string& header) {
  std::stringstream ss(header);
  std::string item;
  while (std::getline(ss, item, ',')) {
    std::string entry = trim(item);
    auto space = entry.find(' ');
    if (space == std::string::npos) continue;
    if (entry.substr(0, space) == "compute") return trim(entry.substr(space + 1));
  }
  return std::nullopt;
}

}  // namespace

Result<Microversion> parse_microversion(std::string_view text) {
  const std::string value = trim(text);
  auto dot = value.find('.');
  Microversion v;
  if (dot == std::string::npos || !parse_int(std::string_view(value).substr(0, dot), v.major) ||
      !parse_int(std::string_view(value).substr(dot + 1), v.minor)) {
    return Status::InvalidArgument("API Version String " + value +
                                   " is of invalid format. Must be of format MajorNum.MinorNum.");
  }
  return v;
}

Result<Microversion> negotiate_microversion(const std::optional<std::string>& openstack_api_version,
                                            const std::optional<std::string>& legacy_nova_version,
                                            Microversion min, Microversion max) {
  std::optional<std::string> requested;
  if (openstack_api_version) requested = compute_entry(*openstack_api_version);
  if (!requested && legacy_nova_version) requested = trim(*legacy_nova_version);
  if (!requested) return min;
  if (*requested == "latest") return max;
  auto v = parse_microversion(*requested);
  if (!v.ok()) return v.status();
  if (*v < min || *v > max) {
    return Status::NotSupported("Version " + v->to_string() + " is not supported by the API. Minimum is " +
                                min.to_string() + " and maximum is " + max.to_string() + ".");
  }
  return v;
}

}  // namespace stratus::core::api
