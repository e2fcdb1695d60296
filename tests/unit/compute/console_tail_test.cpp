#include <gtest/gtest.h>

#include "core/compute/console_tail.h"

namespace stratus::core::compute {
namespace {

// Nova's _tail_log: '\n'.join(log.split('\n')[-n:]); a final newline leaves
// an empty last piece that counts as one.
TEST(TailLines, LastPiecesAsNovaSplitsThem) {
  EXPECT_EQ(tail_lines("a\nb\nc\n", 3), "b\nc\n");
  EXPECT_EQ(tail_lines("a\nb\nc\n", 2), "c\n");
  EXPECT_EQ(tail_lines("a\nb\nc\n", 1), "");
  EXPECT_EQ(tail_lines("a\nb\nc", 2), "b\nc");
}

TEST(TailLines, ZeroOrMoreLinesThanTheLogIsTheWholeLog) {
  EXPECT_EQ(tail_lines("a\nb\nc\n", 0), "a\nb\nc\n");
  EXPECT_EQ(tail_lines("a\nb\nc\n", -1), "a\nb\nc\n");
  EXPECT_EQ(tail_lines("a\nb\nc\n", 4), "a\nb\nc\n");
  EXPECT_EQ(tail_lines("a\nb\nc\n", 50), "a\nb\nc\n");
  EXPECT_EQ(tail_lines("", 5), "");
}

TEST(TailLines, EmptyLinesCount) {
  EXPECT_EQ(tail_lines("a\n\n\n", 3), "\n\n");
  EXPECT_EQ(tail_lines("\n", 1), "");
  EXPECT_EQ(tail_lines("\n", 2), "\n");
}

}  // namespace
}  // namespace stratus::core::compute
