// Password hashing for the identity service: libsodium's crypto_pwhash_str
// (Argon2id) with the "interactive" limits, so a login costs tens of
// milliseconds and a stolen table costs an attacker as much per guess.
// The stored string carries its own salt and parameters. Thread-safe.
#pragma once

#include <string>

#include "stratus/sdk/result.h"

namespace stratus::core::identity {

// The storable hash of `password`. kInvalidArgument for an empty password
// or one over 4096 bytes; kInternal if libsodium cannot run (out of memory).
sdk::Result<std::string> hash_password(const std::string& password);

// True when `password` matches `stored` (a hash_password result). A
// malformed `stored` never matches.
bool verify_password(const std::string& stored, const std::string& password);

// Hashes `password` against nothing, as long as a real verify takes: a login
// for an unknown user does this, so timing does not tell which part was wrong.
void burn_password_check(const std::string& password);

}  // namespace stratus::core::identity
