#include "core/identity/token_codec.h"

#include <sodium.h>

#include "core/identity/sodium_init.h"

namespace stratus::core::identity {

namespace {

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMaxRandomBytes = 64;
constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

std::string random_base64(std::size_t bytes) {
  (void)ensure_sodium();
  unsigned char raw[kMaxRandomBytes];
  if (bytes > kMaxRandomBytes) bytes = kMaxRandomBytes;
  randombytes_buf(raw, bytes);
  std::string out(sodium_base64_ENCODED_LEN(bytes, kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), raw, bytes, kVariant);
  out.resize(out.size() - 1);  // the terminating NUL
  sodium_memzero(raw, sizeof raw);
  return out;
}

}  // namespace

// A token that starts with '-' reads as an option on a command line
// (`openstack token revoke -Xy...` fails): such a draw (1 in 64) is redrawn.
std::string new_token() {
  std::string token = random_base64(kTokenBytes);
  for (int draw = 0; draw < 64 && token.front() == '-'; ++draw) token = random_base64(kTokenBytes);
  if (token.front() == '-') token.front() = 'A';  // 64 draws in a row: (1/64)^64, never in practice
  return token;
}

bool is_well_formed_token(const std::string& token) {
  if (token.size() != sodium_base64_ENCODED_LEN(kTokenBytes, kVariant) - 1) return false;
  for (char c : token) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string token_hash(const std::string& token) {
  (void)ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string random_urlsafe(std::size_t bytes) { return random_base64(bytes); }

std::string new_audit_id() { return random_base64(16); }

std::string new_hex_id() {
  (void)ensure_sodium();
  unsigned char raw[16];
  randombytes_buf(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return hex;
}

}  // namespace stratus::core::identity
