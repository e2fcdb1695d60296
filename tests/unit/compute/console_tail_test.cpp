#include <gtest/gtest.h>

#include "core/compute/console_tail.h"

namespace stratus::core::compute {
namespace {

TEST(TailLines, LastLinesKeepTheFinalNewline) {
  EXPECT_EQ(tail_lines("a\nb\nc\n", 2), "b\nc\n");
  EXPECT_EQ(tail_lines("a\nb\nc\n", 1), "c\n");
  EXPECT_EQ(tail_lines("a\nb\nc", 2), "b\nc");
}

TEST(TailLines, ZeroOrMoreLinesThanTheLogIsTheWholeLog) {
  EXPECT_EQ(tail_lines("a\nb\nc\n", 0), "a\nb\nc\n");
  EXPECT_EQ(tail_lines("a\nb\nc\n", -1), "a\nb\nc\n");
  EXPECT_EQ(tail_lines("a\nb\nc\n", 3), "a\nb\nc\n");
  EXPECT_EQ(tail_lines("a\nb\nc\n", 50), "a\nb\nc\n");
  EXPECT_EQ(tail_lines("", 5), "");
}

TEST(TailLines, EmptyLinesCount) {
  EXPECT_EQ(tail_lines("a\n\n\n", 2), "\n\n");
  EXPECT_EQ(tail_lines("\n", 1), "\n");
}

}  // namespace
}  // namespace stratus::core::compute
