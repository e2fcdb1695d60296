// Digests (OpenSSL's EVP): MD5 and SHA-224/512 as lower-case hex, one-shot
// or streaming.
//
// MD5 serves Nova's key pair fingerprints and Glance's image "checksum";
// SHA-224 Nova's "hostId" (sha224(project_id + host)); SHA-512 Glance's
// "os_hash_value" (os_hash_algo "sha512"). None of them is used for secrets.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace stratus::core::common {

enum class DigestAlgorithm { kMd5, kSha224, kSha512 };

// A running digest: update() any number of times, then hex() once.
// Not thread-safe; owns its OpenSSL context (freed on destruction). Movable.
class Digest {
 public:
  explicit Digest(DigestAlgorithm algorithm);
  ~Digest();
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void update(std::string_view data);
  // The digest of everything given so far, in lower-case hex. Ends the
  // digest: a later update() or hex() starts over from nothing.
  std::string hex();

 private:
  struct ContextFree {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  DigestAlgorithm algorithm_;
  std::unique_ptr<evp_md_ctx_st, ContextFree> ctx_;
};

// One-shot digests of `data` in lower-case hex.
std::string md5_hex(std::string_view data);
std::string sha224_hex(std::string_view data);
std::string sha512_hex(std::string_view data);

}  // namespace stratus::core::common
