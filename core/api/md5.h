// MD5 (RFC 1321), for Nova's key pair fingerprints only ("aa:bb:.." of the
// decoded public key blob, as `ssh-keygen -l -E md5` prints). Not for
// anything that needs collision resistance.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace stratus::core::api {

// The 16-byte digest of `data`.
std::array<std::uint8_t, 16> md5(std::string_view data);

// The digest as 32 lower-case hex digits.
std::string md5_hex(std::string_view data);

}  // namespace stratus::core::api
