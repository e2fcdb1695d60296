// `stratus keys generate`: CURVE key pairs with their policy, for the
// router (`stratus serve router`, which on tcp is encrypted by default and
// takes the *.pub files of the keys directory as its allow-list) and for
// each role that connects to it (rpc/security.h).
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>


#include "core/cli/commands.h"
#include "stratus/rpc/security.h"

namespace stratus::core {

namespace {

struct KeysCommandOptions {
  std::string keys_dir;
  std::string name;
  std::vector<std::string> serve;
  std::vector<std::string> call;
};

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

void add_rpc_commands(CLI::App& app, const GlobalOptions& /*options*/, int& exit_code) {
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
