#include "core/db/database.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "core/db/pg_connection.h"
#include "core/db/sqlite_connection.h"

namespace stratus::core::db {

sdk::Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& data_dir,
                                                      const DatabaseOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return sdk::Status::Unavailable("create data directory " + data_dir.string() + ": " + ec.message());
  }
  auto path = data_dir / "stratus.db";
  SqliteOptions copts;
  copts.busy_timeout_ms = options.busy_timeout_ms;
  auto conn = open_sqlite_connection(path.string(), copts);
  if (!conn.ok()) return conn.status();
  SqliteOptions read_opts = copts;
  read_opts.read_only = true;
  Opener read_opener = [file = path.string(), read_opts]() { return open_sqlite_connection(file, read_opts); };
  return migrated(path, std::move(*conn), nullptr, std::move(read_opener), options);
}

sdk::Result<std::unique_ptr<Database>> Database::open(const std::string& connection,
                                                      const std::filesystem::path& data_dir,
                                                      const DatabaseOptions& options) {
  if (connection.empty()) return open(data_dir, options);
  if (!is_pg_connection_string(connection)) {
    return sdk::Status::InvalidArgument("database connection '" + redact_connection_string(connection) +
                                        "' is not supported: leave it empty for SQLite in the data directory, or "
                                        "give a postgresql://user@host:port/database URL");
  }
  // The data directory still holds what is not in the database (images,
  // clouds.yaml): made here as for SQLite.
  std::error_code ec;
  if (!data_dir.empty()) std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return sdk::Status::Unavailable("create data directory " + data_dir.string() + ": " + ec.message());
  }
  PgOptions popts;
  popts.lock_timeout_ms = options.busy_timeout_ms;
  popts.reconnect_attempts = options.reconnect_attempts;
  auto conn = open_pg_connection(connection, popts);
  if (!conn.ok()) return conn.status();
  Opener opener = [connection, popts]() { return open_pg_connection(connection, popts); };
  return migrated(redact_connection_string(connection), std::move(*conn), std::move(opener), nullptr, options);
}

sdk::Result<std::unique_ptr<Database>> Database::migrated(const std::filesystem::path& path,
                                                          std::unique_ptr<Connection> conn, Opener opener,
                                                          Opener read_opener, const DatabaseOptions& options) {
  const auto& migrations = options.migrations != nullptr ? *options.migrations : builtin_migrations();
  auto st = migrate(*conn, migrations);
  if (!st.ok()) return sdk::Status(st.code(), path.string() + ": " + st.message());
  spdlog::debug("database {} ({}) at schema version {}", path.string(), conn->dialect().name,
                db::schema_version(*conn));
  return std::unique_ptr<Database>(
      new Database(path, std::move(conn), std::move(opener), std::move(read_opener), options));
}

Database::Database(std::filesystem::path path, std::unique_ptr<Connection> conn, Opener opener, Opener read_opener,
                   const DatabaseOptions& options)
    : path_(std::move(path)), dialect_(&conn->dialect()), pool_wait_ms_(std::max(0, options.pool_wait_ms)),
      replay_attempts_(std::max(0, options.replay_attempts)) {
  // Without an opener a pool is the connection it was given (SQLite's one
  // writer); the readers' pool opens its first connection when a read
  // transaction first needs one.
  writers_.name = "connection";
  writers_.size = opener ? std::max(1, options.pool_size) : 1;
  writers_.opener = std::move(opener);
  writers_.opened = 1;
  readers_.name = "read connection";
  readers_.size = read_opener ? std::max(1, options.pool_size) : 0;
  readers_.opener = std::move(read_opener);
  all_.push_back(conn.get());
  writers_.idle.push_back(std::move(conn));
}

Database::~Database() = default;

int Database::schema_version() {
  auto tx = begin_read("read schema version");
  if (!tx.ok()) return 0;
  return db::schema_version(tx->connection());
}

std::uint64_t Database::statements_prepared() {
  std::lock_guard lock(mu_);
  std::uint64_t n = 0;
  for (const Connection* c : all_) n += c->statements_prepared();
  return n;
}

int Database::connections_opened() {
  std::lock_guard lock(mu_);
  return static_cast<int>(all_.size());
}

sdk::Result<Transaction> Database::begin_write(std::string purpose) { return begin(std::move(purpose), true); }
sdk::Result<Transaction> Database::begin_read(std::string purpose) { return begin(std::move(purpose), false); }

