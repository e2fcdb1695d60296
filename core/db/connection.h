// The database seam: a Connection prepares Statements; a backend (SQLite in
// core/db/sqlite_connection.*, PostgreSQL in core/db/pg_connection.*)
// implements both. Nothing outside those files sees a backend type.
//
// Every failure is a sdk::Status whose message names what the statement was
// for ("look up flavor 42") and what the database said; no exception leaves
// this layer. Backends classify errors the same way: busy/locked (and, on a
// server, serialization failure, deadlock, lost connection) -> kUnavailable, unique or primary key violation -> kAlreadyExists, other
// constraints -> kInvalidArgument, anything else -> kInternal.
//
// Neither type is thread-safe: a Connection and its Statements belong to one
// thread at a time (Database lends each connection of its pool to one
// transaction at a time).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/db/dialect.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::core::db {

// What a backend implements for one prepared statement. Positions are 1-based
// for binds and 0-based for columns, NULL reads as 0 / "" (is_null tells).
class StatementBackend {
 public:
  virtual ~StatementBackend() = default;
  virtual sdk::Status bind_int64(int index, std::int64_t value) = 0;
  virtual sdk::Status bind_double(int index, double value) = 0;
  virtual sdk::Status bind_text(int index, std::string_view value) = 0;
  virtual sdk::Status bind_null(int index) = 0;
  // true: a row is ready; false: done. `purpose` leads an error's message.
  virtual sdk::Result<bool> step(std::string_view purpose) = 0;
  virtual std::int64_t int64(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual std::string text(int column) const = 0;
  virtual bool is_null(int column) const = 0;
};

// A prepared statement. Bind by 1-based position; values are bound with the
// SQL type of their C++ type (std::nullopt binds NULL). A bind error is kept
// and reported by the next step(), so binds can be chained without checks.
class Statement {
 public:
  Statement(std::unique_ptr<StatementBackend> backend, std::string purpose)
      : backend_(std::move(backend)), purpose_(std::move(purpose)) {}
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement() = default;

  Statement& bind(int index, std::int64_t value) { return keep(backend_->bind_int64(index, value)); }
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  Statement& bind(int index, double value) { return keep(backend_->bind_double(index, value)); }
  Statement& bind(int index, std::string_view value) { return keep(backend_->bind_text(index, value)); }
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::nullopt_t) { return keep(backend_->bind_null(index)); }
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
  sdk::Result<bool> step() {
    if (!bind_error_.ok()) return bind_error_;
    return backend_->step(purpose_);
  }
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
  std::int64_t int64(int column) const { return backend_->int64(column); }
  double real(int column) const { return backend_->real(column); }
  bool boolean(int column) const { return int64(column) != 0; }
  std::string text(int column) const { return backend_->text(column); }
  std::optional<std::string> optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
  }
  bool is_null(int column) const { return backend_->is_null(column); }

  const std::string& purpose() const noexcept { return purpose_; }

 private:
  Statement& keep(sdk::Status st) {
    if (!st.ok() && bind_error_.ok()) bind_error_ = sdk::Status(st.code(), purpose_ + ": " + st.message());
    return *this;
  }

  std::unique_ptr<StatementBackend> backend_;
  std::string purpose_;
  sdk::Status bind_error_;
};

// An open connection to the database. Closed by the destructor.
class Connection {
 public:
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A statement for `sql` (`?`/`?N` placeholders).
  sdk::Result<Statement> prepare(std::string_view purpose, const std::string& sql) {
    ++statements_;
    return do_prepare(purpose, sql);
  }

  // Prepares, binds args and runs `sql` to completion.
  template <typename... Args>
  sdk::Status exec(std::string_view purpose, const std::string& sql, const Args&... args) {
    auto st = prepare(purpose, sql);
    if (!st.ok()) return st.status();
    st->bind_all(args...);
    return st->run();
  }

  // Runs one or more statements without parameters (schema scripts).
  sdk::Status exec_script(std::string_view purpose, const std::string& sql) {
    ++statements_;
    return do_exec_script(purpose, sql);
  }

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  virtual std::int64_t changes() const = 0;

  virtual const Dialect& dialect() const noexcept = 0;

