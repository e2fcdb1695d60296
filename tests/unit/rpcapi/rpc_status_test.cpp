// sdk::Status <-> RPC errors: every code survives the trip, NoValidHost
// keeps its message, and the RPC layer's own failures map to what a caller
// can act on.
#include <gtest/gtest.h>

#include "core/rpcapi/rpc_status.h"

namespace stratus::core::rpcapi {
namespace {

TEST(RpcStatus, EveryCodeSurvivesTheTrip) {
  for (auto code : {sdk::StatusCode::kNotFound, sdk::StatusCode::kAlreadyExists, sdk::StatusCode::kInvalidState,
                    sdk::StatusCode::kNotSupported, sdk::StatusCode::kConflict, sdk::StatusCode::kUnavailable,
                    sdk::StatusCode::kTimeout, sdk::StatusCode::kInternal, sdk::StatusCode::kInvalidArgument}) {
    const sdk::Status original(code, "instance 42: something");
    const rpc::Error wire = to_rpc_error(original);
    EXPECT_EQ(wire.code, rpc::Errc::remote);
    const sdk::Status back = from_rpc_error(wire, "conductor.instance_update");
    EXPECT_EQ(back.code(), code) << sdk::status_code_name(code);
    EXPECT_NE(back.message().find("instance 42: something"), std::string::npos) << back.message();
    EXPECT_NE(back.message().find("conductor.instance_update"), std::string::npos) << back.message();
  }
}

TEST(RpcStatus, NoValidHostKeepsNovasMessage) {
  const sdk::Status nvh(sdk::StatusCode::kNotFound, "No valid host was found. Filter ram removed the last 3 hosts",
                        sdk::StatusReason::kNoValidHost);
  const rpc::Error wire = to_rpc_error(nvh);
  EXPECT_EQ(wire.type, kNoValidHostType);
  const sdk::Status back = from_rpc_error(wire, "scheduler.select_destinations");
  EXPECT_TRUE(back.is(sdk::StatusCode::kNotFound));
  EXPECT_TRUE(back.has_reason(sdk::StatusReason::kNoValidHost));
  EXPECT_EQ(back.message(), nvh.message());  // unprefixed, so it can become the fault as is
  // An ordinary not-found is not a NoValidHost, even in NoValidHost's words:
  // the reason says what a status is, never its text.
  EXPECT_EQ(to_rpc_error(sdk::Status::NotFound("instance x")).type, "NotFound");
  EXPECT_EQ(to_rpc_error(sdk::Status::NotFound("No valid host was found. (a user's name)")).type, "NotFound");
}

TEST(RpcStatus, EveryReasonSurvivesTheTrip) {
  for (auto reason : {sdk::StatusReason::kQuotaExceeded, sdk::StatusReason::kPolicyDenied,
                      sdk::StatusReason::kNoValidHost}) {
    const sdk::Status original(sdk::StatusCode::kConflict, "refused", reason);
    const sdk::Status back = from_rpc_error(to_rpc_error(original), "conductor.x");
    EXPECT_TRUE(back.has_reason(reason)) << sdk::status_reason_name(reason);
    EXPECT_EQ(back.message(), "refused");
  }
}

TEST(RpcStatus, TransportFailuresMapToTimeoutAndUnavailable) {
  EXPECT_TRUE(from_rpc_error(rpc::make_error(rpc::Errc::timeout, "no reply"), "x").is(sdk::StatusCode::kTimeout));
  EXPECT_TRUE(
      from_rpc_error(rpc::make_error(rpc::Errc::no_such_target, "compute.h9"), "x").is(sdk::StatusCode::kUnavailable));
  EXPECT_TRUE(from_rpc_error(rpc::make_error(rpc::Errc::unavailable, "busy"), "x").is(sdk::StatusCode::kUnavailable));
  EXPECT_TRUE(from_rpc_error(rpc::make_error(rpc::Errc::bad_message, "garbage"), "x")
                  .is(sdk::StatusCode::kInvalidArgument));
  // A remote type nobody knows is an internal error that names the type.
  const sdk::Status odd = from_rpc_error(rpc::remote_error("UnexpectedError", "boom"), "x");
  EXPECT_TRUE(odd.is(sdk::StatusCode::kInternal));
  EXPECT_NE(odd.message().find("UnexpectedError"), std::string::npos);
}

TEST(RpcStatus, ContextCrossesBothWays) {
  sdk::RequestContext ctx{"req-1", "user-1", "project-1", {"admin"}};
  const rpc::RequestContext wire = to_rpc_context(ctx);
  EXPECT_EQ(wire.request_id, "req-1");
  EXPECT_EQ(wire.roles, std::vector<std::string>{"admin"});
  const sdk::RequestContext back = to_sdk_context(wire);
  EXPECT_EQ(back.project_id, "project-1");
  EXPECT_EQ(back.user_id, "user-1");
  // A context without a request id gets one, so every log line has one.
  EXPECT_EQ(to_rpc_context(sdk::RequestContext{}).request_id.rfind("req-", 0), 0u);
}

}  // namespace
}  // namespace stratus::core::rpcapi
