// `stratus aio`: the whole cloud in one process.
//
// Today it loads and checks the plugins the config names (the compute driver
// for each fake host, the scheduler's filters and weighers), opens and seeds
// the database in the data directory, and serves the parts of the Compute API
// that exist (version documents, flavors) until Ctrl-C. The conductor,
// scheduler and compute services join with the rest of the create path.
#include <signal.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/api/api_server.h"
#include "core/api/availability_zones_controller.h"
#include "core/api/flavors_controller.h"
#include "core/api/images_controller.h"
#include "core/api/keypairs_controller.h"
#include "core/api/limits_controller.h"
#include "core/api/version_documents.h"
#include "core/cli/commands.h"
#include "core/db/database.h"
#include "core/db/seed.h"
#include "stratus/sdk/request_context.h"

namespace stratus::core {

namespace {

struct AioOptions {
  int fake_hosts = 1;
  std::string data_dir;  // empty: the config's
  std::string listen;    // empty: the config's
};

// "127.0.0.1:8774" -> host, port; kInvalidArgument naming the value.
sdk::Result<std::pair<std::string, int>> split_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return sdk::Status::InvalidArgument("listen address '" + listen + "' is not HOST:PORT");
  }
  const std::string port_text = listen.substr(colon + 1);
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(port_text, &used);
    if (used != port_text.size()) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return sdk::Status::InvalidArgument("listen address '" + listen + "' has no valid port");
  }
  return std::make_pair(listen.substr(0, colon), port);
}

int run_aio(const GlobalOptions& options, const AioOptions& aio) {
  const int fake_hosts = aio.fake_hosts;
  // Block the stop signals before any thread starts, so sigwait gets them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto made = make_environment(options);
  if (!made.ok()) {
    std::cerr << "stratus: " << made.status().message() << "\n";
    return 2;
  }
  CliEnvironment& env = **made;
  Config& cfg = env.config;
  if (!aio.data_dir.empty()) cfg.data_dir = aio.data_dir;
  if (!aio.listen.empty()) cfg.api.listen = aio.listen;
  auto listen = split_listen(cfg.api.listen);
  if (!listen.ok()) {
    std::cerr << "stratus: " << listen.status().message() << "\n";
    return 2;
  }

  std::vector<std::pair<std::string, std::shared_ptr<sdk::VirtDriver>>> hosts;
  for (int i = 0; i < fake_hosts; ++i) {
    const std::string host = fake_hosts == 1 ? cfg.host : cfg.host + "-" + std::to_string(i + 1);
    auto driver = env.registry.create<sdk::VirtDriver>(cfg.compute.driver, cfg.plugin_config(sdk::PluginKind::kVirtDriver, cfg.compute.driver));
    if (!driver.ok()) {
      std::cerr << "stratus: compute driver: " << driver.status().message() << "\n";
      return 1;
    }
    if (auto s = (*driver)->init_host(host); !s.ok()) {
      std::cerr << "stratus: compute driver '" << cfg.compute.driver << "' cannot serve host " << host << ": "
                << s.to_string() << "\n";
      return 1;
    }
    hosts.emplace_back(host, std::move(driver.value()));
  }

  std::vector<std::shared_ptr<sdk::SchedulerFilter>> filters;
  for (const auto& name : cfg.scheduler.enabled_filters) {
    auto filter = env.registry.create<sdk::SchedulerFilter>(name, cfg.plugin_config(sdk::PluginKind::kSchedulerFilter, name));
    if (!filter.ok()) {
      std::cerr << "stratus: scheduler filter: " << filter.status().message() << "\n";
      return 1;
    }
    filters.push_back(std::move(filter.value()));
  }
  std::vector<std::shared_ptr<sdk::SchedulerWeigher>> weighers;
  for (const auto& name : cfg.scheduler.weighers) {
    auto weigher = env.registry.create<sdk::SchedulerWeigher>(name, cfg.plugin_config(sdk::PluginKind::kSchedulerWeigher, name));
    if (!weigher.ok()) {
      std::cerr << "stratus: scheduler weigher: " << weigher.status().message() << "\n";
      return 1;
    }
    weighers.push_back(std::move(weigher.value()));
  }

  auto database = db::Database::open(cfg.data_dir);
  if (!database.ok()) {
    std::cerr << "stratus: database in " << cfg.data_dir << ": " << database.status().message() << "\n";
    return 1;
  }
  if (auto s = db::seed_defaults(**database); !s.ok()) {
    std::cerr << "stratus: seeding the database: " << s.message() << "\n";
    return 1;
  }

  auto authenticator = cfg.api.auth_strategy == "token" ? api::make_static_token_authenticator(cfg.api.admin_token)
                                                        : api::make_noauth_authenticator();
  api::ApiServer server(authenticator);
  api::add_version_routes(server);
  api::add_flavor_routes(server, **database);
  api::add_image_routes(server, **database);
  api::add_keypair_routes(server, **database);
  api::add_limits_routes(server, **database);
  api::add_availability_zone_routes(server, **database);
  auto port = server.start(listen->first, listen->second);
  if (!port.ok()) {
    std::cerr << "stratus: API: " << port.status().message() << "\n";
    return 1;
  }
  if (cfg.api.auth_strategy == "noauth") {
    spdlog::warn("API authentication is off (api.auth_strategy = noauth): every request acts as admin");
  }

  std::cout << "stratus aio: config from " << cfg.source << "\n";
  std::cout << "  data directory " << cfg.data_dir << " (database " << (*database)->path().string() << ")\n";
  std::cout << "  compute API http://" << listen->first << ":" << *port << "/v2.1 ; auth: " << authenticator->describe()
            << "\n";
  for (const auto& [host, driver] : hosts) {
    auto res = driver->get_available_resource(host);
    std::cout << "  compute host " << host << ": driver " << cfg.compute.driver;
    if (res.ok()) {
      std::cout << " (" << res->hypervisor_type << ", " << res->vcpus << " vcpus, " << res->memory_mb << " MB RAM, "
                << res->local_gb << " GB disk)";
    }
    std::cout << "\n";
  }
  std::cout << "  scheduler filters (" << filters.size() << "):";
  for (const auto& name : cfg.scheduler.enabled_filters) std::cout << " " << name;
  std::cout << "\n  scheduler weighers (" << weighers.size() << "):";
  for (const auto& name : cfg.scheduler.weighers) std::cout << " " << name;
  std::cout << "\n  try: curl -s http://" << listen->first << ":" << *port << "/v2.1/flavors/detail"
            << (cfg.api.auth_strategy == "token" ? " -H 'X-Auth-Token: <api.admin_token>'" : "") << "\n";
  std::cout << "stratus aio: ready (flavors API; servers arrive with the create path); Ctrl-C stops it" << std::endl;
  spdlog::info("aio ready with {} compute host(s), {} filters, {} weighers", hosts.size(), filters.size(),
               weighers.size());

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("aio stopping on signal {}", signal_number);
  server.stop();
  for (const auto& [host, driver] : hosts) {
    if (auto s = driver->cleanup_host(host); !s.ok()) spdlog::warn("cleanup of host {}: {}", host, s.to_string());
  }
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
