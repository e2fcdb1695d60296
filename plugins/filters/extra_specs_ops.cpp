// Nova's extra_specs_ops.match, operator for operator.
#include "stratus/plugins/filters/extra_specs_ops.h"

#include <charconv>
#include <optional>
#include <string>
#include <vector>

namespace stratus::plugins::filters {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Python's str.split(): runs of whitespace separate words; no empty words.
std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    std::size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

// Python's float() for the forms an operator writes: surrounding blanks and a
// leading '+' allowed, nothing else after the number. Locale-independent.
std::optional<double> parse_number(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

template <typename Compare>
bool numeric(std::string_view value, std::string_view operand, Compare compare) {
  auto a = parse_number(value);
  auto b = parse_number(operand);
  return a && b && compare(*a, *b);
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

bool extra_specs_match(std::string_view value, std::string_view requirement) {
  const std::vector<std::string_view> words = split_words(requirement);
  if (words.empty()) return value == requirement;
  const std::string_view op = words.front();
  const std::size_t operands = words.size() - 1;

  if (op == "<or>") {  // <or> a <or> b <or> c
    for (std::size_t i = 1; i < words.size(); i += 2) {
      if (words[i] == value) return true;
    }
    return false;
  }
  if (op == "<all-in>") {
    if (operands == 0) return false;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (!contains(value, words[i])) return false;
    }
    return true;
  }

  enum class Kind { kNone, kNumeric, kString, kIn };
  Kind kind = Kind::kNone;
  if (op == "=" || op == "==" || op == "!=" || op == ">=" || op == "<=") kind = Kind::kNumeric;
  if (op == "s==" || op == "s!=" || op == "s<" || op == "s<=" || op == "s>" || op == "s>=") kind = Kind::kString;
  if (op == "<in>") kind = Kind::kIn;
  // Not an operator: the whole requirement is the literal value.
  if (kind == Kind::kNone) return value == requirement;
  if (operands == 0) return false;
  const std::string_view x = words[1];

  switch (kind) {
    case Kind::kNumeric:
      // "=" means "at least", as it always has in Nova.
      if (op == "=" || op == ">=") return numeric(value, x, [](double a, double b) { return a >= b; });
      if (op == "==") return numeric(value, x, [](double a, double b) { return a == b; });
      if (op == "!=") return numeric(value, x, [](double a, double b) { return a != b; });
      return numeric(value, x, [](double a, double b) { return a <= b; });
    case Kind::kString:
      if (op == "s==") return value == x;
      if (op == "s!=") return value != x;
      if (op == "s<") return value < x;
      if (op == "s<=") return value <= x;
      if (op == "s>") return value > x;
      return value >= x;
    case Kind::kIn:
      return contains(value, x);
    case Kind::kNone:
      break;
  }
  return false;
}

}  // namespace stratus::plugins::filters
