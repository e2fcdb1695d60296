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
  // The column types migrations write as INTEGER and REAL. SQLite: the same
  // words (its affinities hold any size); PostgreSQL: BIGINT and DOUBLE
  // PRECISION, since its INTEGER and REAL are 4 bytes (an IPv4 address as a
  // number, an image's size or an allocation ratio would not fit or round).
  std::string_view integer_type = "INTEGER";
  std::string_view real_type = "REAL";
  // Expressions for data migrations: a random version-4 UUID as text
  // (`{random_uuid}`) and 32 random lower-case hex digits (`{random_hex32}`).
  std::string_view random_uuid;
  std::string_view random_hex32;
  // Run right after a migration's begin_write so that two processes opening
  // a fresh database at once apply each migration once: empty where
  // begin_write already takes the whole database (SQLite), an advisory
  // transaction lock on PostgreSQL.
  std::string_view migration_lock;

  // Migrations' text for this backend: `{identity}`, `{random_uuid}` and
  // `{random_hex32}` replaced, and the words INTEGER and REAL (upper case,
  // outside quotes and comments) as integer_type and real_type. For SQLite
  // only the placeholders change, so its schema is what it always was.
  std::string expand(std::string_view sql) const;
};

}  // namespace stratus::core::db
