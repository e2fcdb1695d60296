#include "core/compute/console_tail.h"

namespace stratus::core::compute {

std::string tail_lines(std::string_view log, std::int32_t lines) {
  // 0 is "all" on the wire (compute RPC's tail_length); the API answers
  // Nova's length 0 with "" itself.
  if (lines <= 0) return std::string(log);
  // Nova's _tail_log: the last `lines` pieces of log.split('\n'), joined by
  // '\n'; a trailing "\n" leaves an empty last piece, which counts.
  std::size_t start = log.size();
  for (std::int32_t n = 0; n < lines; ++n) {
    if (start == 0) return std::string(log);
    const std::size_t nl = log.rfind('\n', start - 1);
    if (nl == std::string_view::npos) return std::string(log);
    if (n + 1 == lines) return std::string(log.substr(nl + 1));
    start = nl;
  }
  return std::string(log);
}

}  // namespace stratus::core::compute
