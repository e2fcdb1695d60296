// A regular expression a client sent (Nova's `name` and `ip` server list
// filters), compiled so that matching it is bounded in time and stack.
//
// Why: std::regex's default (depth-first, backtracking) matcher takes
// exponential time on patterns like "(a*)*b" (a server named "aaaaaaaaaaaaaaaaaaa"
// and ?name=(a*)*b held an API thread, and the database read it ran in, for
// ever) and recurses once per character of the subject. libstdc++ has a
// breadth-first matcher, linear in the subject and without that recursion,
// that it uses when the pattern is compiled with its `__polynomial` flag and
// has no back-references. So a client's pattern is compiled with that flag,
// and refused (std::regex_error, error_complexity) when it cannot use it or
// its automaton would be large: a back-reference, more than
// kLongestUserRegex bytes, or counted repetitions ({n}) whose bounds multiply
// past kLargestRepetition.
#pragma once

#include <cstddef>
#include <regex>
#include <string>

namespace stratus::core::common {

inline constexpr std::size_t kLongestUserRegex = 255;
inline constexpr std::size_t kLargestRepetition = 1024;

// ECMAScript syntax; throws std::regex_error for a bad or refused pattern.
std::regex compile_user_regex(const std::string& pattern);

}  // namespace stratus::core::common
