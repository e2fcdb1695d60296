// lock_key: serialises the writers of one logical thing (a project's quota, a
// user's key pairs) for the rest of the current transaction.
//
// A limit checked by counting rows ("at most 10 instances") cannot be a
// single conditional statement: two transactions that each count 9 and
// insert one would, under READ COMMITTED, both pass. So the counting
// transaction first upserts the row (scope, name) of lock_keys. On a backend
// with row locks the second writer waits there until the first commits, and
// its count then sees the first one's rows; on SQLite the transaction already
// holds the database's write lock and the upsert costs one statement.
#pragma once

#include <string>

#include "core/db/connection.h"
#include "stratus/sdk/status.h"

namespace stratus::core::db {

// Call inside a write transaction, before counting.
sdk::Status lock_key(Connection& conn, const std::string& scope, const std::string& name);

}  // namespace stratus::core::db
