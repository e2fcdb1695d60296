// The SQLite backend of the database seam (connection.h): the one place that
// includes <sqlite3.h>.
//
// Every connection gets WAL (a read-only one finds it set), synchronous=NORMAL,
// foreign keys, a busy timeout and a REGEXP function (std::regex ECMAScript,
// search semantics, compiled once per statement). Statements are cached per
// connection by their text.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/db/connection.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::core::db {

struct SqliteOptions {
  int busy_timeout_ms = 5000;
  // Opened read-only, for read transactions beside the writer: the file must
  // exist in WAL mode already (the writer's connection made it so); a write
  // on it fails with SQLITE_READONLY.
  bool read_only = false;
};

// SQLite's dialect: BEGIN IMMEDIATE, REGEXP, no row locks, INTEGER PRIMARY
// KEY AUTOINCREMENT.
const Dialect& sqlite_dialect();

// Opens (creating if needed, unless read_only) the SQLite file at `path`.
sdk::Result<std::unique_ptr<Connection>> open_sqlite_connection(const std::string& path, const SqliteOptions& options);

// Maps a SQLite (extended) result code to a Status: SQLITE_BUSY/LOCKED ->
// kUnavailable, UNIQUE/PRIMARY KEY constraint -> kAlreadyExists, other
// constraints -> kInvalidArgument, anything else -> kInternal. `purpose` leads
// the message.
sdk::Status sqlite_status(int rc, std::string_view purpose, std::string_view detail);

}  // namespace stratus::core::db
