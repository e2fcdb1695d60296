// KeypairRepository: users' SSH keys (Nova's key_pairs), unique per (user, name).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
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
  explicit KeypairRepository(Scope db) : db_(db) {}

  // kAlreadyExists "Key pair 'k' already exists." (Nova's words, 409);
  // kInvalidArgument for an empty name or key. With `max_per_user` (>= 0),
  // kConflict "Quota exceeded, too many key pairs." when the user already
  // has that many: counted under the user's lock key in the insert's
  // transaction, so simultaneous creates cannot pass the limit together.
  sdk::Result<KeypairRecord> create(KeypairRecord record, std::optional<std::int64_t> max_per_user = std::nullopt);
  sdk::Result<KeypairRecord> get(const std::string& user_id, const std::string& name);
  // The user's key pairs by name.
  sdk::Result<std::vector<KeypairRecord>> list(const std::string& user_id);
  sdk::Status remove(const std::string& user_id, const std::string& name);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
