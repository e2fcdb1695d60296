// `stratus aio`: the whole cloud in one process.
//
// For now it loads and checks the plugins the config names (the compute
// driver for each fake host, the scheduler's filters and weighers), prints
// what it loaded and waits for Ctrl-C; the services join with the create path.
#include <signal.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/cli/commands.h"
#include "stratus/sdk/request_context.h"

namespace stratus::core {

namespace {

int run_aio(const GlobalOptions& options, int fake_hosts) {
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
  const Config& cfg = env.config;

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

  std::cout << "stratus aio: config from " << cfg.source << "\n";
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
  std::cout << "\nstratus aio: ready (the API and services arrive with the create path); Ctrl-C stops it"
            << std::endl;
  spdlog::info("aio ready with {} compute host(s), {} filters, {} weighers", hosts.size(), filters.size(),
               weighers.size());

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("aio stopping on signal {}", signal_number);
  for (const auto& [host, driver] : hosts) {
    if (auto s = driver->cleanup_host(host); !s.ok()) spdlog::warn("cleanup of host {}: {}", host, s.to_string());
  }
  std::cout << "stratus aio: stopped" << std::endl;
  return 0;
}

}  // namespace

void add_aio_command(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  static int fake_hosts = 1;
  CLI::App* aio = app.add_subcommand("aio", "Run the whole cloud in one process");
  aio->add_option("--fake-hosts", fake_hosts, "Number of compute hosts to simulate")
      ->check(CLI::Range(1, 10000));
  aio->callback([&options, &exit_code] { exit_code = run_aio(options, fake_hosts); });
}

}  // namespace stratus::core
