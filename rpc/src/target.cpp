#include "stratus/rpc/target.h"

#include <charconv>

namespace stratus::rpc {
namespace {
bool parse_u32(std::string_view s, std::uint32_t& out) {
  if (s.empty() || s.size() > 9) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

Result<Version> Version::parse(std::string_view text) {
  if (text.empty()) return Version{1, 0};
  Version v;
  const auto dot = text.find('.');
  const bool ok = dot == std::string_view::npos
                      ? (parse_u32(text, v.major) && ((v.minor = 0), true))
                      : (parse_u32(text.substr(0, dot), v.major) && parse_u32(text.substr(dot + 1), v.minor));
  if (!ok) return make_error(Errc::invalid_argument, "bad version '" + std::string(text) + "' (want major.minor)");
  return v;
}

std::string Version::to_string() const { return std::to_string(major) + "." + std::to_string(minor); }

std::string Target::to_string() const {
  if (fanout) return topic + " (fanout)";
  if (server.empty()) return topic;
  return topic + "." + server;
}

}  // namespace stratus::rpc
