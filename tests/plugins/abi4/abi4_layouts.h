// The layout fingerprints (core/plugin/value_layout.h) of the value types as
// ABI 4's own headers (tests/plugins/abi4_sdk) lay them out, by the names of
// core/plugin/value_layout_table.h.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace stratus::test {

std::map<std::string, std::uint64_t> abi4_value_layouts();

}  // namespace stratus::test
