// base64_decode_strict over libsodium's decoder (contract in base64.h).
#include "core/common/base64.h"

#include <sodium.h>

namespace stratus::core::common {

std::optional<std::string> base64_decode_strict(std::string_view text) {
  // libsodium asks for sodium_init() before any of its functions; it is
  // idempotent and thread-safe. Its result concerns the random source, which
  // the codec does not use, so a failure there does not stop decoding.
  [[maybe_unused]] static const int sodium_ready = sodium_init();
  std::string out(text.size() / 4 * 3, '\0');
  std::size_t len = 0;
  // No characters to ignore (whitespace is an error) and no end pointer: the
  // whole text must be base64, padding included, or the call fails.
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                        /*ignore=*/nullptr, &len, /*b64_end=*/nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

}  // namespace stratus::core::common
