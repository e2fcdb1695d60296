#include "core/db/sqlite.h"

#include <regex>

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

Status sqlite_status(int rc, std::string_view purpose, std::string_view detail) {
  std::string msg(purpose);
  msg += ": ";
  msg += detail.empty() ? std::string_view(sqlite3_errstr(rc)) : detail;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(msg));
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status::AlreadyExists(std::move(msg));
      }
      return Status::InvalidArgument(std::move(msg));
    default:
      return Status::Internal(std::move(msg));
  }
}

// ---- Statement ----

Statement::Statement(sqlite3_stmt* stmt, bool* in_use, std::string purpose)
    : stmt_(stmt), in_use_(in_use), purpose_(std::move(purpose)) {}

Statement::Statement(Statement&& other) noexcept
    : stmt_(other.stmt_), in_use_(other.in_use_), purpose_(std::move(other.purpose_)),
      bind_error_(std::move(other.bind_error_)) {
  other.stmt_ = nullptr;
  other.in_use_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (in_use_ != nullptr) {
    // Back to the cache: ready for the next user, no values left bound.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
}

namespace {
Status bind_status(sqlite3_stmt* stmt, int rc, int index, const std::string& purpose) {
  return sqlite_status(rc, purpose, "binding parameter " + std::to_string(index) + ": " +
                                        sqlite3_errmsg(sqlite3_db_handle(stmt)));
}
}  // namespace

Statement& Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = bind_status(stmt_, rc, index, purpose_);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = bind_status(stmt_, rc, index, purpose_);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = bind_status(stmt_, rc, index, purpose_);
  return *this;
}

Statement& Statement::bind(int index, std::nullopt_t) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = bind_status(stmt_, rc, index, purpose_);
  return *this;
}

Result<bool> Statement::step() {
  if (!bind_error_.ok()) return bind_error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_step (v2 interface) returns the extended code itself.
  return sqlite_status(sqlite3_extended_errcode(sqlite3_db_handle(stmt_)), purpose_,
                       sqlite3_errmsg(sqlite3_db_handle(stmt_)));
}

Status Statement::run() {
  for (;;) {
    auto r = step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::OK();
  }
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }
bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

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
      auto owned = std::make_unique<std::regex>(pattern, std::regex::ECMAScript);
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

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, const Options& options) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close(raw);
    return sqlite_status(rc, "open database " + path, msg);
  }
  std::unique_ptr<Connection> conn(new Connection(raw));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  rc = sqlite3_create_function_v2(raw, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                  regexp_function, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_status(rc, "install REGEXP function", sqlite3_errmsg(raw));
  // WAL: readers never block the writer. synchronous=NORMAL is durable across
  // process crashes in WAL mode (an OS crash may lose the last commits).
  auto st = conn->exec_script("configure database " + path,
                              "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
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

Connection::~Connection() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

Result<Statement> Connection::prepare(std::string_view purpose, const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Statement(it->second.stmt, &it->second.in_use, std::string(purpose));
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                              nullptr);
  if (rc != SQLITE_OK) return sqlite_status(rc, purpose, sqlite3_errmsg(db_));
  if (it == cache_.end()) {
    // Cache it; dynamic SQL (listings) also lands here, so bound the cache.
    if (cache_.size() < 256) {
      auto [pos, inserted] = cache_.emplace(sql, Cached{stmt, true});
      (void)inserted;
      return Statement(stmt, &pos->second.in_use, std::string(purpose));
    }
  }
  return Statement(stmt, nullptr, std::string(purpose));
}

Status Connection::exec_script(std::string_view purpose, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::OK();
  std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
  sqlite3_free(err);
  return sqlite_status(sqlite3_extended_errcode(db_), purpose, msg);
}

std::int64_t Connection::changes() const { return sqlite3_changes64(db_); }
std::int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

}  // namespace stratus::core::db
