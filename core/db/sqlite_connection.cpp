#include "core/db/sqlite_connection.h"

#include <sqlite3.h>

#include <chrono>
#include <regex>
#include <thread>
#include <unordered_map>

#include "core/common/user_regex.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

Status sqlite_status(int rc, std::string_view purpose, std::string_view detail) {
  const std::string_view what = detail.empty() ? std::string_view(sqlite3_errstr(rc)) : detail;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return classified_status(ErrorClass::kTransient, purpose, what);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return classified_status(ErrorClass::kDuplicate, purpose, what);
      }
      return classified_status(ErrorClass::kConstraint, purpose, what);
    default:
      return classified_status(ErrorClass::kOther, purpose, what);
  }
}

// ---- Statement ----

namespace {

// A prepared sqlite3_stmt: owned (finalized at the end), or borrowed from the
// connection's cache (reset and handed back).
class SqliteStatement final : public StatementBackend {
 public:
  SqliteStatement(sqlite3_stmt* stmt, bool* in_use) : stmt_(stmt), in_use_(in_use) {}
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement() override {
    if (in_use_ != nullptr) {
      // Back to the cache: ready for the next user, no values left bound.
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
      *in_use_ = false;
    } else {
      sqlite3_finalize(stmt_);
    }
  }

  Status bind_int64(int index, std::int64_t value) override {
    return checked(sqlite3_bind_int64(stmt_, index, value), index);
  }
  Status bind_double(int index, double value) override {
    return checked(sqlite3_bind_double(stmt_, index, value), index);
  }
  Status bind_text(int index, std::string_view value) override {
    return checked(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
                   index);
  }
  Status bind_null(int index) override { return checked(sqlite3_bind_null(stmt_, index), index); }

  Result<bool> step(std::string_view purpose) override {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    // sqlite3_step (v2 interface) returns the extended code itself.
    return sqlite_status(sqlite3_extended_errcode(sqlite3_db_handle(stmt_)), purpose,
                         sqlite3_errmsg(sqlite3_db_handle(stmt_)));
  }

  std::int64_t int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const override { return sqlite3_column_double(stmt_, column); }
  bool is_null(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string text(int column) const override {
    const auto* p = sqlite3_column_text(stmt_, column);
    if (p == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(p),
                       static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }

 private:
  Status checked(int rc, int index) {
    if (rc == SQLITE_OK) return Status::OK();
    return sqlite_status(rc, "binding parameter " + std::to_string(index), sqlite3_errmsg(sqlite3_db_handle(stmt_)));
  }

  sqlite3_stmt* stmt_;
  bool* in_use_;  // non-null: borrowed from the connection's cache
};

}  // namespace

// ---- REGEXP ----

namespace {

// `X REGEXP Y` calls regexp(Y, X). The compiled pattern is kept as auxdata on
// argument 0, so a query compiles its pattern once, not once per row. A bad
// pattern is an SQL error, never an exception through SQLite's C frames.
void regexp_function(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  try {
    auto* re = static_cast<std::regex*>(sqlite3_get_auxdata(ctx, 0));
    if (re == nullptr) {
      const char* pattern = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
      // A client's pattern (the servers' name filter): bounded matching.
      auto owned = std::make_unique<std::regex>(common::compile_user_regex(pattern));
      re = owned.release();
      sqlite3_set_auxdata(ctx, 0, re, [](void* p) { delete static_cast<std::regex*>(p); });
      // set_auxdata may have destroyed it already (out of memory); fetch again.
      re = static_cast<std::regex*>(sqlite3_get_auxdata(ctx, 0));
      if (re == nullptr) {
        sqlite3_result_error_nomem(ctx);
        return;
      }
    }
    const char* subject = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
    sqlite3_result_int(ctx, std::regex_search(subject, *re) ? 1 : 0);
  } catch (const std::regex_error& e) {
    sqlite3_result_error(ctx, (std::string("invalid regular expression: ") + e.what()).c_str(), -1);
  } catch (...) {
    sqlite3_result_error(ctx, "regular expression failed", -1);
  }
}

}  // namespace

// ---- Connection ----

namespace {

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
    sqlite3_close_v2(db_);
  }

