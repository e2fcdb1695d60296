// `stratus serve router` (the RPC broker on its own) and `stratus keys
// generate` (CURVE key pairs with their policy).
//
// The router listens on tcp by default, and tcp is encrypted by default:
// without --insecure it needs <keys-dir>/router.secret and takes the *.pub
// files of the keys directory as its allow-list (rpc/security.h).
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/cli/commands.h"
#include "stratus/rpc/router.h"
#include "stratus/rpc/security.h"

namespace stratus::core {

namespace {

struct RouterCommandOptions {
  std::vector<std::string> bind = {"tcp://127.0.0.1:5555"};
  std::string keys_dir;
  bool insecure = false;
  int heartbeat_ms = 1000;
};

struct KeysCommandOptions {
  std::string keys_dir;
  std::string name;
  std::vector<std::string> serve;
  std::vector<std::string> call;
};

bool binds_tcp(const std::vector<std::string>& bind) {
  for (const auto& b : bind) {
    if (b.rfind("tcp://", 0) == 0) return true;
  }
  return false;
}

int serve_router(const GlobalOptions& options, const RouterCommandOptions& opts) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto env = make_environment(options);
  if (!env.ok()) {
    std::cerr << "stratus: " << env.status().message() << "\n";
    return 2;
  }

  rpc::RouterOptions router_options;
  router_options.bind = opts.bind;
  router_options.heartbeat_interval = std::chrono::milliseconds(opts.heartbeat_ms);
  const bool secure = binds_tcp(opts.bind) && !opts.insecure;
  if (secure) {
    if (opts.keys_dir.empty()) {
      std::cerr << "stratus: the router listens on tcp, which is encrypted by default: give --keys-dir DIR with "
                   "router.secret (stratus keys generate --keys-dir DIR router), or --insecure on a trusted network\n";
      return 2;
    }
    auto keys = rpc::load_keypair(opts.keys_dir, "router");
    if (!keys.ok() || keys->secret_key.empty()) {
      std::cerr << "stratus: no router key pair in " << opts.keys_dir
                << " (want router.secret; stratus keys generate --keys-dir " << opts.keys_dir << " router)"
                << (keys.ok() ? "" : ": " + keys.error().message) << "\n";
      return 2;
    }
    auto allowed = rpc::load_allow_list(opts.keys_dir);
    if (!allowed.ok()) {
      std::cerr << "stratus: allow-list in " << opts.keys_dir << ": " << allowed.error().message << "\n";
      return 2;
    }
    router_options.curve.public_key = keys->public_key;
    router_options.curve.secret_key = keys->secret_key;
    router_options.curve.allowed_keys_dir = opts.keys_dir;
  }

  rpc::Router router(router_options);
  if (auto s = router.start(); !s.ok()) {
    std::cerr << "stratus: router: " << s.error().message << "\n";
    return 1;
  }
  std::cout << "stratus router: listening on";
  for (const auto& e : router.endpoints()) std::cout << " " << e;
  std::cout << (secure ? " (CURVE, allow-list " + opts.keys_dir + ")" : " (no encryption)") << std::endl;
  if (!secure && binds_tcp(opts.bind)) spdlog::warn("router on tcp without CURVE (--insecure): traffic is plaintext");

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  const auto stats = router.stats();
  router.stop();
  std::cout << "stratus router: stopped; routed " << stats.routed << ", replies " << stats.replies
            << ", no such target " << stats.no_such_target << ", malformed " << stats.dropped_malformed
            << ", evicted " << stats.evicted << ", forbidden " << stats.forbidden << std::endl;
  return 0;
}

int generate_keys(const KeysCommandOptions& opts) {
  auto pair = rpc::generate_keypair(opts.keys_dir, opts.name);
  if (!pair.ok()) {
    std::cerr << "stratus: " << pair.error().message << "\n";
    return 1;
  }
  // The policy goes into the .pub file the router reads (rpc/security.h).
  const auto pub = std::filesystem::path(opts.keys_dir) / (opts.name + ".pub");
  std::ofstream out(pub, std::ios::app);
  for (const auto& pattern : opts.serve) out << "serve = " << pattern << "\n";
  for (const auto& pattern : opts.call) out << "call = " << pattern << "\n";
  out.close();
  if (!out) {
    std::cerr << "stratus: cannot write the policy to " << pub.string() << "\n";
    return 1;
  }
  std::cout << "wrote " << pub.string() << " and " << (std::filesystem::path(opts.keys_dir) / (opts.name + ".secret")).string()
            << " (keep it secret; mode 0600)\npublic key: " << pair->public_key << "\n";
  return 0;
}

}  // namespace

void add_rpc_commands(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  static RouterCommandOptions router_opts;
  CLI::App* serve = app.add_subcommand("serve", "Run service roles in this process");
  serve->require_subcommand(1);
  CLI::App* router = serve->add_subcommand("router", "Run the RPC router (broker) on its own");
  router->add_option("--bind", router_opts.bind, "Address to bind (repeatable): tcp://HOST:PORT, ipc://PATH")
      ->capture_default_str();
  router->add_option("--keys-dir", router_opts.keys_dir, "CURVE keys: router.secret and the allowed *.pub files");
  router->add_flag("--insecure", router_opts.insecure, "Listen on tcp without CURVE (trusted networks only)");
  router->add_option("--heartbeat-ms", router_opts.heartbeat_ms, "Heartbeat interval")->check(CLI::Range(10, 60000));
  router->callback([&options, &exit_code] { exit_code = serve_router(options, router_opts); });

  static KeysCommandOptions keys_opts;
  CLI::App* keys = app.add_subcommand("keys", "Manage CURVE keys for RPC");
  keys->require_subcommand(1);
  CLI::App* generate = keys->add_subcommand("generate", "Write NAME.pub and NAME.secret with a new key pair");
  generate->add_option("name", keys_opts.name, "Key name, e.g. router, api, compute-host1")->required();
  generate->add_option("--keys-dir", keys_opts.keys_dir, "Directory for the key files")->required();
  generate->add_option("--serve", keys_opts.serve, "Target the key may serve, e.g. compute.host1 (repeatable)");
  generate->add_option("--call", keys_opts.call, "Target the key may call, e.g. conductor, compute.* (repeatable)");
  generate->callback([&exit_code] { exit_code = generate_keys(keys_opts); });
}

}  // namespace stratus::core
