// The value types' layout table (core/plugin/value_layout_table.cpp, checked
// by static_asserts at build time) covers every value type of the SDK, and
// ABI 4's own headers lay them out the same while ABI 4 is accepted.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "abi4_layouts.h"
#include "core/plugin/value_layout.h"
#include "core/plugin/value_layout_table.h"
#include "stratus/sdk/sdk.h"

namespace stratus::core::layout {
namespace {

namespace fs = std::filesystem;

// Interfaces grow by appended virtual methods (their own rule), not as value types.
const std::set<std::string> kInterfaces = {"VirtDriver", "SchedulerFilter", "SchedulerWeigher", "Logger",
                                           "NullLogger"};

TEST(ValueLayout, EveryValueTypeOfTheSdkHeadersIsInTheTable) {
  const auto& table = checked_value_layouts();
  if (table.empty()) GTEST_SKIP() << "the table is for 64-bit libstdc++ only";
  const std::regex type_line(R"(^(?:struct|class) (\w+)(?: final)? (?::[^{]*)?\{)");
  std::set<std::string> found;
  for (const auto& entry : fs::directory_iterator(STRATUS_SDK_INCLUDE_DIR)) {
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (std::regex_search(line, m, type_line)) found.insert(m[1]);
    }
  }
  ASSERT_GT(found.size(), 20u) << "the header scan found too little: is the directory right?";
  for (const auto& name : found) {
    if (kInterfaces.count(name)) continue;
    const bool listed = table.count(name) || (name == "Result" && table.count("Result<std::string>"));
    EXPECT_TRUE(listed) << name << " crosses the plugin boundary but is not in core/plugin/value_layout_table.cpp";
  }
}

TEST(ValueLayout, Abi4HeadersLayOutTheValueTypesAsTodayWhileAbi4IsAccepted) {
  const auto& table = checked_value_layouts();
  if (table.empty()) GTEST_SKIP() << "the table is for 64-bit libstdc++ only";
  const auto abi4 = test::abi4_value_layouts();
  std::size_t differing = 0;
  for (const auto& [name, fingerprint] : abi4) {
    auto it = table.find(name);
    ASSERT_NE(it, table.end()) << name;
    if (it->second != fingerprint) ++differing;
    if (sdk::kMinSupportedAbiVersion <= 4) {
      EXPECT_EQ(it->second, fingerprint) << name << " differs from ABI 4's, yet ABI 4 plugins are accepted";
    }
  }
  if (sdk::kMinSupportedAbiVersion > 4) {
    // The minimum went past 4: there must have been a reason.
    EXPECT_GT(differing, 0u) << "the minimum ABI went past 4 though no value type changed";
  }
}

TEST(ValueLayout, FingerprintSeesAddedMovedAndRetypedFields) {
  struct A {
    std::string s;
    std::int64_t i = 0;
  };
  struct Added {
    std::string s;
    std::int64_t i = 0;
    bool b = false;
  };
  struct Moved {
    std::int64_t i = 0;
    std::string s;
  };
  struct Retyped {
    std::string s;
    double i = 0;
  };
  EXPECT_EQ(field_count<A>(), 2u);
  EXPECT_EQ(field_count<Added>(), 3u);
  EXPECT_EQ(field_count<sdk::RequestSpec>(), 11u);  // with an std::optional member
  EXPECT_NE(layout_fingerprint<A>(), layout_fingerprint<Added>());
  EXPECT_NE(layout_fingerprint<A>(), layout_fingerprint<Moved>());
  EXPECT_NE(layout_fingerprint<A>(), layout_fingerprint<Retyped>());
}

}  // namespace
}  // namespace stratus::core::layout
