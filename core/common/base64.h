// Strict base64 (RFC 4648, standard alphabet, with padding), as Nova checks
// user_data (Python's b64decode(validate=True)): no whitespace, no stray
// characters, length a multiple of four. Decoded by libsodium, which is
// stricter than Python in one respect: the unused bits of the last character
// must be zero ("QQ==" is "A"; "QR==" is refused, Python would take it as
// "A"). Every encoder writes them as zero, so only hand-made text differs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stratus::core::common {

// The decoded bytes, or nullopt when `text` is not strict base64.
std::optional<std::string> base64_decode_strict(std::string_view text);

}  // namespace stratus::core::common
