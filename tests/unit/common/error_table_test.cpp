// The error table, row by row: every code and every reason has the HTTP
// status and the remote error type written here (a change to the table
// must change this test too), and a remote type gives its code and reason
// back.
#include "core/common/error_table.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

namespace stratus::core::common {
namespace {

using sdk::Status;
using sdk::StatusCode;
using sdk::StatusReason;

struct Expected {
  StatusCode code;
  StatusReason reason;
  int http_status;
  const char* remote_type;
};

// What a client and a remote peer see for each row, as Nova answers.
constexpr Expected kExpected[] = {
    {StatusCode::kOk, StatusReason::kNone, 200, ""},
    {StatusCode::kInvalidArgument, StatusReason::kNone, 400, "InvalidArgument"},
    {StatusCode::kNotFound, StatusReason::kNone, 404, "NotFound"},
    {StatusCode::kAlreadyExists, StatusReason::kNone, 409, "AlreadyExists"},
    {StatusCode::kInvalidState, StatusReason::kNone, 409, "InvalidState"},
    {StatusCode::kConflict, StatusReason::kNone, 409, "Conflict"},
    {StatusCode::kNotSupported, StatusReason::kNone, 501, "NotSupported"},
    {StatusCode::kUnavailable, StatusReason::kNone, 503, "Unavailable"},
    {StatusCode::kTimeout, StatusReason::kNone, 503, "Timeout"},
    {StatusCode::kInternal, StatusReason::kNone, 500, "Internal"},
    {StatusCode::kConflict, StatusReason::kQuotaExceeded, 403, "QuotaExceeded"},
    {StatusCode::kConflict, StatusReason::kPolicyDenied, 403, "PolicyNotAuthorized"},
    {StatusCode::kNotFound, StatusReason::kNoValidHost, 500, "NoValidHost"},
};

TEST(ErrorTable, EveryRowAnswersAsNovaDoes) {
  for (const auto& e : kExpected) {
    const Status status(e.code, "what went wrong", e.reason);
    const std::string what = std::string(sdk::status_code_name(e.code)) + "/" +
                             std::string(sdk::status_reason_name(e.reason));
    EXPECT_EQ(http_status_for(status), e.http_status) << what;
    if (e.code != StatusCode::kOk) {
      EXPECT_EQ(remote_type_for(status), e.remote_type) << what;
    }
  }
}

TEST(ErrorTable, HasExactlyTheseRows) {
  std::set<std::pair<int, int>> expected;
  for (const auto& e : kExpected) expected.insert({static_cast<int>(e.code), static_cast<int>(e.reason)});
  std::set<std::pair<int, int>> actual;
  for (const auto& row : error_table()) actual.insert({static_cast<int>(row.code), static_cast<int>(row.reason)});
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(error_table().size(), std::size(kExpected));
}

TEST(ErrorTable, EveryRemoteTypeGivesItsCodeAndReasonBack) {
  for (const auto& e : kExpected) {
    if (e.code == StatusCode::kOk) continue;
    auto row = error_row_for_remote_type(e.remote_type);
    ASSERT_TRUE(row.has_value()) << e.remote_type;
    EXPECT_EQ(row->code, e.code) << e.remote_type;
    EXPECT_EQ(row->reason, e.reason) << e.remote_type;
  }
  EXPECT_FALSE(error_row_for_remote_type("UnexpectedError").has_value());
  EXPECT_FALSE(error_row_for_remote_type("").has_value());
}

TEST(ErrorTable, AReasonWinsOverItsCodeAndTextIsNeverRead) {
  // A quota refusal made with another code is still a quota refusal.
  EXPECT_EQ(http_status_for(Status(StatusCode::kInvalidState, "x", StatusReason::kQuotaExceeded)), 403);
  // Nova's words without the reason are an ordinary conflict.
  EXPECT_EQ(http_status_for(Status::Conflict("Quota exceeded for cores: Requested 4")), 409);
  EXPECT_EQ(http_status_for(Status::Conflict("Policy doesn't allow x to be performed.")), 409);
  EXPECT_EQ(remote_type_for(Status::NotFound("No valid host was found.")), "NotFound");
}

TEST(ErrorTable, AnUnknownCodeIsInternal) {
  const Status odd(static_cast<StatusCode>(200), "from a newer peer");
  EXPECT_EQ(http_status_for(odd), 500);
  EXPECT_EQ(remote_type_for(odd), "Internal");
}

}  // namespace
}  // namespace stratus::core::common