sdk::Result<std::unique_ptr<Connection>> Database::acquire(const std::string& purpose, bool write) {
  std::unique_lock lock(mu_);
  const auto me = std::this_thread::get_id();
  if (std::find(holders_.begin(), holders_.end(), me) != holders_.end()) {
    return sdk::Status::Internal(purpose + ": this thread already holds a transaction on " + path_.string() +
                                 " (pass its Transaction to the repository instead of the Database)");
  }
  Pool& pool = pool_for(write);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(pool_wait_ms_);
  for (;;) {
    if (!pool.idle.empty()) {
      auto conn = std::move(pool.idle.back());
      pool.idle.pop_back();
      holders_.push_back(me);
      return conn;
    }
    if (pool.opener && pool.opened + pool.opening < pool.size) {
      // Opening takes a round trip or more: not under the lock.
      ++pool.opening;
      lock.unlock();
      auto opened = pool.opener();
      lock.lock();
      --pool.opening;
      if (!opened.ok()) {
        pool.freed.notify_one();  // another waiter may try in its turn
        return sdk::Status(opened.status().code(), purpose + ": " + opened.status().message());
      }
      ++pool.opened;
      all_.push_back(opened->get());
      holders_.push_back(me);
      spdlog::debug("database {}: {} {} of at most {} opened", path_.string(), pool.name, pool.opened, pool.size);
      return std::move(*opened);
    }
    if (pool.freed.wait_until(lock, deadline) == std::cv_status::timeout && pool.idle.empty()) {
      return sdk::Status::Unavailable(purpose + ": no free " + pool.name + " to the database " + path_.string() +
                                      " after " + std::to_string(pool_wait_ms_) + " ms (all " +
                                      std::to_string(pool.size) + " of [database] pool_size are in use)");
    }
  }
}

void Database::release(std::unique_ptr<Connection> conn, bool write) {
  Pool* pool = nullptr;
  {
    std::lock_guard lock(mu_);
    pool = &pool_for(write);
    pool->idle.push_back(std::move(conn));
    auto me = std::find(holders_.begin(), holders_.end(), std::this_thread::get_id());
    if (me != holders_.end()) holders_.erase(me);
  }
  pool->freed.notify_one();
}

void Database::note_replay(const char* purpose, int replay, const sdk::Status& why) {
  replays_.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn("database {}: {}: the connection was lost before COMMIT ({}); running the transaction again on a "
               "fresh connection, try {} of {}",
               path_.string(), purpose, why.message(), replay, replay_attempts_);
}

sdk::Result<Transaction> Database::begin(std::string purpose, bool write) {
  auto conn = acquire(purpose, write);
  if (!conn.ok()) return conn.status();
  // From here the connection goes back to the pool on every path: a
  // Transaction owns it, or release() takes it.
  if (auto open = (*conn)->ensure_open(purpose); !open.ok()) {
    release(std::move(*conn), write);
    return open;
  }
  auto st = (*conn)->defer(purpose, std::string(write ? dialect_->begin_write : dialect_->begin_read));
  if (!st.ok()) {
    release(std::move(*conn), write);
    return st;
  }
  return Transaction(*this, std::move(*conn), std::move(purpose), write);
}

// ---- Transaction ----

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), lease_(std::move(other.lease_)), conn_(other.conn_), purpose_(std::move(other.purpose_)),
      write_(other.write_), depth_(other.depth_), replayable_(other.replayable_) {
  other.conn_ = nullptr;
}

Transaction::~Transaction() {
  if (conn_ == nullptr) return;
  (void)conn_->end_transaction(purpose_, false, write_);
  finish();
}

sdk::Status Transaction::commit() {
  if (conn_ == nullptr) return sdk::Status::InvalidState(purpose_ + ": the transaction is over");
  if (conn_->lost()) {
    // Lost before COMMIT was sent: nothing of it was committed.
    replayable_ = true;
    finish();
    return sdk::Status::Unavailable(purpose_ + ": the connection to the database was lost before COMMIT");
  }
  auto st = conn_->end_transaction(purpose_, true, write_);
  if (!st.ok() && conn_->lost()) {
    // COMMIT was sent and its answer lost: it may have committed. Reported,
    // never replayed.
    st = sdk::Status::Unavailable(purpose_ + ": the connection to the database was lost while committing; "
                                  "whether the transaction committed is unknown (" + st.message() + ")");
  } else if (!st.ok()) {
    (void)conn_->end_transaction(purpose_, false, write_);
  }
  finish();
  return st;
}

bool Transaction::replayable() const noexcept { return replayable_ || (conn_ != nullptr && conn_->lost()); }

void Transaction::finish() {
  conn_ = nullptr;
  if (lease_ != nullptr) db_->release(std::move(lease_), write_);
}

}  // namespace stratus::core::db
