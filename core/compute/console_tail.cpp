#include "core/compute/console_tail.h"

namespace stratus::core::compute {

std::string tail_lines(std::string_view log, std::int32_t lines) {
  if (lines <= 0 || log.empty()) return std::string(log);
  // Walk back over `lines` line ends; a trailing "\n" belongs to the last line.
  std::size_t end = log.size();
  if (log.back() == '\n') --end;
  std::size_t start = end;
  for (std::int32_t n = 0; n < lines; ++n) {
    const std::size_t nl = log.rfind('\n', start == 0 ? 0 : start - 1);
    if (start == 0 || nl == std::string_view::npos) return std::string(log);
    start = nl;
  }
  return std::string(log.substr(start + 1));
}

}  // namespace stratus::core::compute
