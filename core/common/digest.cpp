#include "core/common/digest.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace stratus::core::common {

namespace {

const EVP_MD* evp_of(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kMd5: return EVP_md5();
    case DigestAlgorithm::kSha224: return EVP_sha224();
    case DigestAlgorithm::kSha512: return EVP_sha512();
  }
  return EVP_sha512();
}

// OpenSSL fails these only when out of memory or with a broken library: a
// std::runtime_error the API server turns into a 500.
void check(int ok, const char* what) {
  if (ok != 1) throw std::runtime_error(std::string("OpenSSL ") + what + " failed");
}

std::string one_shot(DigestAlgorithm algorithm, std::string_view data) {
  Digest d(algorithm);
  d.update(data);
  return d.hex();
}

}  // namespace

void Digest::ContextFree::operator()(evp_md_ctx_st* ctx) const { EVP_MD_CTX_free(ctx); }

Digest::Digest(DigestAlgorithm algorithm) : algorithm_(algorithm), ctx_(EVP_MD_CTX_new()) {
  if (!ctx_) throw std::runtime_error("OpenSSL EVP_MD_CTX_new failed");
  check(EVP_DigestInit_ex(ctx_.get(), evp_of(algorithm_), nullptr), "EVP_DigestInit_ex");
}

Digest::~Digest() = default;
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

void Digest::update(std::string_view data) {
  if (data.empty()) return;
  check(EVP_DigestUpdate(ctx_.get(), data.data(), data.size()), "EVP_DigestUpdate");
}

std::string Digest::hex() {
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  check(EVP_DigestFinal_ex(ctx_.get(), raw, &length), "EVP_DigestFinal_ex");
  check(EVP_DigestInit_ex(ctx_.get(), evp_of(algorithm_), nullptr), "EVP_DigestInit_ex");
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[raw[i] >> 4]);
    out.push_back(kHex[raw[i] & 0x0f]);
  }
  return out;
}

std::string md5_hex(std::string_view data) { return one_shot(DigestAlgorithm::kMd5, data); }
std::string sha224_hex(std::string_view data) { return one_shot(DigestAlgorithm::kSha224, data); }
std::string sha512_hex(std::string_view data) { return one_shot(DigestAlgorithm::kSha512, data); }

}  // namespace stratus::core::common
