// RAII handles for SQLite: a Connection owns a sqlite3*, a Statement owns (or
// borrows from the connection's cache) a sqlite3_stmt*.
//
// Every failure is a sdk::Status whose message names what the statement was for
// ("look up flavor 42") and what SQLite said; no exception leaves this layer.
// Neither type is thread-safe: a Connection and its Statements belong to one
// thread at a time (Database puts a mutex in front of its connection).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::core::db {

class Connection;

// Maps a SQLite result code to a Status: SQLITE_BUSY/LOCKED -> kUnavailable,
// UNIQUE/PRIMARY KEY constraint -> kAlreadyExists, other constraints ->
// kInvalidArgument, anything else -> kInternal. `purpose` leads the message.
sdk::Status sqlite_status(int rc, std::string_view purpose, std::string_view detail);

// A prepared statement. Bind by 1-based position; values are bound with the
// SQLite type of their C++ type (std::nullopt binds NULL). A bind error is kept
// and reported by the next step(), so binds can be chained without checks.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::nullopt_t);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
  }

  // Binds args to positions 1..n.
  template <typename... Args>
  Statement& bind_all(const Args&... args) {
    int i = 0;
    (bind(++i, args), ...);
    return *this;
  }

  // true: a row is ready for the column getters; false: done.
  sdk::Result<bool> step();
  // Steps to the end (for statements that return no rows).
  sdk::Status run();

  // Calls f(*this) for each row; stops at the first error.
  template <typename F>
  sdk::Status for_each(F&& f) {
    for (;;) {
      auto row = step();
      if (!row.ok()) return row.status();
      if (!*row) return sdk::Status::OK();
      f(*this);
    }
  }

  // Column getters, 0-based; NULL reads as 0 / "" / nullopt.
  std::int64_t int64(int column) const;
  double real(int column) const;
  bool boolean(int column) const { return int64(column) != 0; }
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  bool is_null(int column) const;

  const std::string& purpose() const noexcept { return purpose_; }

 private:
  friend class Connection;
  Statement(sqlite3_stmt* stmt, bool* in_use, std::string purpose);

  sqlite3_stmt* stmt_;
  bool* in_use_;  // non-null: borrowed from the connection's cache; reset, not finalized
  std::string purpose_;
  sdk::Status bind_error_;
};

// An open database connection. Open with Connection::open; closed by the
// destructor (cached statements first).
class Connection {
 public:
  struct Options {
    int busy_timeout_ms = 5000;
  };

  // Opens (creating if needed) `path`, with WAL, foreign keys, busy_timeout and
  // the REGEXP function (std::regex search semantics) installed.
  static sdk::Result<std::unique_ptr<Connection>> open(const std::string& path, const Options& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A statement for `sql`, from the cache when one for the same text is free.
  sdk::Result<Statement> prepare(std::string_view purpose, const std::string& sql);

  // Prepares, binds args and runs `sql` to completion.
  template <typename... Args>
  sdk::Status exec(std::string_view purpose, const std::string& sql, const Args&... args) {
    auto st = prepare(purpose, sql);
    if (!st.ok()) return st.status();
    st->bind_all(args...);
    return st->run();
  }

  // Runs one or more statements without parameters (schema scripts, pragmas).
  sdk::Status exec_script(std::string_view purpose, const std::string& sql);

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  sqlite3* raw() const noexcept { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  sqlite3* db_;
  std::unordered_map<std::string, Cached> cache_;
};

}  // namespace stratus::core::db
