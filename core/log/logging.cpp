#include "core/log/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace stratus::core {

sdk::Status setup_logging(const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  // from_str maps anything unknown to "off"; only "off" itself may mean off.
  if (parsed == spdlog::level::off && level != "off") {
    return sdk::Status::InvalidArgument("unknown log level '" + level + "'");
  }
  auto logger = spdlog::stderr_color_mt("stratus");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
  return sdk::Status::OK();
}

}  // namespace stratus::core
