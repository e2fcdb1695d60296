#include "core/db/lock_key.h"

namespace stratus::core::db {

sdk::Status lock_key(Connection& conn, const std::string& scope, const std::string& name) {
  return conn.exec("lock " + scope + " " + name,
                   "INSERT INTO lock_keys(scope, name, bumps) VALUES (?, ?, 1) "
                   "ON CONFLICT(scope, name) DO UPDATE SET bumps = lock_keys.bumps + 1",
                   scope, name);
}

}  // namespace stratus::core::db
