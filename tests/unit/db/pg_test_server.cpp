#include "pg_test_server.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "core/db/database.h"
#include "core/db/pg_connection.h"

namespace stratus::core::db::testing {

namespace fs = std::filesystem;

namespace {

// The directory with initdb and postgres: $STRATUS_PG_BINDIR, else the
// newest /usr/lib/postgresql/<version>/bin that has both.
fs::path find_bindir() {
  auto has_both = [](const fs::path& d) { return fs::exists(d / "initdb") && fs::exists(d / "postgres"); };
  if (const char* env = std::getenv("STRATUS_PG_BINDIR"); env != nullptr && *env != '\0') {
    return has_both(env) ? fs::path(env) : fs::path();
  }
  std::error_code ec;
  std::vector<std::pair<int, fs::path>> found;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto bin = entry.path() / "bin";
    if (has_both(bin)) found.emplace_back(std::atoi(entry.path().filename().c_str()), bin);
  }
  if (found.empty()) return {};
  return std::max_element(found.begin(), found.end())->second;
}

// Who runs the server: nobody when we are root (postgres refuses root).
struct RunAs {
  bool change = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

// Starts argv with stdout and stderr to `log`, as `who`; the child gets
// SIGINT if this thread dies. -1 when fork fails.
pid_t spawn(const std::vector<std::string>& args, const fs::path& log, const RunAs& who) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string log_path = log.string();
  pid_t pid = fork();
  if (pid != 0) return pid;
  // Child: only async-signal-safe calls from here on.
  if (who.change) {
    if (setgroups(0, nullptr) != 0 || setgid(who.gid) != 0 || setuid(who.uid) != 0) _exit(126);
  }
  prctl(PR_SET_PDEATHSIG, SIGINT);  // after setuid, which clears it
  int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
  }
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  execv(argv[0], argv.data());
  _exit(127);
}

// Waits up to `ms` for `pid`; its exit status, or -1 if it is still running.
int wait_for(pid_t pid, int ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0) return 255;
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string tail_of(const fs::path& log) {
  std::FILE* f = std::fopen(log.c_str(), "r");
  if (f == nullptr) return "(no log)";
  std::string text;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return text.size() > 1500 ? text.substr(text.size() - 1500) : text;
}

}  // namespace

std::unique_ptr<PgTestServer> PgTestServer::start(std::string* why) {
  const fs::path bindir = find_bindir();
  if (bindir.empty()) {
    *why = "PostgreSQL binaries not found (install postgresql, see scripts/install-deps.sh, or set STRATUS_PG_BINDIR)";
    return nullptr;
  }
  RunAs who;
  if (geteuid() == 0) {
    const passwd* pw = getpwnam("nobody");
    if (pw == nullptr) {
      *why = "running as root and there is no user 'nobody' to run postgres as";
      return nullptr;
    }
    who = RunAs{true, pw->pw_uid, pw->pw_gid};
  }
  std::unique_ptr<PgTestServer> server(new PgTestServer());
  std::string tmpl = (fs::temp_directory_path() / "stratus-pg-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    *why = "mkdtemp failed";
    return nullptr;
  }
  server->dir_ = tmpl;
  if (who.change && chown(tmpl.c_str(), who.uid, who.gid) != 0) {
    *why = "cannot hand " + tmpl + " to nobody";
    return nullptr;
  }
  const fs::path data = server->dir_ / "data";
  const fs::path initdb_log = server->dir_ / "initdb.log";
  pid_t init = spawn({(bindir / "initdb").string(), "-D", data.string(), "-U", "postgres", "--auth=trust",
                      "--locale=C", "--encoding=UTF8", "-N"},
                     initdb_log, who);
  if (init < 0 || wait_for(init, 120000) != 0) {
    if (init > 0) {
      kill(init, SIGKILL);
      waitpid(init, nullptr, 0);
    }
    *why = "initdb failed: " + tail_of(initdb_log);
    return nullptr;
  }
  std::mt19937 rng(static_cast<unsigned>(getpid()) ^
                   static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
  const fs::path log = server->dir_ / "postgres.log";
  for (int attempt = 0; attempt < 10; ++attempt) {
    const int port = 47500 + static_cast<int>(rng() % 50);
    pid_t pid = spawn({(bindir / "postgres").string(), "-D", data.string(), "-k", server->dir_.string(), "-p",
                       std::to_string(port), "-h", "127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                       "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "shared_buffers=32MB"},
                      log, who);
    if (pid < 0) break;
    server->pid_ = pid;
    server->port_ = port;
    // Asked through the Unix socket in our own folder: on the TCP port, a
    // server another test process started there first would answer while
    // ours is still failing to bind, and both would then share it.
    const std::string ping = "host=" + server->dir_.string() + " port=" + std::to_string(port) +
                             " user=postgres dbname=postgres connect_timeout=2";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (wait_for(pid, 0) >= 0) {
        exited = true;  // most likely the port is taken: another one
        break;
      }
      auto conn = open_pg_connection(ping, PgOptions{});
      if (conn.ok()) return server;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!exited) {
      server->stop(5000);
      break;
    }
    server->pid_ = -1;
  }
  *why = "postgres did not start: " + tail_of(log);
  return nullptr;
}

PgTestServer* PgTestServer::shared(std::string* why) {
  static std::string failure;
  static std::unique_ptr<PgTestServer> server = start(&failure);
  if (server == nullptr) *why = failure;
  return server.get();
}

PgTestServer::~PgTestServer() {
  stop();
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

void PgTestServer::stop(int wait_ms) {
  if (pid_ <= 0) return;
  kill(pid_, SIGINT);  // fast shutdown: abort transactions, checkpoint, exit
  if (wait_for(pid_, wait_ms) < 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
}

std::string PgTestServer::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

sdk::Status PgTestServer::create_database(const std::string& name) {
  auto admin = open_pg_connection(url("postgres"), PgOptions{});
  if (!admin.ok()) return admin.status();
  return (*admin)->exec_script("create test database " + name, "CREATE DATABASE \"" + name + "\"");
}

sdk::Status PgTestServer::drop_database_of(const std::string& url) {
  const std::string name = url.substr(url.rfind('/') + 1);
  auto admin = open_pg_connection(this->url("postgres"), PgOptions{});
  if (!admin.ok()) return admin.status();
  return (*admin)->exec_script("drop test database " + name, "DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
}

sdk::Result<std::string> PgTestServer::fresh_database() {
  // Migrating takes longer than copying: the first call migrates a template
  // (through Database::open, as any test would), the others copy it.
  if (!template_ready_) {
    if (auto st = create_database("stratus_template"); !st.ok()) return st;
    auto migrated = Database::open(url("stratus_template"), dir_);
    if (!migrated.ok()) return migrated.status();
    template_ready_ = true;
  }
  const std::string name = "stratus_test_" + std::to_string(getpid()) + "_" + std::to_string(++databases_);
  auto admin = open_pg_connection(url("postgres"), PgOptions{});
  if (!admin.ok()) return admin.status();
  auto st = (*admin)->exec_script("create test database " + name,
                                  "CREATE DATABASE \"" + name + "\" TEMPLATE stratus_template");
  if (!st.ok()) return st;
  return url(name);
}

}  // namespace stratus::core::db::testing
