// The last lines of a console log, for get_console_output's tail_length
// (Nova's os-getConsoleOutput "length").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stratus::core::compute {

// Nova's _tail_log: the last `lines` pieces of `log` split on "\n", joined
// again (so a final "\n" leaves an empty last piece, which counts: tempest
// asks for 3 and counts output.split('\n')); the whole log when lines <= 0
// (RPC's "all") or the log has fewer pieces.
std::string tail_lines(std::string_view log, std::int32_t lines);

}  // namespace stratus::core::compute
