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

// A new session on `connection` (a libpq URL or key=value string).
Result<PgConnPtr> connect_pg(const std::string& connection) {
  // connect_timeout before dbname, so that one in the URL takes precedence.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "stratus", connection.c_str(), nullptr};
  PgConnPtr conn(PQconnectdbParams(keywords, values, 1));
  const std::string shown = redact_connection_string(connection);
  if (conn == nullptr) return Status::Unavailable("connect to " + shown + ": out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return Status::Unavailable("connect to " + shown + ": " + trimmed(PQerrorMessage(conn.get())));
  }
  return conn;
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

// One command of a pipeline (PgConnection::pipeline): a statement of
// transaction control, a PQsendPrepare, or a run of a prepared or an unnamed
// statement with its parameters.
struct PgCommand {
  enum class Kind { kControl, kPrepare, kRunPrepared, kRunText } kind;
  const char* text = nullptr;  // the SQL (kControl, kPrepare, kRunText) or the statement's name (kRunPrepared)
  const char* name = nullptr;  // kPrepare: the name it is prepared under
  int parameters = 0;
  const Oid* oids = nullptr;
  const char* const* values = nullptr;
};

class PgConnection final : public Connection {
 public:
  PgConnection(PgConnPtr conn, std::string conninfo, PgOptions options)
      : conn_(std::move(conn)), conninfo_(std::move(conninfo)), options_(options) {}

  std::int64_t changes() const override { return changes_; }
  const Dialect& dialect() const noexcept override { return pg_dialect(); }
  bool lost() const noexcept override { return broken_ || PQstatus(conn_.get()) != CONNECTION_OK; }

  Status ensure_open(std::string_view purpose) override {
    if (!lost() && !peer_closed(conn_.get())) return Status::OK();
    std::string why = trimmed(PQerrorMessage(conn_.get()));
    RetryPolicy policy;
    policy.attempts = options_.reconnect_attempts;
    policy.first_pause = std::chrono::milliseconds(options_.reconnect_backoff_ms);
    Status st = retry_bounded(
        policy,
        [&](int attempt) {
          spdlog::warn("database: connection to {} lost ({}); reconnecting, try {} of {}",
                       redact_connection_string(conninfo_), why, attempt, options_.reconnect_attempts);
          Status tried = reconnect();
          if (tried.ok()) {
            spdlog::info("database: reconnected to {} after {} tries", redact_connection_string(conninfo_), attempt);
          } else {
            why = tried.message();
          }
          return tried;
        },
        [](const Status&) { return true; });
    if (st.ok()) return st;
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

  Status do_end_transaction(std::string_view purpose, bool commit, bool write) override {
    if (begin_held_) {
      // Nothing of the transaction reached the server: nothing to end.
      control_.clear();
      begin_held_ = false;
      return Status::OK();
    }
    if (lost()) {
      control_.clear();
      return Status::Unavailable(std::string(purpose) + ": the connection to the database was lost (" +
                                 trimmed(PQerrorMessage(conn_.get())) + ")");
    }
    if (!commit || !write) {
      // A ROLLBACK, or the COMMIT of a read: nobody waits for the answer
      // (the server acts on it as it arrives); the next pipeline reads it.
      if (!commit) control_.clear();  // savepoint bookkeeping of a transaction that is being undone
      PgCommand end{PgCommand::Kind::kControl, commit ? "COMMIT" : "ROLLBACK"};
      auto sent = pipeline(purpose, &end, 1, /*wait=*/false);
      return sent.ok() ? Status::OK() : sent.status();
    }
    PgCommand end{PgCommand::Kind::kControl, "COMMIT"};
    auto res = pipeline(purpose, &end, 1, /*wait=*/true);
    if (!res.ok()) return res.status();
    // COMMIT of a transaction a failed statement aborted answers ROLLBACK.
    const char* tag = *res != nullptr ? PQcmdStatus(res->get()) : nullptr;
    if (tag != nullptr && std::strcmp(tag, "ROLLBACK") == 0) {
      return Status::Internal(std::string(purpose) +
                              ": the transaction was rolled back by the server (a statement in it had failed)");
    }
    return Status::OK();
  }

  PGconn* raw() { return conn_.get(); }
  void set_changes(std::int64_t n) { changes_ = n; }
  // A fresh name for a server-side prepared statement.
  std::string next_name() { return "stratus_" + std::to_string(++names_); }
  // Whether a statement must go through pipeline(): control statements are
  // held back, or an answer of an earlier pipeline is still unread.
  bool pipeline_needed() const { return !control_.empty() || unanswered_ > 0; }

  // Sends the held-back control statements, then `commands`, then a sync, in
  // one write, and (wait) reads every answer: one round trip for all. The
  // answer of the last command (nullptr without wait), or the first error.
  // Answers of earlier pipelines sent without wait are read first.
  Result<PgResultPtr> pipeline(std::string_view purpose, const PgCommand* commands, int count, bool wait) {
    PGconn* pg = conn_.get();
    if (PQpipelineStatus(pg) == PQ_PIPELINE_OFF && PQenterPipelineMode(pg) != 1) {
      return result_status(nullptr, pg, purpose);
    }
    std::vector<PgCommand> all;
    all.reserve(control_.size() + static_cast<std::size_t>(count));
    for (const auto& sql : control_) all.push_back(PgCommand{PgCommand::Kind::kControl, sql.c_str()});
    for (int i = 0; i < count; ++i) all.push_back(commands[i]);
    bool sent = true;
    for (const auto& c : all) {
      switch (c.kind) {
        case PgCommand::Kind::kControl:
          sent = PQsendQueryParams(pg, c.text, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
          break;
        case PgCommand::Kind::kPrepare:
          sent = PQsendPrepare(pg, c.name, c.text, c.parameters, c.oids) == 1;
          break;
        case PgCommand::Kind::kRunPrepared:
          sent = PQsendQueryPrepared(pg, c.text, c.parameters, c.values, nullptr, nullptr, 0) == 1;
          break;
        case PgCommand::Kind::kRunText:
          sent = PQsendQueryParams(pg, c.text, c.parameters, c.oids, c.values, nullptr, nullptr, 0) == 1;
          break;
      }
      if (!sent) break;
    }
    if (sent) sent = PQpipelineSync(pg) == 1;
    control_.clear();
    begin_held_ = false;
    if (!sent) return abandon(purpose);
    ++unanswered_;
    if (!wait) return PgResultPtr();
    // Earlier pipelines' answers first (a read's COMMIT, a ROLLBACK).
    while (unanswered_ > 1) {
      if (Status st = read_answers(purpose, 0, nullptr); lost()) return abandon(purpose, st);
    }
    PgResultPtr last;
    Status st = read_answers(purpose, static_cast<int>(all.size()), &last);
    if (lost()) return abandon(purpose, st);
    if (PQexitPipelineMode(pg) != 1) return abandon(purpose);
    if (!st.ok()) return st;
    return last;
  }

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
    if (pipeline_needed()) {
      // PQexec runs outside pipeline mode: what is held back goes first.
      auto flushed = pipeline(purpose, nullptr, 0, /*wait=*/true);
      if (!flushed.ok()) return flushed.status();
    }
    PgResultPtr res(PQexec(conn_.get(), sql.c_str()));
    const auto status = res != nullptr ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
      return Status::OK();
    }
    return result_status(res.get(), conn_.get(), purpose);
  }

  // BEGIN, SAVEPOINT, RELEASE and ROLLBACK TO wait for the next statement
  // (or COMMIT) and travel with it. A savepoint nothing ran in is dropped
  // whole: its SAVEPOINT never leaves.
  Status do_defer(std::string_view /*purpose*/, const std::string& sql) override {
    static constexpr std::string_view kRelease = "RELEASE SAVEPOINT ";
    static constexpr std::string_view kRollbackTo = "ROLLBACK TO SAVEPOINT ";
    const std::string_view s(sql);
    if (s.rfind(kRelease, 0) == 0 && !control_.empty() &&
        control_.back() == "SAVEPOINT " + std::string(s.substr(kRelease.size()))) {
      control_.pop_back();
      return Status::OK();
    }
    if (s.rfind(kRollbackTo, 0) == 0 && !control_.empty() &&
        control_.back() == "SAVEPOINT " + std::string(s.substr(kRollbackTo.size()))) {
      return Status::OK();  // nothing since the savepoint reached the server
    }
    if (s.rfind("BEGIN", 0) == 0) {
      control_.clear();
      begin_held_ = true;
    }
    control_.push_back(sql);
    return Status::OK();
  }

 private:
  // Reads one pipeline's answers up to its sync: `commands` answers (each
  // followed by libpq's end-of-answer nullptr), or (0) whatever comes. The
  // first error is returned; `last` gets the last command's answer.
  Status read_answers(std::string_view purpose, int commands, PgResultPtr* last) {
    PGconn* pg = conn_.get();
    Status first;
    // Bounded: a command's answer, its nullptr, and the sync; a lost
    // connection ends it early.
    const int bound = commands > 0 ? 2 * commands + 1 : 64;
    for (int i = 0; i < bound; ++i) {
      PgResultPtr r(PQgetResult(pg));
      if (r == nullptr) {
        if (lost()) return first.ok() ? result_status(nullptr, pg, purpose) : first;
        continue;  // the end of one command's answers
      }
      const auto status = PQresultStatus(r.get());
      if (status == PGRES_PIPELINE_SYNC) {
        --unanswered_;
        return first;
      }
      if (status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR || status == PGRES_BAD_RESPONSE) {
        if (first.ok()) first = result_status(r.get(), pg, purpose);
      }
      if (last != nullptr) *last = std::move(r);
    }
    return first.ok() ? Status::Internal(std::string(purpose) + ": no end of the pipeline's answers") : first;
  }

  // A pipeline that could not be sent or read whole: the session is in an
  // unknown state, so it counts as lost (the next ensure_open opens a new
  // one; the server rolls back what it had of the transaction).
  Status abandon(std::string_view purpose, Status why = Status::OK()) {
    Status st = why.ok() ? result_status(nullptr, conn_.get(), purpose) : std::move(why);
    control_.clear();
    begin_held_ = false;
    unanswered_ = 0;
    broken_ = true;
    return Status::Unavailable(st.message());
  }

  // A new session in place of a lost one.
  Status reconnect() {
    auto fresh = connect_pg(conninfo_);
    if (!fresh.ok()) return fresh.status();
    conn_ = std::move(*fresh);
    broken_ = false;
    control_.clear();
    begin_held_ = false;
    unanswered_ = 0;
    forget_prepared();  // the server's prepared statements went with the session
    return configure_session();
  }

  void forget_prepared() {
    for (auto& [sql, text] : texts_) text->prepared.clear();
  }

  PgConnPtr conn_;
  std::string conninfo_;
  PgOptions options_;
  std::unordered_map<std::string, std::shared_ptr<PgText>> texts_;  // by the caller's text
  std::int64_t changes_ = 0;
  std::uint64_t names_ = 0;
  std::vector<std::string> control_;  // held-back control statements, in order
  bool begin_held_ = false;           // control_ starts with this transaction's BEGIN, not yet sent
  int unanswered_ = 0;                // pipelines sent whose answers are not read yet
  bool broken_ = false;               // a pipeline failed half way: the session is not trusted
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
  if (conn_.lost()) {
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
  const std::string sql = has_null ? with_null_literals(text_->sql, text_->spots, types_) : std::string();
  const char* text = has_null ? sql.c_str() : text_->sql.c_str();
  // Prepared once per signature of types; a new one is prepared in the same
  // round trip as its first run.
  std::string name;
  bool prepare = false;
  if (text_->cached) {
    auto it = text_->prepared.find(types_);
    prepare = it == text_->prepared.end();
    name = prepare ? conn_.next_name() : it->second;
  }
  if (prepare || conn_.pipeline_needed()) {
    PgCommand commands[2];
    int count = 0;
    if (prepare) commands[count++] = PgCommand{PgCommand::Kind::kPrepare, text, name.c_str(), n, oids.data()};
    if (text_->cached) {
      commands[count++] = PgCommand{PgCommand::Kind::kRunPrepared, name.c_str(), nullptr, n, nullptr, values.data()};
    } else {
      commands[count++] = PgCommand{PgCommand::Kind::kRunText, text, nullptr, n, oids.data(), values.data()};
    }
    auto res = conn_.pipeline(purpose, commands, count, /*wait=*/true);
    if (!res.ok()) {
      done_ = true;
      return res.status();
    }
    if (prepare) text_->prepared.emplace(types_, name);
    res_ = std::move(*res);
  } else if (text_->cached) {
    res_.reset(PQexecPrepared(pg, name.c_str(), n, values.data(), nullptr, nullptr, 0));
  } else {
    res_.reset(PQexecParams(pg, text, n, oids.data(), values.data(), nullptr, nullptr, 0));
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
  auto conn = connect_pg(connection);
  if (!conn.ok()) return conn.status();
  auto pg = std::make_unique<PgConnection>(std::move(*conn), connection, options);
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
  if (sqlstate.empty() || sqlstate.substr(0, 2) == "08" || sqlstate == "40001" || sqlstate == "40P01" ||
      sqlstate == "55P03" || sqlstate == "57014" || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03" || sqlstate == "53300") {
    return classified_status(ErrorClass::kTransient, purpose, detail);
  }
  if (sqlstate == "23505") return classified_status(ErrorClass::kDuplicate, purpose, detail);
  if (sqlstate.substr(0, 2) == "23" || sqlstate == "2201B") {
    return classified_status(ErrorClass::kConstraint, purpose, detail);
  }
  return classified_status(ErrorClass::kOther, purpose, detail);
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
