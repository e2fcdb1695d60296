// What an identity token is: 32 random bytes (libsodium's randombytes_buf),
// written as unpadded url-safe base64 (43 characters) so it travels in a
// header untouched. The database keeps only its SHA-256 (hex), so a token
// cannot be read back out of it. Thread-safe.
#pragma once

#include <cstddef>
#include <string>

namespace stratus::core::identity {

// A fresh random token.
std::string new_token();

// True when `token` has the shape new_token() gives (checked before any
// database look-up, so junk never reaches SQL or the hash).
bool is_well_formed_token(const std::string& token);

// The key a token is stored under: lowercase hex SHA-256.
std::string token_hash(const std::string& token);

// `bytes` random bytes (1-64) as unpadded url-safe base64: generated
// passwords and application credential secrets.
std::string random_urlsafe(std::size_t bytes);

// 16 random bytes as url-safe base64: Keystone's audit_ids.
std::string new_audit_id();

// 16 random bytes as 32 hex digits: Keystone's user, project and role ids.
std::string new_hex_id();

}  // namespace stratus::core::identity
