// Database: the Stratus state store, behind the seam of connection.h: SQLite
// in WAL mode in a data directory (the default), or a PostgreSQL database
// named by `[database] connection`.
//
// Threading model: a Database lends connections from a small pool, one to
// each Transaction from begin to commit or rollback, so a Database is safe to
// share between any number of threads and each transaction is atomic.
// PostgreSQL: up to `pool_size` connections, opened as needed, so the api,
// conductor and scheduler threads of one process do not queue behind one
// another's round trips. SQLite: one read-write connection for the write
// transactions (its single writer), and up to `pool_size` read-only ones for
// the read transactions (WAL: a reader sees the last commit and never waits
// for the writer), so reads stop queueing behind writes and each other. A
// begin that finds every connection of its pool lent waits up to
// `pool_wait_ms`, then fails with kUnavailable. Correctness never rested on one connection: several
// Databases on the same file or server (processes, schedulers, the race
// tests) are several writers, and every read-then-write is a conditional
// statement, a unique constraint or runs under a row lock (see
// docs/database.md, "Race-proof patterns").
//
// Nothing here throws; failures are sdk::Status values whose message says
// what the statement was for and what the database answered.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <atomic>
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
  // How many connections one Database may hold (`[database] pool_size`):
  // PostgreSQL's for all transactions; SQLite's read-only ones for the read
  // transactions, beside its one writer. And how long a transaction waits
  // for one of its pool to be free before kUnavailable.
  int pool_size = 4;
  int pool_wait_ms = 10000;
  // How often write() / read() run the caller's function again, on a fresh
  // connection, when the connection was lost before COMMIT was sent (never
  // after: a COMMIT whose outcome is unknown is reported, not replayed).
  int replay_attempts = 2;
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
  std::string_view backend() const noexcept { return dialect_->name; }
  int schema_version();

  // A read-write transaction (the dialect's begin_write) holding one
  // connection of the pool until it is committed or destroyed. kInternal if
  // this thread already holds one on this Database (a repository over the
  // Database inside it would wait on its own row locks).
  sdk::Result<Transaction> begin_write(std::string purpose);
  // A read transaction: one consistent snapshot.
  sdk::Result<Transaction> begin_read(std::string purpose);

  // Runs f(Connection&) in a transaction of its own: commits when f returns
  // OK, rolls back and returns f's error otherwise. f returns Status or
  // Result<T>. For one repository call; compose several with begin_write.
  // When the connection is lost before COMMIT was sent, f runs again in a
  // new transaction on a fresh connection, up to `replay_attempts` times
  // (what the lost one did is gone with it): f must touch nothing but the
  // connection it is given. A COMMIT whose answer was lost is reported.
  template <typename F>
  auto write(const char* purpose, F&& f) -> std::invoke_result_t<F, Connection&> {
    return run(purpose, true, f);
  }

  // As write(), in a read transaction.
  template <typename F>
  auto read(const char* purpose, F&& f) -> std::invoke_result_t<F, Connection&> {
    return run(purpose, false, f);
  }

  // Statements prepared on this Database's connections so far (for tests and
  // benchmarks that count queries; see Connection::statements_prepared).
  std::uint64_t statements_prepared();
  // Connections opened so far (at most the pools' sizes), and transactions
  // run again after a lost connection: for tests and benchmarks.
  int connections_opened();
  std::uint64_t replays() const noexcept { return replays_.load(std::memory_order_relaxed); }

  ~Database();

 private:
  friend class Transaction;
  using Opener = std::function<sdk::Result<std::unique_ptr<Connection>>()>;
  // Connections lent to transactions of one kind. Guarded by mu_.
  struct Pool {
    const char* name;  // for messages: "connection", "read connection"
    Opener opener;     // opens a further connection; empty: only the first
    int size = 1;
    int opened = 0;    // connections of this pool that exist
    int opening = 0;   // opens under way
    std::vector<std::unique_ptr<Connection>> idle;
    std::condition_variable freed;
  };
  // `opener` opens the writers' further connections (PostgreSQL) and
  // `read_opener` the readers' (SQLite); either may be empty.
  Database(std::filesystem::path path, std::unique_ptr<Connection> conn, Opener opener, Opener read_opener,
           const DatabaseOptions& options);

  sdk::Result<Transaction> begin(std::string purpose, bool write);
  // Brings `conn` to the schema and wraps it.
  static sdk::Result<std::unique_ptr<Database>> migrated(const std::filesystem::path& path,
                                                         std::unique_ptr<Connection> conn, Opener opener,
                                                         Opener read_opener, const DatabaseOptions& options);
  // The pool a transaction of this kind borrows from: the readers' when
  // there is one (SQLite), the writers' otherwise.
  Pool& pool_for(bool write) noexcept { return write || readers_.size == 0 ? writers_ : readers_; }
  // A free connection of the pool (opening one while fewer than its size
  // are open), waiting up to pool_wait_ms; and its return.
  sdk::Result<std::unique_ptr<Connection>> acquire(const std::string& purpose, bool write);
  void release(std::unique_ptr<Connection> conn, bool write);
  void note_replay(const char* purpose, int replay, const sdk::Status& why);

  static const sdk::Status& status_of(const sdk::Status& st) { return st; }
  template <typename T>
  static const sdk::Status& status_of(const sdk::Result<T>& r) {
    return r.status();
  }

  template <typename F>
  auto run(const char* purpose, bool write, F& f) -> std::invoke_result_t<F, Connection&> {
    for (int replay = 0;; ++replay) {
      auto tx = begin(purpose, write);
      if (!tx.ok()) return tx.status();
      auto result = f(tx->connection());
      if (result.ok()) {
        auto st = tx->commit();
        if (st.ok()) return result;
        if (!tx->replayable() || replay >= replay_attempts_) return st;
        note_replay(purpose, replay + 1, st);
      } else {
        if (!tx->replayable() || replay >= replay_attempts_) return result;
        note_replay(purpose, replay + 1, status_of(result));
      }
    }
  }

  std::filesystem::path path_;
  const Dialect* dialect_;
  int pool_wait_ms_;
  int replay_attempts_;
  std::atomic<std::uint64_t> replays_{0};

  std::mutex mu_;
  Pool writers_;                          // guarded by mu_
  Pool readers_;                          // size 0: none (PostgreSQL); guarded by mu_
  std::vector<Connection*> all_;          // every connection opened; guarded by mu_
  std::vector<std::thread::id> holders_;  // threads holding a transaction; guarded by mu_
};

}  // namespace stratus::core::db
