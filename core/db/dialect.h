// Dialect: the few things a SQL backend spells its own way, in one object.
//
// Repositories write portable SQL: `?` or `?N` placeholders (a backend whose
// driver wants `$N` rewrites them when it prepares), INSERT ... ON CONFLICT
// ... DO NOTHING / DO UPDATE, RETURNING instead of "last insert id", standard
// types. What cannot be written portably is asked of the connection's
// dialect(): the regex operator of the name filter, the row lock clause and
// the identity column of migrations. Nothing else in a repository may depend
// on the backend.
#pragma once

#include <string>
#include <string_view>

namespace stratus::core::db {

struct Dialect {
  // "sqlite", "postgresql": for logs and for tests that must skip a backend.
  std::string_view name;
  // The statement that starts a read-write transaction. SQLite: BEGIN
  // IMMEDIATE (take the write lock up front, so a read-then-write never fails
  // half way with SQLITE_BUSY); PostgreSQL: BEGIN (READ COMMITTED).
  std::string_view begin_write;
  // The statement that starts a read transaction (one consistent snapshot).
  std::string_view begin_read;
  // `<column> <regex_operator> <pattern>`: true when the pattern is found in
  // the column (search semantics). SQLite: REGEXP (a std::regex function the
  // backend installs); PostgreSQL: ~.
  std::string_view regex_operator;
  // Appended to a SELECT that reads rows the transaction is about to change on
  // their strength: " FOR UPDATE" where rows are locked one by one, "" where
  // the whole database is (SQLite's single writer).
  std::string_view for_update;
  // A surrogate integer primary key that the database numbers, in CREATE
  // TABLE; migrations write `{identity}`.
  std::string_view identity_column;

  // `sql` with `{identity}` replaced by identity_column (migrations' text).
  std::string expand(std::string_view sql) const;
};

}  // namespace stratus::core::db