  std::int64_t changes() const override { return sqlite3_changes64(db_); }
  const Dialect& dialect() const noexcept override { return sqlite_dialect(); }

 protected:
  // A statement from the cache when one for the same text is free.
  Result<Statement> do_prepare(std::string_view purpose, const std::string& sql) override {
    auto it = cache_.find(sql);
    if (it != cache_.end() && !it->second.in_use) {
      it->second.in_use = true;
      return Statement(std::make_unique<SqliteStatement>(it->second.stmt, &it->second.in_use), std::string(purpose));
    }
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                nullptr);
    if (rc != SQLITE_OK) return sqlite_status(rc, purpose, sqlite3_errmsg(db_));
    // Cache it; dynamic SQL (listings) also lands here, so bound the cache.
    if (it == cache_.end() && cache_.size() < 256) {
      auto [pos, inserted] = cache_.emplace(sql, Cached{stmt, true});
      (void)inserted;
      return Statement(std::make_unique<SqliteStatement>(stmt, &pos->second.in_use), std::string(purpose));
    }
    return Statement(std::make_unique<SqliteStatement>(stmt, nullptr), std::string(purpose));
  }

  Status do_exec_script(std::string_view purpose, const std::string& sql) override {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return Status::OK();
    std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return sqlite_status(sqlite3_extended_errcode(db_), purpose, msg);
  }

 private:
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  sqlite3* db_;
  std::unordered_map<std::string, Cached> cache_;
};

}  // namespace

const Dialect& sqlite_dialect() {
  static const Dialect dialect{
      .name = "sqlite",
      .begin_write = "BEGIN IMMEDIATE",
      .begin_read = "BEGIN",
      .regex_operator = "REGEXP",
      .for_update = "",
      .identity_column = "INTEGER PRIMARY KEY AUTOINCREMENT",
      .integer_type = "INTEGER",
      .real_type = "REAL",
      // The text migrations 2 and 3 had before these were placeholders.
      .random_uuid = "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||\n"
                     "         substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + abs(random()) % 4, 1) ||\n"
                     "         substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))",
      .random_hex32 = "lower(hex(randomblob(16)))",
      .migration_lock = "",
  };
  return dialect;
}

Result<std::unique_ptr<Connection>> open_sqlite_connection(const std::string& path, const SqliteOptions& options) {
  sqlite3* raw = nullptr;
  int flags = (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close(raw);
    return sqlite_status(rc, "open database " + path, msg);
  }
  std::unique_ptr<Connection> conn = std::make_unique<SqliteConnection>(raw);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  rc = sqlite3_create_function_v2(raw, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                  regexp_function, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_status(rc, "install REGEXP function", sqlite3_errmsg(raw));
  // WAL: readers never block the writer. synchronous=NORMAL is durable across
  // process crashes in WAL mode (an OS crash may lose the last commits).
  // Switching a new file to WAL takes an exclusive lock and answers BUSY at
  // once, without the busy handler, while another process opens the same new
  // file: tried again for up to the busy timeout.
  RetryPolicy wal_switch;
  wal_switch.attempts = 1 + options.busy_timeout_ms / 20;
  wal_switch.first_pause = std::chrono::milliseconds(20);
  wal_switch.factor = 1;
  wal_switch.give_up_after = std::chrono::milliseconds(options.busy_timeout_ms);
  // A read-only connection cannot switch the file; it only checks below.
  const char* configure = options.read_only
                              ? "PRAGMA foreign_keys=ON;"
                              : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
  Status st = retry_bounded(
      wal_switch, [&](int) { return conn->exec_script("configure database " + path, configure); },
      [](const Status& failed) { return failed.is(sdk::StatusCode::kUnavailable); });
  if (!st.ok()) return st;
  auto mode = conn->prepare("check journal mode", "PRAGMA journal_mode");
  if (!mode.ok()) return mode.status();
  auto row = mode->step();
  if (!row.ok()) return row.status();
  if (!*row || mode->text(0) != "wal") {
    return Status::Unavailable("open database " + path + ": WAL mode is not available (" +
                               (*row ? mode->text(0) : std::string("no answer")) + ")");
  }
  return conn;
}

}  // namespace stratus::core::db
