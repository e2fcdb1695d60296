// `stratus aio`: the whole cloud in one process.
//
// Every role (router, api, conductor, scheduler and one compute service per
// fake host) runs in this process over inproc RPC, with the SQLite database
// in the data directory, seeded on first start with the m1.* flavors, a
// default network and a placeholder image, so a server can be created at once.
// With api.auth_strategy = keystone (the default) it also bootstraps the
// identity service and writes <data-dir>/clouds.yaml for the openstack CLI.
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/cli/commands.h"
#include "core/db/database.h"
#include "core/identity/bootstrap.h"
#include "core/node/node.h"

namespace stratus::core {

namespace {

struct AioOptions {
  int fake_hosts = 1;
  std::string data_dir;  // empty: the config's
  std::string listen;    // empty: the config's
};

// Host names of the fake compute hosts: the config's host alone, or
// <host>-1 .. <host>-N.
std::vector<std::string> fake_host_names(const std::string& host, int count) {
  if (count == 1) return {host};
  std::vector<std::string> names;
  for (int i = 1; i <= count; ++i) names.push_back(host + "-" + std::to_string(i));
  return names;
}

// Runs the identity bootstrap (core/identity/bootstrap.h) and says how to
// log in. False (after saying why) if it failed.
bool print_identity_bootstrap(const Config& cfg, const std::string& public_url) {
  // A second handle on the node's database file: SQLite serialises the two.
  db::DatabaseOptions db_options;
  db_options.pool_size = static_cast<int>(cfg.database.pool_size);
  auto db = db::Database::open(cfg.database.connection, cfg.data_dir, db_options);
  if (!db.ok()) {
    std::cerr << "stratus: aio: identity bootstrap: " << db.status().message() << "\n";
    return false;
  }
  auto boot = identity::bootstrap_identity(**db, cfg.data_dir, public_url + "/identity/v3");
  if (!boot.ok()) {
    std::cerr << "stratus: aio: identity bootstrap: " << boot.status().message() << "\n";
    return false;
  }
  const std::string path = std::filesystem::absolute(boot->clouds_yaml).string();
  std::cout << "  identity: " << public_url << "/identity/v3"
            << (boot->created_admin ? " ; created user admin (role admin on project admin) with a random password"
                                    : "")
            << "\n";
  if (boot->clouds_yaml_written) {
    std::cout << "  log in with the openstack CLI (credentials in " << path << ", mode 0600):\n"
              << "       export OS_CLIENT_CONFIG_FILE=" << path << " OS_CLOUD=stratus\n"
              << "       openstack server list\n";
  } else {
    std::cout << "  no " << path << " (it holds the admin password and was removed): set a new password with\n"
              << "       stratus user set-password admin --data-dir " << cfg.data_dir << " --password ...\n";
  }
  std::cout << "  authenticate: X-Auth-Token from POST " << public_url << "/identity/v3/auth/tokens\n";
  return true;
}

int run_aio(const GlobalOptions& options, const AioOptions& aio) {
  const sigset_t stop_signals = block_stop_signals();

  auto made = make_environment(options);
  if (!made.ok()) {
    std::cerr << "stratus: " << made.status().message() << "\n";
    return 2;
  }
  CliEnvironment& env = **made;
  Config cfg = env.config;
  if (!aio.data_dir.empty()) cfg.data_dir = aio.data_dir;
  if (!aio.listen.empty()) cfg.api.listen = aio.listen;
  // One process: the roles talk over inproc, whatever the file says about tcp.
  cfg.rpc.router = "inproc://stratus-aio";
  cfg.rpc.bind.clear();
  cfg.rpc.keys_dir.clear();

  NodeOptions node_options;
  node_options.roles = {Role::kRouter, Role::kApi, Role::kConductor, Role::kScheduler, Role::kCompute};
  node_options.compute_hosts = fake_host_names(cfg.host, aio.fake_hosts);

  auto node = Node::create(cfg, env.registry, node_options);
  if (!node.ok()) {
    std::cerr << "stratus: aio: " << node.status().message() << "\n";
    return 2;
  }
  if (auto s = (*node)->start(); !s.ok()) {
    std::cerr << "stratus: aio: " << s.message() << "\n";
    return 1;
  }

  const std::string url = (*node)->api_url();
  std::cout << "stratus aio: config from " << cfg.source << "\n";
  std::cout << "  data directory " << cfg.data_dir << "\n";
  for (const auto& line : (*node)->describe()) std::cout << "  " << line << "\n";
  const bool keystone = cfg.api.auth_strategy == "keystone";
  const bool token = cfg.api.auth_strategy != "noauth";
  if (keystone) {
    if (!print_identity_bootstrap(cfg, (*node)->public_url())) {
      (*node)->stop();
      return 1;
    }
  } else {
    std::cout << "  authenticate: "
              << (token ? "send X-Auth-Token: <api.admin_token> (export STRATUS_TOKEN=... for the stratus client)"
                        : "none (api.auth_strategy = noauth: every request acts as admin)")
              << "\n";
  }
  std::cout << "  try: export STRATUS_URL=" << url << "/v2.1\n";
  if (keystone) std::cout << "       export STRATUS_TOKEN=$(openstack token issue -f value -c id)\n";
  std::cout << "       stratus server create demo --flavor m1.tiny --image cirros-0.6.2-x86_64-disk --wait\n"
            << "       curl -s " << url << "/v2.1/servers/detail" << (token ? " -H 'X-Auth-Token: ...'" : "")
            << "\n";
  std::cout << "stratus aio: ready at " << url << "/v2.1 ; Ctrl-C stops it" << std::endl;
  spdlog::info("aio ready with {} compute host(s)", (*node)->compute_hosts().size());

  const int signal_number = wait_for_stop_signal(stop_signals);
  spdlog::info("aio stopping on signal {}", signal_number);
  (*node)->stop();
  std::cout << "stratus aio: stopped" << std::endl;
  return 0;
}

}  // namespace

void add_aio_command(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  static AioOptions aio_options;
  CLI::App* aio = app.add_subcommand("aio", "Run the whole cloud in one process");
  aio->add_option("--fake-hosts", aio_options.fake_hosts, "Number of compute hosts to simulate")
      ->check(CLI::Range(1, 10000));
  aio->add_option("--data-dir", aio_options.data_dir, "Data directory for the database (default: config data_dir)");
  aio->add_option("--listen", aio_options.listen, "API address HOST:PORT (default: config api.listen); port 0 picks one");
  aio->callback([&options, &exit_code] {
    // Start-up code below us may throw (a library that fails to initialise);
    // say what happened and exit non-zero rather than terminate.
    try {
      exit_code = run_aio(options, aio_options);
    } catch (const std::exception& e) {
      std::cerr << "stratus: aio: " << e.what() << "\n";
      exit_code = 1;
    }
  });
}

}  // namespace stratus::core
