// The PostgreSQL backend of the database seam (connection.h), over libpq:
// the one place that includes <libpq-fe.h>.
//
// Chosen by `[database] connection = "postgresql://user@host:port/db"`
// (Database::open). Statements are rewritten once from `?`/`?N` to `$N` and
// prepared on the server once per text and parameter types; values travel
// as text with their type (int8, float8, text; a NULL is written into the
// text as the literal NULL, which the context types).
// Errors are classified by SQLSTATE (pg_status). A connection that was lost
// is re-established by the next transaction, a bounded number of tries;
// what the lost transaction wrote is gone with it (the server rolls back).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/db/connection.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::core::db {

struct PgOptions {
  // The session's lock_timeout: how long a writer waits for another's row or
  // table lock before kUnavailable (SQLite's busy timeout).
  int lock_timeout_ms = 10000;
  // How often a lost connection is re-established before the transaction
  // that needs it fails with kUnavailable, and the first pause between tries
  // (doubled each time).
  int reconnect_attempts = 5;
  int reconnect_backoff_ms = 100;
};

// PostgreSQL's dialect: BEGIN, ~, FOR UPDATE, BIGINT identity, INTEGER and
// REAL of migrations widened to BIGINT and DOUBLE PRECISION.
const Dialect& pg_dialect();

// Whether `connection` names a PostgreSQL server (postgresql:// or postgres://).
bool is_pg_connection_string(std::string_view connection);

// Connects to `connection` (a libpq URL or key=value string).
sdk::Result<std::unique_ptr<Connection>> open_pg_connection(const std::string& connection, const PgOptions& options);

// `sql` with SQLite's `?` / `?N` placeholders as libpq's `$N`, outside
// string literals, quoted identifiers and comments. A bare `?` is one more
// than the largest number seen before it, as in SQLite. `parameters` gets the
// largest number.
struct PlaceholderSpot {
  std::size_t offset;  // of the '$' in the rewritten text
  std::size_t length;  // of "$N"
  int number;
};
std::string rewrite_placeholders(std::string_view sql, int* parameters, std::vector<PlaceholderSpot>* spots = nullptr);

// Maps a SQLSTATE to a Status as the seam asks: serialization failure,
// deadlock, lock not available, connection exceptions and server shutdown
// -> kUnavailable; unique violation -> kAlreadyExists; other integrity
// violations -> kInvalidArgument; an invalid regular expression ->
// kInvalidArgument; anything else -> kInternal. An empty SQLSTATE (libpq's
// own failures, such as a lost connection) is kUnavailable. `purpose` leads.
sdk::Status pg_status(std::string_view sqlstate, std::string_view purpose, std::string_view detail);

// A libpq URL with the password replaced by "***", for logs and messages.
std::string redact_connection_string(std::string_view connection);

}  // namespace stratus::core::db
