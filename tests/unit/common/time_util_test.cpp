#include <gtest/gtest.h>

#include <regex>

#include "core/common/ids.h"
#include "core/common/time_util.h"

namespace stratus::core::common {
namespace {

TEST(DbTimeUtil, NowIsNovaStyleUtcWithMicroseconds) {
  EXPECT_TRUE(std::regex_match(common::utc_now(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})"))) << common::utc_now();
  EXPECT_EQ(common::to_api_seconds("2026-11-26T04:18:15.421318"), "2026-11-26T04:18:15Z");
}

TEST(DbTimeUtil, ParsesIsoTimesIntoUtc) {
  EXPECT_EQ(*common::parse_timestamp("2026-11-26T04:18:15Z"), "2026-11-26T04:18:15.000000");
  EXPECT_EQ(*common::parse_timestamp("2026-11-26T06:18:15.5+02:00"), "2026-11-26T04:18:15.500000");
  EXPECT_EQ(*common::parse_timestamp("2026-11-26 04:18:15.123456"), "2026-11-26T04:18:15.123456");
  EXPECT_EQ(*common::parse_timestamp("2026-11-26"), "2026-11-26T00:00:00.000000");
  EXPECT_EQ(*common::parse_timestamp("2026-01-01T00:30:00-0100"), "2026-01-01T01:30:00.000000");
  for (const char* bad : {"", "yesterday", "2026-13-01", "2026-11-26T25:00:00", "2026-11-26T04:18:15Q"}) {
    auto r = common::parse_timestamp(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), sdk::StatusCode::kInvalidArgument);
    }
  }
}

TEST(DbIds, UuidsAndMacsHaveTheirShapes) {
  std::regex uuid(R"([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})");
  EXPECT_TRUE(std::regex_match(common::random_uuid(), uuid)) << common::random_uuid();
  EXPECT_NE(common::random_uuid(), common::random_uuid());
  EXPECT_TRUE(std::regex_match(common::random_mac(), std::regex(R"(fa:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2})")));
  EXPECT_EQ(common::instance_name(42), "instance-0000002a");
}

}  // namespace
}  // namespace stratus::core::common