  // Called before a transaction begins: a backend whose connection can be
  // lost (a server's) re-establishes it here, a bounded number of times,
  // and says why it could not. Nothing of a lost transaction survives it.
  virtual sdk::Status ensure_open(std::string_view /*purpose*/) { return sdk::Status::OK(); }

  // A statement of transaction control that returns no rows and that nothing
  // reads the answer of at once (BEGIN, SAVEPOINT, RELEASE, ROLLBACK TO): a
  // backend behind a network may hold it back and send it in one round trip
  // with the next statement (PostgreSQL's pipeline); its error is then that
  // statement's. SQLite runs it at once.
  sdk::Status defer(std::string_view purpose, const std::string& sql) {
    ++statements_;
    return do_defer(purpose, sql);
  }

  // Ends the transaction begun with `defer(begin)`: COMMIT (commit) or
  // ROLLBACK. A backend may skip both when nothing of the transaction was
  // sent, and may send a read transaction's COMMIT without waiting for its
  // answer (nothing was written; the next use of the connection reads it).
  sdk::Status end_transaction(std::string_view purpose, bool commit, bool write) {
    ++statements_;
    return do_end_transaction(purpose, commit, write);
  }

  // Whether the connection to the database is gone (a server's backend
  // ended, the network failed): what a transaction did on it is lost, and a
  // caller may run the transaction again on a fresh one (Database::write).
  virtual bool lost() const noexcept { return false; }

  // How many statements (and scripts) this connection has prepared, BEGIN and
  // COMMIT included: for tests and benchmarks that count queries per request.
  std::uint64_t statements_prepared() const noexcept { return statements_.load(std::memory_order_relaxed); }

 protected:
  Connection() = default;
  virtual sdk::Result<Statement> do_prepare(std::string_view purpose, const std::string& sql) = 0;
  virtual sdk::Status do_exec_script(std::string_view purpose, const std::string& sql) = 0;
  virtual sdk::Status do_defer(std::string_view purpose, const std::string& sql) {
    auto st = do_prepare(purpose, sql);
    if (!st.ok()) return st.status();
    return st->run();
  }
  virtual sdk::Status do_end_transaction(std::string_view purpose, bool commit, bool /*write*/) {
    return do_defer(purpose, commit ? "COMMIT" : "ROLLBACK");
  }

 private:
  // Atomic: Database sums its pool's counters while other threads work.
  std::atomic<std::uint64_t> statements_{0};
};

// std::this_thread::sleep_for, out of line (keeps <thread> out of this header).
void sleep_for_retry(std::chrono::milliseconds pause);

// A bounded retry, shared by everything in this layer that tries again (a
// lost PostgreSQL connection, SQLite's WAL switch, a replayed transaction):
// at most `attempts` tries (and, when `give_up_after` is set, no new try
// after that long), a pause before each next try that starts at
// `first_pause` and is multiplied by `factor`.
struct RetryPolicy {
  int attempts = 5;
  std::chrono::milliseconds first_pause{100};
  int factor = 2;
  std::chrono::milliseconds give_up_after{0};  // 0: only `attempts` bounds it
};

// Calls attempt(n) for n = 1, 2, ... until it returns a status that
// `again(status)` refuses to retry, or the policy's bound; returns the last
// status. `attempt` returns sdk::Status.
template <typename Attempt, typename Again>
sdk::Status retry_bounded(const RetryPolicy& policy, Attempt&& attempt, Again&& again) {
  const auto start = std::chrono::steady_clock::now();
  auto pause = policy.first_pause;
  sdk::Status st;
  for (int n = 1;; ++n) {
    st = attempt(n);
    if (st.ok() || !again(st) || n >= policy.attempts) return st;
    if (policy.give_up_after.count() > 0 && std::chrono::steady_clock::now() - start >= policy.give_up_after) return st;
    sleep_for_retry(pause);
    pause *= policy.factor;
  }
}

// The seam's classification of a backend's error, in one place: what each
// backend maps its own codes to, and the Status the code becomes, `purpose`
// leading the message.
enum class ErrorClass {
  kTransient,   // busy, locked, lock timeout, serialization failure, deadlock, connection lost
  kDuplicate,   // unique or primary key violation
  kConstraint,  // any other constraint (and a bad regular expression)
  kOther,
};
sdk::Status classified_status(ErrorClass kind, std::string_view purpose, std::string_view detail);

}  // namespace stratus::core::db
