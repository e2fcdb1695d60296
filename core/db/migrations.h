// Numbered schema migrations.
//
// The schema is an ordered list of (number, name, SQL). Opening a database
// applies the ones it has not seen, each in its own IMMEDIATE transaction
// together with its row in schema_migrations, so a crash leaves the database at
// a whole number and two processes opening at once apply each migration once.
// A database whose highest number is above what this build knows was written
// by a newer Stratus: it is refused, never touched.
//
// Never edit a released migration; add the next number.
#pragma once

#include <string>
#include <vector>

#include "stratus/sdk/status.h"

namespace stratus::core::db {

class Connection;

struct Migration {
  int number;        // 1, 2, 3 ... with no gaps
  std::string name;  // "initial schema"
  std::string sql;   // one or more statements
};

// The migrations of this build, in order.
const std::vector<Migration>& builtin_migrations();

// Brings the database up to the last of `migrations`. kInvalidState when the
// database is newer than `migrations`; kInvalidArgument when the list itself is
// not numbered 1..n; otherwise the failing migration's number, name and error.
sdk::Status migrate(Connection& conn, const std::vector<Migration>& migrations);

// The highest applied migration number (0 for a fresh database).
int schema_version(Connection& conn);

}  // namespace stratus::core::db
