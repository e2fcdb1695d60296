// A throwaway PostgreSQL server for tests: Debian's initdb in a temporary
// folder, `postgres` on 127.0.0.1 at a port of 47500-47549, trust
// authentication for the superuser "postgres", C collation (so text sorts
// as in SQLite), durability off (fsync) for speed. Stopped by PID (SIGINT,
// a bounded wait, then SIGKILL) when the object goes, and by the kernel
// (parent-death signal) if the test process dies first.
//
// PostgreSQL refuses to run as root: when the tests run as root, initdb and
// postgres run as the user `nobody` (the temporary folder is handed to it).
// Without the binaries (STRATUS_PG_BINDIR, or /usr/lib/postgresql/<v>/bin)
// start() says why and the tests skip.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::core::db::testing {

class PgTestServer {
 public:
  // A running server, or nullptr with *why set.
  static std::unique_ptr<PgTestServer> start(std::string* why);
  // The server of this test process, started on first use (nullptr, with
  // *why, when it cannot be); stopped at exit.
  static PgTestServer* shared(std::string* why);

  ~PgTestServer();
  PgTestServer(const PgTestServer&) = delete;
  PgTestServer& operator=(const PgTestServer&) = delete;

  // postgresql://postgres@127.0.0.1:<port>/<database>
  std::string url(const std::string& database) const;
  // Creates an empty database; a fresh name each call from fresh_database().
  sdk::Status create_database(const std::string& name);
  // Creates a migrated database (a copy of a template migrated on the first
  // call) with a name unique in this process and returns its URL.
  sdk::Result<std::string> fresh_database();

  // Drops the database a URL of url() names (WITH (FORCE): its sessions end).
  sdk::Status drop_database_of(const std::string& url);

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Stops the server (SIGINT, then SIGKILL after `wait_ms`); idempotent.
  void stop(int wait_ms = 15000);

 private:
  PgTestServer() = default;

  std::filesystem::path dir_;  // removed at the end
  pid_t pid_ = -1;
  int port_ = 0;
  int databases_ = 0;
  bool template_ready_ = false;  // stratus_template migrated
};

}  // namespace stratus::core::db::testing
