// The logger the registry hands plugins of ABI 5 or later: one spdlog line
// per write, with the request id and the plugin's kind and name; never handed
// to a plugin of an older ABI.
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "core/plugin/plugin_logger.h"
#include "core/plugin/plugin_registry.h"

namespace stratus::core {
namespace {

// Sends the default logger to a string for the test's life.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("captured", sink);
    logger->set_pattern("%l %v");
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

class LoggingFilter : public sdk::SchedulerFilter {
 public:
  explicit LoggingFilter(std::shared_ptr<sdk::Logger>* seen) : seen_(seen) {}
  bool host_passes(const sdk::HostState&, const sdk::RequestSpec&) const override { return true; }
  void set_logger(std::shared_ptr<sdk::Logger> logger) override { *seen_ = std::move(logger); }

 private:
  std::shared_ptr<sdk::Logger>* seen_;
};

TEST(PluginLogger, WritesThroughSpdlogWithRequestIdAndPluginName) {
  CapturedLog log;
  auto logger = make_plugin_logger(sdk::PluginKind::kVirtDriver, "example_memory");
  sdk::RequestContext ctx{"req-42", "", "", {}};
  logger->info(ctx, "spawned instance i-1");
  logger->warn("host lost its connection");
  logger->debug(ctx, "below the level: not written");
  EXPECT_TRUE(logger->enabled(sdk::LogLevel::kInfo));
  EXPECT_FALSE(logger->enabled(sdk::LogLevel::kDebug));
  EXPECT_EQ(log.text(),
            "info [req-42] virt_driver example_memory: spawned instance i-1\n"
            "warning virt_driver example_memory: host lost its connection\n");
}

TEST(PluginLogger, RegistryGivesItToAbi5PluginsOnly) {
  CapturedLog log;
  PluginRegistry registry;
  std::shared_ptr<sdk::Logger> seen5;
  std::shared_ptr<sdk::Logger> seen4;
  auto add = [&](const std::string& name, std::uint32_t abi, std::shared_ptr<sdk::Logger>* seen) {
    PluginInfo info;
    info.name = name;
    info.abi_version = abi;
    return registry.register_factory<sdk::SchedulerFilter>(
        info, [seen](const sdk::PluginConfig&) -> sdk::Result<std::unique_ptr<sdk::SchedulerFilter>> {
          return std::unique_ptr<sdk::SchedulerFilter>(new LoggingFilter(seen));
        });
  };
  ASSERT_TRUE(add("new_filter", sdk::kAbiVersion, &seen5).ok());
  ASSERT_TRUE(add("old_filter", 4, &seen4).ok());
  ASSERT_TRUE(registry.create<sdk::SchedulerFilter>("new_filter", {}).ok());
  ASSERT_TRUE(registry.create<sdk::SchedulerFilter>("old_filter", {}).ok());
  ASSERT_NE(seen5, nullptr);
  EXPECT_EQ(seen4, nullptr) << "a plugin built for ABI 4 has no set_logger to call";
  seen5->error(sdk::RequestContext{"req-7", "", "", {}}, "cannot decide");
  EXPECT_EQ(log.text(), "error [req-7] scheduler_filter new_filter: cannot decide\n");
}

}  // namespace
}  // namespace stratus::core
