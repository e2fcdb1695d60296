// Transaction: one unit of work on a Database's connection, held exclusively.
//
//   auto tx = db.begin_write("create servers");          // BEGIN (IMMEDIATE on SQLite)
//   if (!tx.ok()) return tx.status();
//   InstanceRepository instances(*tx);                     // repositories run inside it
//   PortRepository ports(*tx);
//   ... any error: return it; the destructor rolls everything back ...
//   return tx->commit();
//
// A Transaction holds its Database's connection (and so its mutex) until it is
// committed or destroyed: do not call repositories built over the Database
// itself meanwhile (Database refuses that with kInternal rather than
// deadlocking). A repository method called inside a transaction runs in a
// SAVEPOINT, so a method that fails undoes its own statements and leaves the
// transaction usable, as the same method would outside one.
#pragma once

#include <mutex>
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
  // it is over (a second commit() is kInvalidState).
  sdk::Status commit();

  // Runs f(Connection&) in a SAVEPOINT: rolled back to it when f returns an
  // error, released otherwise. f returns Status or Result<T>.
  template <typename F>
  auto savepoint(std::string_view purpose, F&& f) -> std::invoke_result_t<F, Connection&> {
    if (conn_ == nullptr) return sdk::Status::InvalidState(std::string(purpose) + ": the transaction is over");
    const std::string name = "stratus_sp" + std::to_string(++depth_);
    auto st = conn_->exec(purpose, "SAVEPOINT " + name);
    if (!st.ok()) {
      --depth_;
      return st;
    }
    auto result = f(*conn_);
    if (!result.ok()) {
      (void)conn_->exec(purpose, "ROLLBACK TO SAVEPOINT " + name);
    }
    st = conn_->exec(purpose, "RELEASE SAVEPOINT " + name);
    --depth_;
    if (!result.ok()) return result;
    if (!st.ok()) return st;
    return result;
  }

 private:
  friend class Database;
  Transaction(Database& db, std::unique_lock<std::mutex> lock, Connection& conn, std::string purpose, bool write)
      : db_(&db), lock_(std::move(lock)), conn_(&conn), purpose_(std::move(purpose)), write_(write) {}
  void finish();  // releases the connection

  Database* db_;
  std::unique_lock<std::mutex> lock_;
  Connection* conn_;  // nullptr once committed or rolled back
  std::string purpose_;
  bool write_;
  int depth_ = 0;
};

}  // namespace stratus::core::db
