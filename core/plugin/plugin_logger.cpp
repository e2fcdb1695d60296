#include "core/plugin/plugin_logger.h"

#include <exception>
#include <string_view>

#include <spdlog/spdlog.h>

namespace stratus::core {

namespace {

spdlog::level::level_enum to_spdlog(sdk::LogLevel level) {
  switch (level) {
    case sdk::LogLevel::kTrace: return spdlog::level::trace;
    case sdk::LogLevel::kDebug: return spdlog::level::debug;
    case sdk::LogLevel::kInfo: return spdlog::level::info;
    case sdk::LogLevel::kWarn: return spdlog::level::warn;
    case sdk::LogLevel::kError: return spdlog::level::err;
  }
  return spdlog::level::err;  // a level this build does not know: never lose the line
}

class SpdlogPluginLogger final : public sdk::Logger {
 public:
  explicit SpdlogPluginLogger(std::string prefix) : prefix_(std::move(prefix)) {}

  bool enabled(sdk::LogLevel level) const noexcept override {
    return spdlog::default_logger_raw()->should_log(to_spdlog(level));
  }

  void write(sdk::LogLevel level, std::string_view request_id, std::string_view message) noexcept override {
    try {
      auto lvl = to_spdlog(level);
      if (request_id.empty()) {
        spdlog::log(lvl, "{}: {}", prefix_, message);
      } else {
        spdlog::log(lvl, "[{}] {}: {}", request_id, prefix_, message);
      }
    } catch (const std::exception&) {
      // spdlog reports its own failures through its error handler; a plugin's
      // log line must never unwind into the plugin.
    }
  }

 private:
  const std::string prefix_;  // "virt_driver fake"
};

}  // namespace

std::shared_ptr<sdk::Logger> make_plugin_logger(sdk::PluginKind kind, const std::string& name) {
  return std::make_shared<SpdlogPluginLogger>(std::string(sdk::plugin_kind_name(kind)) + " " + name);
}

}  // namespace stratus::core
