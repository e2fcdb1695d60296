#include "core/api/api_error.h"

#include <gtest/gtest.h>

namespace stratus::core::api {
namespace {

TEST(ApiError, EveryStatusCodeHasAnHttpStatus) {
  EXPECT_EQ(http_status_for(sdk::StatusCode::kOk), 200);
  EXPECT_EQ(http_status_for(sdk::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(http_status_for(sdk::StatusCode::kNotFound), 404);
  EXPECT_EQ(http_status_for(sdk::StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(http_status_for(sdk::StatusCode::kInvalidState), 409);
  EXPECT_EQ(http_status_for(sdk::StatusCode::kConflict), 409);
  EXPECT_EQ(http_status_for(sdk::StatusCode::kNotSupported), 501);
  EXPECT_EQ(http_status_for(sdk::StatusCode::kUnavailable), 503);
  EXPECT_EQ(http_status_for(sdk::StatusCode::kTimeout), 503);
  EXPECT_EQ(http_status_for(sdk::StatusCode::kInternal), 500);
}

TEST(ApiError, BodiesUseNovasFaultNames) {
  EXPECT_EQ(nova_error_body(404, "Flavor 42 could not be found.").dump(),
            R"({"itemNotFound":{"code":404,"message":"Flavor 42 could not be found."}})");
  EXPECT_EQ(nova_error_body(400, "x").begin().key(), "badRequest");
  EXPECT_EQ(nova_error_body(409, "x").begin().key(), "conflictingRequest");
  EXPECT_EQ(nova_error_body(403, "x").begin().key(), "forbidden");
  EXPECT_EQ(nova_error_body(501, "x").begin().key(), "notImplemented");
  EXPECT_EQ(nova_error_body(500, "x").begin().key(), "computeFault");
  EXPECT_EQ(nova_error_body(502, "x").begin().key(), "computeFault");
}

}  // namespace
}  // namespace stratus::core::api
