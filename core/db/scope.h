// Scope: where a repository runs its statements. Built from a Database, each
// repository call is a transaction of its own; built from a Transaction, the
// calls are steps of the caller's transaction (each in a savepoint), so a
// request that spans several repositories commits whole or not at all.
//
//   InstanceRepository(db).get(uuid);       // its own read transaction
//   InstanceRepository(tx).create(records); // part of tx
#pragma once

#include <string>
#include <type_traits>

#include "core/db/database.h"
#include "core/db/transaction.h"

namespace stratus::core::db {

class Scope {
 public:
  Scope(Database& db) : db_(&db) {}         // NOLINT(google-explicit-constructor): the common case
  Scope(Transaction& tx) : tx_(&tx) {}      // NOLINT(google-explicit-constructor)

  // As Database::write / Database::read.
  template <typename F>
  auto write(const char* purpose, F&& f) -> std::invoke_result_t<F, Connection&> {
    if (db_ != nullptr) return db_->write(purpose, std::forward<F>(f));
    return tx_->savepoint(purpose, std::forward<F>(f));
  }
  template <typename F>
  auto read(const char* purpose, F&& f) -> std::invoke_result_t<F, Connection&> {
    if (db_ != nullptr) return db_->read(purpose, std::forward<F>(f));
    if (!tx_->active()) return sdk::Status::InvalidState(std::string(purpose) + ": the transaction is over");
    return f(tx_->connection());
  }

  // The caller's transaction, or nullptr when each call is its own.
  Transaction* transaction() const noexcept { return tx_; }

 private:
  Database* db_ = nullptr;
  Transaction* tx_ = nullptr;
};

}  // namespace stratus::core::db
