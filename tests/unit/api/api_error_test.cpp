#include "core/http/api_error.h"

#include <gtest/gtest.h>

namespace stratus::core::api {
namespace {

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
