// The server password (Nova's nova/api/metadata/password.py): the password a
// guest encrypted with its key pair's public key and posted to the metadata
// service, kept in the instance's system metadata as four chunks of at most
// 255 characters, "password_0".."password_3". GET
// /servers/{id}/os-server-password joins them; DELETE empties them.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "stratus/sdk/result.h"

namespace stratus::core::compute {

inline constexpr std::size_t kPasswordChunks = 4;
inline constexpr std::size_t kPasswordChunkLength = 255;
// The largest password a guest may post (Nova's MAX_SIZE).
inline constexpr std::size_t kMaxPasswordSize = kPasswordChunks * kPasswordChunkLength;

// The stored password ("" when none was posted or it was cleared).
std::string extract_password(const std::map<std::string, std::string>& system_metadata);

// The system metadata that stores `password` (every chunk key, empty ones
// included, so a shorter password replaces a longer one). "" clears it.
// kInvalidArgument when longer than kMaxPasswordSize.
sdk::Result<std::map<std::string, std::string>> password_system_metadata(const std::string& password);

}  // namespace stratus::core::compute
