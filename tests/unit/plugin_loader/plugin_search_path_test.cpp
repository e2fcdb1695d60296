#include "core/plugin/plugin_search_path.h"

#include <gtest/gtest.h>

namespace stratus::core {
namespace {

namespace fs = std::filesystem;

TEST(PluginSearchPath, ConfiguredThenEnvironmentThenDefault) {
  auto dirs = plugin_search_path({"/etc/a", "/etc/b"}, "/env/x::/env/y", "/opt/stratus/bin/stratus");
  ASSERT_EQ(dirs.size(), 5u);
  EXPECT_EQ(dirs[0], fs::path("/etc/a"));
  EXPECT_EQ(dirs[1], fs::path("/etc/b"));
  EXPECT_EQ(dirs[2], fs::path("/env/x"));
  EXPECT_EQ(dirs[3], fs::path("/env/y"));
  EXPECT_EQ(dirs[4], fs::path("/opt/stratus/lib/stratus/plugins"));
}

TEST(PluginSearchPath, DropsDuplicatesKeepingTheFirst) {
  auto dirs = plugin_search_path({"/opt/stratus/lib/stratus/plugins", "/etc/a/"}, "/etc/a", "/opt/stratus/bin/stratus");
  ASSERT_EQ(dirs.size(), 2u);
  EXPECT_EQ(dirs[0], fs::path("/opt/stratus/lib/stratus/plugins"));
}

TEST(PluginSearchPath, NoEnvironmentNoExecutable) {
  auto dirs = plugin_search_path({}, nullptr, {});
  EXPECT_TRUE(dirs.empty());
  EXPECT_EQ(describe_search_path(dirs), "no directories");
}

}  // namespace
}  // namespace stratus::core
