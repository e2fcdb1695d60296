// extra_specs_ops: Nova's little language for matching a flavor extra spec
// against a value the host offers (an aggregate metadata value).
//
// `requirement` is split on whitespace; if its first word is an operator the
// rest are its operands, otherwise the value must equal the requirement
// exactly, spaces and all:
//
//   "=" N        numeric value >= N (Nova's odd historical meaning)
//   "==" N       numeric value == N        "!=" N   numeric value != N
//   ">=" N       numeric value >= N        "<=" N   numeric value <= N
//   "s==" S      string equal              "s!=" S  string not equal
//   "s<" "s<=" "s>" "s>=" S                byte-wise string order
//   "<in>" S     S is a substring of the value
//   "<all-in>" S1 S2 ...                   every Si is a substring of the value
//   "<or>" A "<or>" B ...                  the value equals one of A, B, ...
//
// An operator without an operand, or a numeric operator where the value or the
// operand is not a number, does not match (the host cannot show it qualifies).
//
// Thread-safety: a pure function.
#pragma once

#include <string_view>

namespace stratus::plugins::filters {

bool extra_specs_match(std::string_view value, std::string_view requirement);

}  // namespace stratus::plugins::filters
