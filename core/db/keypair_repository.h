// KeypairRepository: users' SSH keys (Nova's key_pairs), unique per (user, name).
#pragma once

#include <string>
#include <vector>

#include "core/db/database.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct KeypairRecord {
  std::string name;
  std::string user_id;
  std::string public_key;
  std::string fingerprint;  // computed by the API from the key ("aa:bb:..")
  std::string type = "ssh"; // "ssh" or "x509"
  std::string created_at;
};

class KeypairRepository {
 public:
  explicit KeypairRepository(Database& db) : db_(db) {}

  // kAlreadyExists "Key pair 'k' already exists." (Nova's words, 409);
  // kInvalidArgument for an empty name or key.
  sdk::Result<KeypairRecord> create(KeypairRecord record);
  sdk::Result<KeypairRecord> get(const std::string& user_id, const std::string& name);
  // The user's key pairs by name.
  sdk::Result<std::vector<KeypairRecord>> list(const std::string& user_id);
  sdk::Status remove(const std::string& user_id, const std::string& name);

 private:
  Database& db_;
};

}  // namespace stratus::core::db
