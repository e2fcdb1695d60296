// The SDK value types whose layout the build checks (value_layout_table.cpp),
// with the fingerprints the table pins, for the tests: every value type of the
// SDK headers must be among them, and the previous ABI's headers (the test
// fixture) must give the same fingerprints while that ABI is still accepted.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>

namespace stratus::core::layout {

// "Instance" -> fingerprint, "Result<std::string>" -> ...; empty when this
// standard library is not the one the table is for.
const std::map<std::string_view, std::uint64_t>& checked_value_layouts();

}  // namespace stratus::core::layout
