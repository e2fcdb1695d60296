// Database: the Stratus state store, SQLite in WAL mode in a data directory.
//
// Threading model: one Database owns ONE connection behind a mutex. Every
// repository call takes the mutex for the length of one transaction, so a
// Database is safe to share between any number of threads and each call is
// atomic. SQLite allows one writer at a time anyway; WAL keeps readers in
// other processes unblocked. Two Databases on the same file (two processes,
// or two schedulers in a test) coordinate through SQLite's file locks:
// writes use BEGIN IMMEDIATE, which waits up to busy_timeout for the lock, so
// a conditional UPDATE in one of them always sees the other's commits.
//
// Nothing here throws; failures are sdk::Status values whose message says
// what the statement was for and what SQLite answered.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "core/db/migrations.h"
#include "core/db/sqlite.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::core::db {

struct DatabaseOptions {
  // How long a writer waits for another process's write lock before kUnavailable.
  int busy_timeout_ms = 10000;
  // The schema to bring the database to; tests pass their own list.
  const std::vector<Migration>* migrations = nullptr;  // nullptr: builtin_migrations()
};

class Database {
 public:
  // Opens <data_dir>/stratus.db, creating the directory and the file if
  // needed, and applies pending migrations. Re-opening is idempotent.
  static sdk::Result<std::unique_ptr<Database>> open(const std::filesystem::path& data_dir,
                                                     const DatabaseOptions& options = {});

  const std::filesystem::path& path() const noexcept { return path_; }
  int schema_version();

  // Runs f(Connection&) inside BEGIN IMMEDIATE ... COMMIT while holding the
  // connection. f returns Status or Result<T>; a non-OK result rolls back and
  // is returned unchanged. Do not call back into the same Database from f
  // (the mutex is not recursive); repositories offer *_locked helpers instead.
  template <typename F>
  auto write(const char* purpose, F&& f) -> std::invoke_result_t<F, Connection&> {
    return run_in_transaction(purpose, "BEGIN IMMEDIATE", std::forward<F>(f));
  }

  // As write(), in a deferred (read) transaction: a consistent snapshot.
  template <typename F>
  auto read(const char* purpose, F&& f) -> std::invoke_result_t<F, Connection&> {
    return run_in_transaction(purpose, "BEGIN", std::forward<F>(f));
  }

 private:
  Database(std::filesystem::path path, std::unique_ptr<Connection> conn)
      : path_(std::move(path)), conn_(std::move(conn)) {}

  template <typename F>
  auto run_in_transaction(const char* purpose, const char* begin, F&& f) -> std::invoke_result_t<F, Connection&> {
    std::lock_guard lock(mu_);
    auto st = conn_->exec(purpose, begin);
    if (!st.ok()) return st;
    auto result = f(*conn_);
    if (!result.ok()) {
      (void)conn_->exec(purpose, "ROLLBACK");
      return result;
    }
    st = conn_->exec(purpose, "COMMIT");
    if (!st.ok()) {
      (void)conn_->exec(purpose, "ROLLBACK");
      return st;
    }
    return result;
  }

  std::filesystem::path path_;
  std::mutex mu_;
  std::unique_ptr<Connection> conn_;  // guarded by mu_
};

}  // namespace stratus::core::db
