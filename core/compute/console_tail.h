// The last lines of a console log, for get_console_output's tail_length
// (Nova's os-getConsoleOutput "length").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stratus::core::compute {

// The last `lines` lines of `log` (a final "\n" ends the last line, it does
// not start an empty one); the whole log when lines <= 0 or the log has no
// more lines than that.
std::string tail_lines(std::string_view log, std::int32_t lines);

}  // namespace stratus::core::compute
