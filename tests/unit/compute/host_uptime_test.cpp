// The uptime line os-hypervisors shows, formatted as procps' `uptime` does.
#include <gtest/gtest.h>

#include "core/compute/host_uptime.h"

namespace stratus::core::compute {
namespace {

TEST(HostUptime, FormatsDaysHoursAndLoad) {
  auto line = format_host_uptime(8 * 3600 + 32 * 60 + 11, 93 * 86400 + 18 * 3600 + 25 * 60 + 7, "0.20 0.12 0.14 1/123 456");
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(*line, " 08:32:11 up 93 days, 18:25,  load average: 0.20, 0.12, 0.14");
  auto short_up = format_host_uptime(0, 125, "1.5 0 0");
  ASSERT_TRUE(short_up.ok());
  EXPECT_EQ(*short_up, " 00:00:00 up 2 min,  load average: 1.50, 0.00, 0.00");
  auto one_day = format_host_uptime(60, 86400 + 3600, "0 0 0");
  ASSERT_TRUE(one_day.ok());
  EXPECT_EQ(*one_day, " 00:01:00 up 1 day,  1:00,  load average: 0.00, 0.00, 0.00");
}

TEST(HostUptime, RefusesBadInput) {
  EXPECT_FALSE(format_host_uptime(0, -1, "0 0 0").ok());
  EXPECT_FALSE(format_host_uptime(0, 10, "garbage").ok());
}

TEST(HostUptime, ReadsThisHost) {
  auto line = read_host_uptime();
  ASSERT_TRUE(line.ok()) << line.status();  // the tests run on Linux
  EXPECT_NE(line->find(" up "), std::string::npos);
  EXPECT_NE(line->find("load average: "), std::string::npos);
}

}  // namespace
}  // namespace stratus::core::compute
