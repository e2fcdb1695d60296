// Transaction: one unit of work on a Database's connection, held exclusively.
//
//   auto tx = db.begin_write("create servers");          // BEGIN (IMMEDIATE on SQLite)
//   if (!tx.ok()) return tx.status();
//   InstanceRepository instances(*tx);                     // repositories run inside it
//   PortRepository ports(*tx);
//   ... any error: return it; the destructor rolls everything back ...
//   return tx->commit();
//
// A Transaction holds one connection of its Database's pool until it is
// committed or destroyed: do not call repositories built over the Database
// itself meanwhile from the same thread (Database refuses that with kInternal
// rather than waiting on this transaction's own row locks). A repository
// method called inside a transaction runs in a SAVEPOINT, so a method that
// fails undoes its own statements and leaves the transaction usable, as the
// same method would outside one. SAVEPOINT, RELEASE and ROLLBACK TO are
// deferred (Connection::defer): on PostgreSQL they travel with the next
// statement, so a savepoint costs no round trip of its own.
#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "core/db/connection.h"
#include "stratus/sdk/status.h"

namespace stratus::core::db {

class Database;

class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  // Rolls back unless commit() succeeded.
  ~Transaction();

  Connection& connection() noexcept { return *conn_; }
  bool is_write() const noexcept { return write_; }
  // false once committed or rolled back.
  bool active() const noexcept { return conn_ != nullptr; }

  // COMMIT. After a failed commit the transaction is rolled back; either way
  // it is over (a second commit() is kInvalidState). A connection lost while
  // COMMIT was under way is kUnavailable saying the outcome is unknown.
  sdk::Status commit();

  // Whether this transaction failed because its connection was lost before
  // COMMIT was sent: nothing of it was committed, and running it again on a
  // fresh connection is safe (Database::write does, a bounded number of times).
  bool replayable() const noexcept;

  // Runs f(Connection&) in a SAVEPOINT: rolled back to it when f returns an
  // error, released otherwise. f returns Status or Result<T>.
  template <typename F>
  auto savepoint(std::string_view purpose, F&& f) -> std::invoke_result_t<F, Connection&> {
    if (conn_ == nullptr) return sdk::Status::InvalidState(std::string(purpose) + ": the transaction is over");
    const std::string name = "stratus_sp" + std::to_string(++depth_);
    auto st = conn_->defer(purpose, "SAVEPOINT " + name);
    if (!st.ok()) {
      --depth_;
      return st;
    }
    auto result = f(*conn_);
    if (!result.ok()) {
      (void)conn_->defer(purpose, "ROLLBACK TO SAVEPOINT " + name);
    }
    st = conn_->defer(purpose, "RELEASE SAVEPOINT " + name);
    --depth_;
    if (!result.ok()) return result;
    if (!st.ok()) return st;
    return result;
  }

 private:
  friend class Database;
  Transaction(Database& db, std::unique_ptr<Connection> lease, std::string purpose, bool write)
      : db_(&db), lease_(std::move(lease)), conn_(lease_.get()), purpose_(std::move(purpose)), write_(write) {}
  void finish();  // gives the connection back to the pool

  Database* db_;
  std::unique_ptr<Connection> lease_;  // the pool's connection, lent until finish()
  Connection* conn_;                   // nullptr once committed or rolled back
  std::string purpose_;
  bool write_;
  int depth_ = 0;
  bool replayable_ = false;  // lost before COMMIT was sent
};

}  // namespace stratus::core::db
