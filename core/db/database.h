// Database: the Stratus state store, behind the seam of connection.h: SQLite
// in WAL mode in a data directory (the default), or a PostgreSQL database
// named by `[database] connection`.
//
// Threading model: one Database owns ONE connection behind a mutex. A
// Transaction holds the mutex from begin to commit or rollback, so a Database
// is safe to share between any number of threads and each transaction is
// atomic. Correctness never rests on that mutex, though: several Databases
// on the same file (processes, schedulers, the race tests) are several
// writers, and every read-then-write is a conditional statement, a unique
// constraint or runs under a row lock (see docs/database.md, "Race-proof
// patterns"), so it holds on a backend with row-level locking as well.
//
// Nothing here throws; failures are sdk::Status values whose message says
// what the statement was for and what the database answered.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/db/connection.h"
#include "core/db/migrations.h"
#include "core/db/transaction.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::core::db {

struct DatabaseOptions {
  // How long a writer waits for another process's write lock (SQLite) or a
  // row lock (PostgreSQL's lock_timeout) before kUnavailable.
  int busy_timeout_ms = 10000;
  // PostgreSQL: how often a lost connection is re-established at the start
  // of the next transaction before that transaction fails with kUnavailable.
  int reconnect_attempts = 5;
  // The schema to bring the database to; tests pass their own list.
  const std::vector<Migration>* migrations = nullptr;  // nullptr: builtin_migrations()
};

class Database {
 public:
  // Opens <data_dir>/stratus.db, creating the directory and the file if
  // needed, and applies pending migrations. Re-opening is idempotent.
  static sdk::Result<std::unique_ptr<Database>> open(const std::filesystem::path& data_dir,
                                                     const DatabaseOptions& options = {});

  // The database the configuration names: `connection` (`[database]
  // connection`) empty opens SQLite in `data_dir` as open() does; a
  // postgresql:// (or postgres://) URL connects to that PostgreSQL database
  // and migrates it; anything else is kInvalidArgument.
  static sdk::Result<std::unique_ptr<Database>> open(const std::string& connection,
                                                     const std::filesystem::path& data_dir,
                                                     const DatabaseOptions& options = {});

  // The SQLite file, or the PostgreSQL URL without its password.
  const std::filesystem::path& path() const noexcept { return path_; }
  // "sqlite" or "postgresql".
  std::string_view backend() const noexcept { return conn_->dialect().name; }
  int schema_version();

  // A read-write transaction (the dialect's begin_write) holding the
  // connection until it is committed or destroyed. kInternal if this thread
  // already holds one on this Database (it would deadlock).
  sdk::Result<Transaction> begin_write(std::string purpose);
  // A read transaction: one consistent snapshot.
  sdk::Result<Transaction> begin_read(std::string purpose);

  // Runs f(Connection&) in a transaction of its own: commits when f returns
  // OK, rolls back and returns f's error otherwise. f returns Status or
  // Result<T>. For one repository call; compose several with begin_write.
  template <typename F>
  auto write(const char* purpose, F&& f) -> std::invoke_result_t<F, Connection&> {
    auto tx = begin_write(purpose);
    if (!tx.ok()) return tx.status();
    return run(*tx, std::forward<F>(f));
  }

  // As write(), in a read transaction.
  template <typename F>
  auto read(const char* purpose, F&& f) -> std::invoke_result_t<F, Connection&> {
    auto tx = begin_read(purpose);
    if (!tx.ok()) return tx.status();
    return run(*tx, std::forward<F>(f));
  }

  // Statements prepared on this Database's connection so far (for tests and
  // benchmarks that count queries; see Connection::statements_prepared).
  std::uint64_t statements_prepared();

 private:
  friend class Transaction;
  Database(std::filesystem::path path, std::unique_ptr<Connection> conn)
      : path_(std::move(path)), conn_(std::move(conn)) {}

  sdk::Result<Transaction> begin(std::string purpose, bool write);
  // Brings `conn` to the schema and wraps it.
  static sdk::Result<std::unique_ptr<Database>> migrated(const std::filesystem::path& path,
                                                         std::unique_ptr<Connection> conn,
                                                         const DatabaseOptions& options);

  template <typename F>
  static auto run(Transaction& tx, F&& f) -> std::invoke_result_t<F, Connection&> {
    auto result = f(tx.connection());
    if (!result.ok()) return result;  // tx's destructor rolls back
    auto st = tx.commit();
    if (!st.ok()) return st;
    return result;
  }

  std::filesystem::path path_;
  std::mutex mu_;
  std::atomic<std::thread::id> owner_{};  // the thread holding mu_ through a Transaction
  std::unique_ptr<Connection> conn_;      // guarded by mu_
};

}  // namespace stratus::core::db
