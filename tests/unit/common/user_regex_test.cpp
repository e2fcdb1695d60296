#include "core/common/user_regex.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace stratus::core::common {
namespace {

// Regression: ?name=(a*)*b against a server named with a run of 'a's held
// an API thread (and the database read it ran in) for ever with std::regex's
// backtracking matcher; 18 characters already took minutes.
TEST(UserRegex, CatastrophicPatternsMatchInLinearTime) {
  const auto started = std::chrono::steady_clock::now();
  for (const char* pattern : {"(a*)*b", "(a|a)*b", "(a+)+$b", "^(a|aa)+c$"}) {
    const std::regex re = compile_user_regex(pattern);
    EXPECT_FALSE(std::regex_search(std::string(255, 'a'), re)) << pattern;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(UserRegex, LongSubjectsDoNotOverflowTheStack) {
  const std::regex re = compile_user_regex("^(?! )[^\\u0000-\\u001f]*[^ ]$");
  EXPECT_TRUE(std::regex_search(std::string(1000000, 'n'), re));
}

TEST(UserRegex, MatchesAsSearchDoes) {
  EXPECT_TRUE(std::regex_search("web-01", compile_user_regex("^web")));
  EXPECT_TRUE(std::regex_search("my-web-01", compile_user_regex("web-[0-9]+")));
  EXPECT_FALSE(std::regex_search("db-01", compile_user_regex("^web")));
  EXPECT_TRUE(std::regex_search("10.0.0.5", compile_user_regex("10\\.0\\.0\\.[0-9]")));
}

TEST(UserRegex, RefusesWhatCannotBeBounded) {
  EXPECT_THROW(compile_user_regex("(a)\\1"), std::regex_error) << "a back-reference needs backtracking";
  EXPECT_THROW(compile_user_regex("((a{100}){100}){100}"), std::regex_error) << "a million-state automaton";
  EXPECT_THROW(compile_user_regex(std::string(256, 'a')), std::regex_error);
  EXPECT_THROW(compile_user_regex("(unclosed"), std::regex_error);
  EXPECT_NO_THROW(compile_user_regex("x{10}y{10}"));
}

}  // namespace
}  // namespace stratus::core::common
