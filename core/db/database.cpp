#include "core/db/database.h"

#include <spdlog/spdlog.h>

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
  return migrated(path, std::move(*conn), options);
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
  return migrated(redact_connection_string(connection), std::move(*conn), options);
}

sdk::Result<std::unique_ptr<Database>> Database::migrated(const std::filesystem::path& path,
                                                          std::unique_ptr<Connection> conn,
                                                          const DatabaseOptions& options) {
  const auto& migrations = options.migrations != nullptr ? *options.migrations : builtin_migrations();
  auto st = migrate(*conn, migrations);
  if (!st.ok()) return sdk::Status(st.code(), path.string() + ": " + st.message());
  spdlog::debug("database {} ({}) at schema version {}", path.string(), conn->dialect().name,
                db::schema_version(*conn));
  return std::unique_ptr<Database>(new Database(path, std::move(conn)));
}

int Database::schema_version() {
  auto tx = begin_read("read schema version");
  if (!tx.ok()) return 0;
  return db::schema_version(tx->connection());
}

std::uint64_t Database::statements_prepared() {
  // This thread's own transaction holds the mutex already.
  if (owner_.load() == std::this_thread::get_id()) return conn_->statements_prepared();
  std::lock_guard lock(mu_);
  return conn_->statements_prepared();
}

sdk::Result<Transaction> Database::begin_write(std::string purpose) { return begin(std::move(purpose), true); }
sdk::Result<Transaction> Database::begin_read(std::string purpose) { return begin(std::move(purpose), false); }

sdk::Result<Transaction> Database::begin(std::string purpose, bool write) {
  if (owner_.load() == std::this_thread::get_id()) {
    return sdk::Status::Internal(purpose + ": this thread already holds a transaction on " + path_.string() +
                                 " (pass its Transaction to the repository instead of the Database)");
  }
  std::unique_lock lock(mu_);
  const auto& dialect = conn_->dialect();
  if (auto open = conn_->ensure_open(purpose); !open.ok()) return open;
  auto st = conn_->exec(purpose, std::string(write ? dialect.begin_write : dialect.begin_read));
  if (!st.ok()) return st;
  owner_.store(std::this_thread::get_id());
  return Transaction(*this, std::move(lock), *conn_, std::move(purpose), write);
}

// ---- Transaction ----

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), lock_(std::move(other.lock_)), conn_(other.conn_), purpose_(std::move(other.purpose_)),
      write_(other.write_), depth_(other.depth_) {
  other.conn_ = nullptr;
}

Transaction::~Transaction() {
  if (conn_ == nullptr) return;
  (void)conn_->exec(purpose_, "ROLLBACK");
  finish();
}

sdk::Status Transaction::commit() {
  if (conn_ == nullptr) return sdk::Status::InvalidState(purpose_ + ": the transaction is over");
  auto st = conn_->exec(purpose_, "COMMIT");
  if (!st.ok()) (void)conn_->exec(purpose_, "ROLLBACK");
  finish();
  return st;
}

void Transaction::finish() {
  conn_ = nullptr;
  db_->owner_.store(std::thread::id());
  if (lock_.owns_lock()) lock_.unlock();
}

}  // namespace stratus::core::db
