#include "core/cli/cli_environment.h"

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "core/log/logging.h"
#include "core/plugin/plugin_search_path.h"

namespace stratus::core {

sdk::Result<std::unique_ptr<CliEnvironment>> make_environment(const GlobalOptions& options) {
  std::optional<std::filesystem::path> file;
  if (options.config_file) {
    file = *options.config_file;
  } else if (const char* env = std::getenv("STRATUS_CONFIG"); env != nullptr && *env != '\0') {
    file = env;
  }
  std::vector<std::string> overrides = options.overrides;
  if (options.log_level) overrides.push_back("log_level=\"" + *options.log_level + "\"");

  auto config = load_config(file, overrides);
  if (!config.ok()) return config.status();

  auto env = std::make_unique<CliEnvironment>();
  env->config = std::move(config.value());
  if (auto s = setup_logging(env->config.log_level); !s.ok()) return s;

  std::vector<std::string> dirs = options.plugin_dirs;
  dirs.insert(dirs.end(), env->config.plugins.paths.begin(), env->config.plugins.paths.end());
  env->search_path = plugin_search_path(dirs, std::getenv("STRATUS_PLUGIN_PATH"), current_executable());
  env->registry.set_search_description(describe_search_path(env->search_path));
  env->refusals = env->registry.load_directories(env->search_path);
  for (const auto& r : env->refusals) spdlog::warn("plugin refused: {}", r.to_string());
  return env;
}

sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int wait_for_stop_signal(const sigset_t& signals) {
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  return signal_number;
}

}  // namespace stratus::core
