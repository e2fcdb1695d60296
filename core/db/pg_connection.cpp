#include "core/db/pg_connection.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/db/sql_text.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

struct PgConnCloser {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct PgResultClearer {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnCloser>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultClearer>;

// Type oids sent with parameters (pg_type.h is server-side only).
constexpr Oid kInt8Oid = 20;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kBoolOid = 16;
constexpr Oid kTextOid = 25;

// A line of libpq's without its trailing newline.
std::string trimmed(const char* text) {
  std::string s = text != nullptr ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

Status result_status(const PGresult* res, PGconn* conn, std::string_view purpose) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string detail = trimmed(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  if (detail.empty()) detail = trimmed(PQerrorMessage(conn));
  if (PQstatus(conn) != CONNECTION_OK) detail += " (connection to the database lost)";
  return pg_status(state != nullptr ? state : "", purpose, detail);
}

// Whether the server ended an idle session (a restart, a terminated
// backend): its socket reads as closed. A poll that never blocks, once per
// transaction, so a dead session is replaced before BEGIN instead of
// failing it.
bool peer_closed(PGconn* conn) {
  const int fd = PQsocket(conn);
  if (fd < 0) return true;
  pollfd p{fd, static_cast<short>(POLLIN | POLLRDHUP), 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if ((p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) return true;
  // Something to read on an idle session: a notice, or the server's goodbye.
  return PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK;
}

// SQLite's changes() counts rows of INSERT, UPDATE and DELETE only.
bool counts_changes(const char* tag) {
  return std::strncmp(tag, "INSERT", 6) == 0 || std::strncmp(tag, "UPDATE", 6) == 0 ||
         std::strncmp(tag, "DELETE", 6) == 0 || std::strncmp(tag, "MERGE", 5) == 0;
}

// `sql` with the parameters bound to NULL written as the literal NULL: a
// NULL parameter has no type to send, and one the context does not type
// (`?2 IS NULL OR user_id = ?2` reads ?2 first where nothing says what it
// is) is refused by the server, where a NULL literal never is.
std::string with_null_literals(const std::string& sql, const std::vector<PlaceholderSpot>& spots,
                               const std::string& types) {
  std::string out;
  out.reserve(sql.size());
  std::size_t from = 0;
  for (const auto& spot : spots) {
    if (types[static_cast<std::size_t>(spot.number - 1)] != 'n') continue;
    out.append(sql, from, spot.offset - from);
    out += "NULL";
    from = spot.offset + spot.length;
  }
  out.append(sql, from, std::string::npos);
  return out;
}

// One statement text, rewritten once, and the names it is prepared under on
// the server, one per signature of parameter types.
struct PgText {
  std::string sql;  // with $N placeholders
  int parameters = 0;
  std::vector<PlaceholderSpot> spots;  // where each $N is in sql
  bool cached = true;  // false: run unnamed (the connection's cache is full)
  std::unordered_map<std::string, std::string> prepared;  // type signature -> statement name
};

class PgConnection;

class PgStatement final : public StatementBackend {
 public:
  PgStatement(PgConnection& conn, std::shared_ptr<PgText> text)
      : conn_(conn), text_(std::move(text)), values_(static_cast<std::size_t>(text_->parameters)),
        nulls_(static_cast<std::size_t>(text_->parameters), true),
        types_(static_cast<std::size_t>(text_->parameters), 'n') {}

  Status bind_int64(int index, std::int64_t value) override { return set(index, std::to_string(value), 'i'); }
  Status bind_double(int index, double value) override {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    return set(index, buf, 'd');
  }
  Status bind_text(int index, std::string_view value) override { return set(index, std::string(value), 't'); }
  Status bind_null(int index) override {
    if (index < 1 || index > text_->parameters) return out_of_range(index);
    nulls_[static_cast<std::size_t>(index - 1)] = true;
    types_[static_cast<std::size_t>(index - 1)] = 'n';
    return Status::OK();
  }

  Result<bool> step(std::string_view purpose) override;

  std::int64_t int64(int column) const override {
    if (!has_row() || PQgetisnull(res_.get(), row_, column)) return 0;
    const char* v = PQgetvalue(res_.get(), row_, column);
    if (PQftype(res_.get(), column) == kBoolOid) return v[0] == 't' ? 1 : 0;
    char* end = nullptr;
    long long n = std::strtoll(v, &end, 10);
    if (end != nullptr && (*end == '.' || *end == 'e' || *end == 'E')) {
      return static_cast<std::int64_t>(std::strtod(v, nullptr));  // numeric or float: truncated, as SQLite
    }
    return n;
  }
  double real(int column) const override {
    if (!has_row() || PQgetisnull(res_.get(), row_, column)) return 0.0;
    return std::strtod(PQgetvalue(res_.get(), row_, column), nullptr);
  }
  std::string text(int column) const override {
    if (!has_row() || PQgetisnull(res_.get(), row_, column)) return {};
    const char* v = PQgetvalue(res_.get(), row_, column);
    if (PQftype(res_.get(), column) == kBoolOid) return v[0] == 't' ? "1" : "0";
    return std::string(v, static_cast<std::size_t>(PQgetlength(res_.get(), row_, column)));
  }
  bool is_null(int column) const override { return !has_row() || PQgetisnull(res_.get(), row_, column) != 0; }

 private:
  bool has_row() const { return res_ != nullptr && row_ >= 0 && row_ < PQntuples(res_.get()); }
  Status out_of_range(int index) const {
    return Status::Internal("binding parameter " + std::to_string(index) + ": out of range (the statement has " +
                            std::to_string(text_->parameters) + ")");
  }
  Status set(int index, std::string value, char type) {
    if (index < 1 || index > text_->parameters) return out_of_range(index);
    const auto i = static_cast<std::size_t>(index - 1);
    values_[i] = std::move(value);
    nulls_[i] = false;
    types_[i] = type;
    return Status::OK();
  }

  PgConnection& conn_;
  std::shared_ptr<PgText> text_;
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  std::string types_;  // one letter per parameter: i(nt8), d(ouble), t(ext), n(ull)
  PgResultPtr res_;
  int row_ = -1;
  bool done_ = false;
};

class PgConnection final : public Connection {
 public:
  PgConnection(PgConnPtr conn, std::string conninfo, PgOptions options)
      : conn_(std::move(conn)), conninfo_(std::move(conninfo)), options_(options) {}

  std::int64_t changes() const override { return changes_; }
  const Dialect& dialect() const noexcept override { return pg_dialect(); }

  Status ensure_open(std::string_view purpose) override {
    if (PQstatus(conn_.get()) == CONNECTION_OK && !peer_closed(conn_.get())) return Status::OK();
    int pause_ms = options_.reconnect_backoff_ms;
    std::string why = trimmed(PQerrorMessage(conn_.get()));
    for (int attempt = 1; attempt <= options_.reconnect_attempts; ++attempt) {
      spdlog::warn("database: connection to {} lost ({}); reconnecting, try {} of {}",
                   redact_connection_string(conninfo_), why, attempt, options_.reconnect_attempts);
      PQreset(conn_.get());
      if (PQstatus(conn_.get()) == CONNECTION_OK) {
        forget_prepared();  // the server's prepared statements went with the session
        Status st = configure_session();
        if (st.ok()) {
          spdlog::info("database: reconnected to {} after {} tries", redact_connection_string(conninfo_), attempt);
          return st;
        }
        why = st.message();
      } else {
        why = trimmed(PQerrorMessage(conn_.get()));
      }
      if (attempt < options_.reconnect_attempts) {
        std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
        pause_ms *= 2;
      }
    }
    return Status::Unavailable(std::string(purpose) + ": the connection to the database was lost and " +
                               std::to_string(options_.reconnect_attempts) + " tries to reconnect failed: " + why);
  }

  // The session settings every connection (and every reconnection) gets.
  Status configure_session() {
    PQsetNoticeProcessor(
        conn_.get(), [](void*, const char* message) { spdlog::debug("postgresql: {}", trimmed(message)); }, nullptr);
    const std::string sql = "SET lock_timeout = " + std::to_string(options_.lock_timeout_ms) +
                            "; SET client_min_messages = warning; SET TIME ZONE 'UTC'";
    return do_exec_script("configure the database session", sql);
  }

  PGconn* raw() { return conn_.get(); }
  void set_changes(std::int64_t n) { changes_ = n; }
  // A fresh name for a server-side prepared statement.
  std::string next_name() { return "stratus_" + std::to_string(++names_); }

 protected:
  Result<Statement> do_prepare(std::string_view purpose, const std::string& sql) override {
    auto it = texts_.find(sql);
    if (it == texts_.end()) {
      auto text = std::make_shared<PgText>();
      text->sql = rewrite_placeholders(sql, &text->parameters, &text->spots);
      // Dynamic SQL (listings) lands here too: past the bound, texts run unnamed.
      if (texts_.size() >= 512) {
        text->cached = false;
        return Statement(std::make_unique<PgStatement>(*this, std::move(text)), std::string(purpose));
      }
      it = texts_.emplace(sql, std::move(text)).first;
    }
    return Statement(std::make_unique<PgStatement>(*this, it->second), std::string(purpose));
  }

  Status do_exec_script(std::string_view purpose, const std::string& sql) override {
    PgResultPtr res(PQexec(conn_.get(), sql.c_str()));
    const auto status = res != nullptr ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
      return Status::OK();
    }
    return result_status(res.get(), conn_.get(), purpose);
  }

 private:
  void forget_prepared() {
    for (auto& [sql, text] : texts_) text->prepared.clear();
  }

  PgConnPtr conn_;
  std::string conninfo_;
  PgOptions options_;
  std::unordered_map<std::string, std::shared_ptr<PgText>> texts_;  // by the caller's text
  std::int64_t changes_ = 0;
  std::uint64_t names_ = 0;
};

Result<bool> PgStatement::step(std::string_view purpose) {
  if (done_) return false;
  if (res_ != nullptr) {
    ++row_;
    if (row_ < PQntuples(res_.get())) return true;
    done_ = true;
    return false;
  }
  PGconn* pg = conn_.raw();
  if (PQstatus(pg) != CONNECTION_OK) {
    return Status::Unavailable(std::string(purpose) + ": the connection to the database was lost (" +
                               trimmed(PQerrorMessage(pg)) + ")");
  }
  const int n = text_->parameters;
  std::vector<Oid> oids(static_cast<std::size_t>(n));
  std::vector<const char*> values(static_cast<std::size_t>(n));
  bool has_null = false;
  for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
    // A NULL parameter is a literal in the text (with_null_literals); its
    // slot keeps a type so the server does not ask what it is.
    oids[i] = types_[i] == 'i' ? kInt8Oid : types_[i] == 'd' ? kFloat8Oid : kTextOid;
    values[i] = nulls_[i] ? nullptr : values_[i].c_str();
    has_null = has_null || nulls_[i];
  }
  if (text_->cached) {
    // Prepared once per signature of types.
    const std::string& signature = types_;
    auto it = text_->prepared.find(signature);
    if (it == text_->prepared.end()) {
      std::string name = conn_.next_name();
      const std::string sql = has_null ? with_null_literals(text_->sql, text_->spots, types_) : std::string();
      PgResultPtr prep(PQprepare(pg, name.c_str(), has_null ? sql.c_str() : text_->sql.c_str(), n, oids.data()));
      if (prep == nullptr || PQresultStatus(prep.get()) != PGRES_COMMAND_OK) {
        return result_status(prep.get(), pg, purpose);
      }
      it = text_->prepared.emplace(signature, std::move(name)).first;
    }
    res_.reset(PQexecPrepared(pg, it->second.c_str(), n, values.data(), nullptr, nullptr, 0));
  } else {
    const std::string sql = has_null ? with_null_literals(text_->sql, text_->spots, types_) : text_->sql;
    res_.reset(PQexecParams(pg, sql.c_str(), n, oids.data(), values.data(), nullptr, nullptr, 0));
  }
  const auto status = res_ != nullptr ? PQresultStatus(res_.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    Status st = result_status(res_.get(), pg, purpose);
    res_.reset();
    done_ = true;
    return st;
  }
  const char* tag = PQcmdStatus(res_.get());
  if (tag != nullptr && counts_changes(tag)) conn_.set_changes(std::strtoll(PQcmdTuples(res_.get()), nullptr, 10));
  row_ = 0;
  if (status == PGRES_TUPLES_OK && PQntuples(res_.get()) > 0) return true;
  done_ = true;
  return false;
}

}  // namespace

const Dialect& pg_dialect() {
  static const Dialect dialect{
      .name = "postgresql",
      .begin_write = "BEGIN",
      // One snapshot for the whole read, as SQLite's deferred transaction;
      // a read-only REPEATABLE READ transaction never fails to serialize.
      .begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
      .regex_operator = "~",
      .for_update = " FOR UPDATE",
      .identity_column = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
      .integer_type = "BIGINT",
      .real_type = "DOUBLE PRECISION",
      .random_uuid = "gen_random_uuid()::text",
      .random_hex32 = "replace(gen_random_uuid()::text, '-', '')",
      // Any constant key: every Stratus opener of this database takes the same one.
      .migration_lock = "SELECT pg_advisory_xact_lock(7415001)",
  };
  return dialect;
}

bool is_pg_connection_string(std::string_view connection) {
  return connection.rfind("postgresql://", 0) == 0 || connection.rfind("postgres://", 0) == 0;
}

Result<std::unique_ptr<Connection>> open_pg_connection(const std::string& connection, const PgOptions& options) {
  // connect_timeout before dbname, so that one in the URL takes precedence.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "stratus", connection.c_str(), nullptr};
  PgConnPtr conn(PQconnectdbParams(keywords, values, 1));
  const std::string shown = redact_connection_string(connection);
  if (conn == nullptr) return Status::Unavailable("connect to " + shown + ": out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return Status::Unavailable("connect to " + shown + ": " + trimmed(PQerrorMessage(conn.get())));
  }
  auto pg = std::make_unique<PgConnection>(std::move(conn), connection, options);
  if (Status st = pg->configure_session(); !st.ok()) return st;
  return std::unique_ptr<Connection>(std::move(pg));
}

std::string rewrite_placeholders(std::string_view sql, int* parameters, std::vector<PlaceholderSpot>* spots) {
  std::string out;
  out.reserve(sql.size() + 16);
  int highest = 0;
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (std::size_t skipped = skip_quoted_or_comment(sql, i); skipped != i) {
      out.append(sql.substr(i, skipped - i));
      i = skipped;
    } else if (c == '?') {
      std::size_t end = i + 1;
      while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9') ++end;
      int number = end > i + 1 ? std::atoi(std::string(sql.substr(i + 1, end - i - 1)).c_str()) : highest + 1;
      if (number > highest) highest = number;
      if (spots != nullptr) spots->push_back(PlaceholderSpot{out.size(), std::to_string(number).size() + 1, number});
      out += '$';
      out += std::to_string(number);
      i = end;
    } else {
      out += c;
      ++i;
    }
  }
  if (parameters != nullptr) *parameters = highest;
  return out;
}

Status pg_status(std::string_view sqlstate, std::string_view purpose, std::string_view detail) {
  std::string msg(purpose);
  msg += ": ";
  msg += detail;
  if (sqlstate.empty() || sqlstate.substr(0, 2) == "08" || sqlstate == "40001" || sqlstate == "40P01" ||
      sqlstate == "55P03" || sqlstate == "57014" || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03" || sqlstate == "53300") {
    return Status::Unavailable(std::move(msg));
  }
  if (sqlstate == "23505") return Status::AlreadyExists(std::move(msg));
  if (sqlstate.substr(0, 2) == "23" || sqlstate == "2201B") return Status::InvalidArgument(std::move(msg));
  return Status::Internal(std::move(msg));
}

std::string redact_connection_string(std::string_view connection) {
  std::string s(connection);
  if (is_pg_connection_string(s)) {
    const auto scheme = s.find("://") + 3;
    const auto at = s.find('@', scheme);
    const auto colon = s.find(':', scheme);
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      s.replace(colon + 1, at - colon - 1, "***");
    }
    return s;
  }
  const auto pw = s.find("password=");
  if (pw != std::string::npos) {
    auto end = s.find(' ', pw);
    if (end == std::string::npos) end = s.size();
    s.replace(pw + 9, end - pw - 9, "***");
  }
  return s;
}

}  // namespace stratus::core::db
