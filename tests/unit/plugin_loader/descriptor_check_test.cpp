// check_descriptor on descriptors built in memory: each field the loader trusts.
#include "core/plugin/descriptor_check.h"

#include <gtest/gtest.h>

namespace stratus::core {
namespace {

sdk::PluginDescriptor valid(const char* name = "ram") {
  return {sdk::kAbiVersion, static_cast<std::uint32_t>(sdk::PluginKind::kSchedulerFilter), name, "1.0.0", "d",
          sdk::kSdkVersion, sdk::kStdlibTag, sdk::kCompilerTag};
}

TEST(DescriptorCheck, AcceptsAValidDescriptor) { EXPECT_TRUE(check_descriptor(valid(), "ram").ok()); }

TEST(DescriptorCheck, AbiRangeEdges) {
  auto d = valid();
  d.abi_version = sdk::kMinSupportedAbiVersion;
  EXPECT_TRUE(check_descriptor(d, "ram").ok());
  d.abi_version = sdk::kAbiVersion + 1;
  EXPECT_NE(check_descriptor(d, "ram").message().find("the plugin is newer"), std::string::npos);
  d.abi_version = sdk::kMinSupportedAbiVersion - 1;
  EXPECT_NE(check_descriptor(d, "ram").message().find("the plugin is older"), std::string::npos);
}

TEST(DescriptorCheck, UnknownKind) {
  auto d = valid();
  d.kind = 99;
  EXPECT_EQ(check_descriptor(d, "ram").message(), "unknown plugin kind 99");
}

TEST(DescriptorCheck, NullFieldsAndBadNames) {
  auto d = valid();
  d.description = nullptr;
  EXPECT_EQ(check_descriptor(d, "ram").message(), "descriptor has a null field");
  auto n = valid(nullptr);
  EXPECT_FALSE(check_descriptor(n, "ram").ok());
  auto upper = valid("Ram");
  EXPECT_FALSE(check_descriptor(upper, "Ram").ok());
}

TEST(DescriptorCheck, PluginNames) {
  EXPECT_TRUE(is_valid_plugin_name("aggregate_instance_extra_specs"));
  EXPECT_TRUE(is_valid_plugin_name("x2"));
  EXPECT_FALSE(is_valid_plugin_name(""));
  EXPECT_FALSE(is_valid_plugin_name("a-b"));
  EXPECT_FALSE(is_valid_plugin_name("a.b"));
  EXPECT_FALSE(is_valid_plugin_name(std::string(65, 'a')));
  EXPECT_TRUE(is_valid_plugin_name(std::string(64, 'a')));
}

}  // namespace
}  // namespace stratus::core
