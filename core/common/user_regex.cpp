#include "core/common/user_regex.h"

#include <cctype>

namespace stratus::core::common {

namespace {

// A back-reference (\1 .. \9) outside a bracket expression.
bool has_backreference(const std::string& pattern) {
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      if (!in_class && pattern[i + 1] >= '1' && pattern[i + 1] <= '9') return true;
      ++i;
    } else if (c == '[') {
      in_class = true;
    } else if (c == ']') {
      in_class = false;
    }
  }
  return false;
}

// The product of the upper (or only) bounds of every {m}, {m,}, {m,n}:
// an upper estimate of how many copies of a sub-automaton the pattern makes.
std::size_t repetition_product(const std::string& pattern) {
  std::size_t product = 1;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i] != '{') continue;
    std::size_t largest = 0;
    std::size_t current = 0;
    std::size_t j = i + 1;
    for (; j < pattern.size() && (std::isdigit(static_cast<unsigned char>(pattern[j])) || pattern[j] == ','); ++j) {
      if (pattern[j] == ',') {
        current = 0;
        continue;
      }
      current = std::min<std::size_t>(current * 10 + static_cast<std::size_t>(pattern[j] - '0'), 1u << 20);
      largest = std::max(largest, current);
    }
    if (j < pattern.size() && pattern[j] == '}') product = std::min<std::size_t>(product * std::max<std::size_t>(largest, 1), 1u << 30);
  }
  return product;
}

}  // namespace

std::regex compile_user_regex(const std::string& pattern) {
  if (pattern.size() > kLongestUserRegex || has_backreference(pattern) ||
      repetition_product(pattern) > kLargestRepetition) {
    throw std::regex_error(std::regex_constants::error_complexity);
  }
  return std::regex(pattern, std::regex::ECMAScript | std::regex_constants::__polynomial);
}

}  // namespace stratus::core::common
