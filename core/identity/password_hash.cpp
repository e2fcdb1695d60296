#include "core/identity/password_hash.h"

#include <sodium.h>

#include "core/identity/sodium_init.h"

namespace stratus::core::identity {

namespace {
constexpr std::size_t kMaxPasswordBytes = 4096;
}  // namespace

sdk::Result<std::string> hash_password(const std::string& password) {
  if (password.empty()) return sdk::Status::InvalidArgument("the password is empty");
  if (password.size() > kMaxPasswordBytes) {
    return sdk::Status::InvalidArgument("the password is longer than " + std::to_string(kMaxPasswordBytes) + " bytes");
  }
  if (!ensure_sodium()) return sdk::Status::Internal("libsodium did not initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return sdk::Status::Internal("password hashing ran out of memory");
  }
  return std::string(out);
}

bool verify_password(const std::string& stored, const std::string& password) {
  if (!ensure_sodium() || stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return false;
  if (password.size() > kMaxPasswordBytes) return false;
  return crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

void burn_password_check(const std::string& password) {
  // A fixed hash made once with the same limits; the result is thrown away.
  static const std::string decoy = [] {
    auto h = hash_password("stratus-decoy-password");
    return h.ok() ? *h : std::string();
  }();
  (void)verify_password(decoy, password);
}

}  // namespace stratus::core::identity
