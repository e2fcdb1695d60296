#include "core/db/database.h"

#include <spdlog/spdlog.h>

namespace stratus::core::db {

sdk::Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& data_dir,
                                                      const DatabaseOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return sdk::Status::Unavailable("create data directory " + data_dir.string() + ": " + ec.message());
  }
  auto path = data_dir / "stratus.db";
  Connection::Options copts;
  copts.busy_timeout_ms = options.busy_timeout_ms;
  auto conn = Connection::open(path.string(), copts);
  if (!conn.ok()) return conn.status();
  const auto& migrations = options.migrations != nullptr ? *options.migrations : builtin_migrations();
  auto st = migrate(**conn, migrations);
  if (!st.ok()) return sdk::Status(st.code(), path.string() + ": " + st.message());
  spdlog::debug("database {} at schema version {}", path.string(), db::schema_version(**conn));
  return std::unique_ptr<Database>(new Database(path, std::move(*conn)));
}

int Database::schema_version() {
  std::lock_guard lock(mu_);
  return db::schema_version(*conn_);
}

}  // namespace stratus::core::db
