#include "hypervisor_version.h"

#include <array>
#include <charconv>

namespace stratus::plugins::filters::detail {
namespace {

std::string_view trim(std::string_view s) {
  const char* blanks = " \t\n\r\f\v";
  const std::size_t first = s.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

std::optional<std::int64_t> parse_uint(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// "6000" -> 6000; "2.11" -> 2011000; "2.11.1" -> 2011001.
std::optional<std::int64_t> parse_version(std::string_view s) {
  if (s.find('.') == std::string_view::npos) return parse_uint(s);
  std::array<std::int64_t, 3> parts{0, 0, 0};
  std::size_t n = 0;
  for (;;) {
    if (n == parts.size()) return std::nullopt;
    const std::size_t dot = s.find('.');
    auto part = parse_uint(s.substr(0, dot));
    if (!part || (n > 0 && *part >= 1000) || (n == 0 && *part > 9'000'000'000'000LL)) return std::nullopt;
    parts[n++] = *part;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return parts[0] * 1'000'000 + parts[1] * 1'000 + parts[2];
}

std::optional<bool> clause_holds(std::int64_t version, std::string_view clause) {
  clause = trim(clause);
  static constexpr std::array<std::string_view, 6> kOps = {"<=", ">=", "==", "!=", "<", ">"};
  for (std::string_view op : kOps) {
    if (clause.substr(0, op.size()) != op) continue;
    auto wanted = parse_version(trim(clause.substr(op.size())));
    if (!wanted) return std::nullopt;
    if (op == "<=") return version <= *wanted;
    if (op == ">=") return version >= *wanted;
    if (op == "==") return version == *wanted;
    if (op == "!=") return version != *wanted;
    if (op == "<") return version < *wanted;
    return version > *wanted;
  }
  return std::nullopt;
}

}  // namespace

std::optional<bool> version_satisfies(std::int64_t version, std::string_view requirement) {
  if (trim(requirement).empty()) return std::nullopt;
  bool all = true;
  for (;;) {
    const std::size_t comma = requirement.find(',');
    auto holds = clause_holds(version, requirement.substr(0, comma));
    if (!holds) return std::nullopt;
    all = all && *holds;
    if (comma == std::string_view::npos) break;
    requirement.remove_prefix(comma + 1);
  }
  return all;
}

}  // namespace stratus::plugins::filters::detail
