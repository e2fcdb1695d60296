// SystemMetadataRepository: an instance's system metadata (Nova's
// instance_system_metadata), key/value pairs the core keeps for an instance
// that users neither see nor set through the metadata API: the server
// password's chunks ("password_0".."password_3") first.
#pragma once

#include <map>
#include <string>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

class SystemMetadataRepository {
 public:
  explicit SystemMetadataRepository(Scope db) : db_(db) {}

  // Every pair of the instance (empty when it has none). Does not check that
  // the instance exists.
  sdk::Result<std::map<std::string, std::string>> get(const std::string& instance_uuid);
  // Sets (inserts or replaces) the given keys, leaving the others, in one
  // transaction. kNotFound for an unknown or deleted instance.
  sdk::Status update(const std::string& instance_uuid, const std::map<std::string, std::string>& pairs);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
