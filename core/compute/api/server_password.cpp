#include "core/compute/api/server_password.h"

namespace stratus::core::compute {

namespace {
std::string chunk_key(std::size_t i) { return "password_" + std::to_string(i); }
}  // namespace

std::string extract_password(const std::map<std::string, std::string>& system_metadata) {
  std::string out;
  for (std::size_t i = 0; i < kPasswordChunks; ++i) {
    auto it = system_metadata.find(chunk_key(i));
    if (it != system_metadata.end()) out += it->second;
  }
  return out;
}

sdk::Result<std::map<std::string, std::string>> password_system_metadata(const std::string& password) {
  if (password.size() > kMaxPasswordSize) {
    return sdk::Status::InvalidArgument("Request is too large.");
  }
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < kPasswordChunks; ++i) {
    const std::size_t at = i * kPasswordChunkLength;
    out[chunk_key(i)] = at < password.size() ? password.substr(at, kPasswordChunkLength) : std::string();
  }
  return out;
}

}  // namespace stratus::core::compute
