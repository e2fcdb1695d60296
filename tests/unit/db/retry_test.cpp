// The layer's one bounded retry (connection.h: retry_bounded) and its one
// error classification (classified_status), shared by both backends and by
// Database's replay.
#include <gtest/gtest.h>

#include <chrono>

#include "core/db/connection.h"

namespace stratus::core::db {
namespace {

using sdk::Status;
using sdk::StatusCode;

RetryPolicy quick(int attempts) {
  RetryPolicy p;
  p.attempts = attempts;
  p.first_pause = std::chrono::milliseconds(1);
  return p;
}

TEST(RetryBounded, StopsAtTheFirstSuccess) {
  int calls = 0;
  auto st = retry_bounded(
      quick(5), [&](int n) { return ++calls, n < 3 ? Status::Unavailable("busy") : Status::OK(); },
      [](const Status&) { return true; });
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_EQ(calls, 3);
}

TEST(RetryBounded, GivesUpAfterTheAttemptsWithTheLastStatus) {
  int calls = 0;
  auto st = retry_bounded(
      quick(4), [&](int n) { return ++calls, Status::Unavailable("try " + std::to_string(n)); },
      [](const Status&) { return true; });
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(st.message(), "try 4");
}

TEST(RetryBounded, DoesNotRetryWhatTheCallerRefuses) {
  int calls = 0;
  auto st = retry_bounded(
      quick(9), [&](int) { return ++calls, Status::InvalidArgument("bad"); },
      [](const Status& s) { return s.is(StatusCode::kUnavailable); });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
}

TEST(RetryBounded, AMaximumTimeEndsItBeforeTheAttempts) {
  RetryPolicy p;
  p.attempts = 1000;
  p.first_pause = std::chrono::milliseconds(10);
  p.factor = 1;
  p.give_up_after = std::chrono::milliseconds(50);
  int calls = 0;
  const auto start = std::chrono::steady_clock::now();
  auto st = retry_bounded(p, [&](int) { return ++calls, Status::Unavailable("busy"); },
                          [](const Status&) { return true; });
  EXPECT_FALSE(st.ok());
  EXPECT_LT(calls, 20);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ClassifiedStatus, EachClassIsItsCodeAndThePurposeLeads) {
  EXPECT_EQ(classified_status(ErrorClass::kTransient, "claim", "locked").code(), StatusCode::kUnavailable);
  EXPECT_EQ(classified_status(ErrorClass::kDuplicate, "create", "dup").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(classified_status(ErrorClass::kConstraint, "create", "fk").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(classified_status(ErrorClass::kOther, "read", "syntax").code(), StatusCode::kInternal);
  EXPECT_EQ(classified_status(ErrorClass::kDuplicate, "create key pair k", "duplicate").message(),
            "create key pair k: duplicate");
}

}  // namespace
}  // namespace stratus::core::db
