// `stratus serve ROLE...`: run any set of the roles (router, api, conductor,
// scheduler, compute) in this process, connected to config rpc.router, until
// SIGINT or SIGTERM. Several processes, each with some roles, make one cloud.
#include <iostream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/cli/commands.h"
#include "core/node/node.h"

namespace stratus::core {

namespace {

struct ServeOptions {
  std::vector<std::string> roles;
  std::string bind;          // router role: overrides rpc.bind
  std::string router;        // overrides rpc.router
  std::string keys_dir;      // overrides rpc.keys_dir
  bool insecure = false;
  int heartbeat_ms = 0;      // 0: config
  std::vector<std::string> compute_hosts;
  std::string listen;        // overrides api.listen
  std::string data_dir;      // overrides data_dir
};

int serve(const GlobalOptions& options, const ServeOptions& opts) {
  const sigset_t stop_signals = block_stop_signals();

  auto made = make_environment(options);
  if (!made.ok()) {
    std::cerr << "stratus: " << made.status().message() << "\n";
    return 2;
  }
  CliEnvironment& env = **made;
  Config cfg = env.config;
  if (!opts.bind.empty()) cfg.rpc.bind = opts.bind;
  if (!opts.router.empty()) cfg.rpc.router = opts.router;
  if (!opts.keys_dir.empty()) cfg.rpc.keys_dir = opts.keys_dir;
  if (opts.heartbeat_ms > 0) cfg.rpc.heartbeat_ms = opts.heartbeat_ms;
  if (!opts.listen.empty()) cfg.api.listen = opts.listen;
  if (!opts.data_dir.empty()) cfg.data_dir = opts.data_dir;

  NodeOptions node_options;
  for (const auto& name : opts.roles) {
    auto role = parse_role(name);
    if (!role.ok()) {
      std::cerr << "stratus: serve: " << role.status().message() << "\n";
      return 2;
    }
    node_options.roles.insert(*role);
  }
  node_options.compute_hosts = opts.compute_hosts;
  node_options.insecure_router = opts.insecure;
  // A router alone binds where it is told; with other roles, they connect to it.
  if (node_options.roles.count(Role::kRouter) != 0 && cfg.rpc.bind.empty()) cfg.rpc.bind = cfg.rpc.router;

  auto node = Node::create(cfg, env.registry, node_options);
  if (!node.ok()) {
    std::cerr << "stratus: serve: " << node.status().message() << "\n";
    return 2;
  }
  if (auto s = (*node)->start(); !s.ok()) {
    std::cerr << "stratus: serve: " << s.message() << "\n";
    return s.is(sdk::StatusCode::kInvalidArgument) ? 2 : 1;
  }
  if (auto addresses = (*node)->router_addresses(); !addresses.empty()) {
    std::cout << "stratus router: listening on";
    for (const auto& a : addresses) std::cout << " " << a;
    std::cout << ((*node)->router_secure() ? " (CURVE, allow-list " + cfg.rpc.keys_dir + ")" : " (no encryption)")
              << std::endl;
    if (!(*node)->router_secure() && addresses[0].rfind("tcp://", 0) == 0) {
      spdlog::warn("router on tcp without CURVE (--insecure): traffic is plaintext");
    }
  }
  for (const auto& line : (*node)->describe()) std::cout << "  " << line << "\n";
  std::cout << "stratus serve:";
  for (const auto& r : opts.roles) std::cout << " " << r;
  std::cout << " ready" << std::endl;

  const int signal_number = wait_for_stop_signal(stop_signals);
  spdlog::info("serve stopping on signal {}", signal_number);
  auto stats = (*node)->router_stats();
  (*node)->stop();
  if (stats) {
    std::cout << "stratus router: stopped; routed " << stats->routed << ", replies " << stats->replies
              << ", no such target " << stats->no_such_target << ", malformed " << stats->dropped_malformed
              << ", evicted " << stats->evicted << ", forbidden " << stats->forbidden << std::endl;
  }
  std::cout << "stratus serve: stopped" << std::endl;
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  static ServeOptions opts;
  CLI::App* cmd = app.add_subcommand("serve", "Run service roles in this process: router api conductor scheduler compute");
  cmd->add_option("roles", opts.roles, "Roles to run (router, api, conductor, scheduler, compute)")->required();
  cmd->add_option("--bind", opts.bind, "router: address to bind, tcp://HOST:PORT or ipc://PATH (default rpc.bind, else rpc.router)");
  cmd->add_option("--router", opts.router, "The router every role connects to (default rpc.router)");
  cmd->add_option("--keys-dir", opts.keys_dir, "CURVE keys: router.secret/.pub, the roles' key pairs, the allow-list");
  cmd->add_flag("--insecure", opts.insecure, "router: listen on tcp without CURVE (trusted networks only)");
  cmd->add_option("--heartbeat-ms", opts.heartbeat_ms, "RPC heartbeat interval (default rpc.heartbeat_ms)")
      ->check(CLI::Range(10, 60000));
  cmd->add_option("--compute-host", opts.compute_hosts, "compute: host name to serve (repeatable; default: host)");
  cmd->add_option("--listen", opts.listen, "api: HOST:PORT (default api.listen)");
  cmd->add_option("--data-dir", opts.data_dir, "Data directory of the database (default data_dir)");
  cmd->callback([&options, &exit_code] {
    try {
      exit_code = serve(options, opts);
    } catch (const std::exception& e) {
      std::cerr << "stratus: serve: " << e.what() << "\n";
      exit_code = 1;
    }
  });
}

}  // namespace stratus::core
