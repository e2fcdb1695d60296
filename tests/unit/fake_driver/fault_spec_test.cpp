// The fault spec grammar: what parses, what it means, and what is refused.
#include "stratus/drivers/fake/fault_spec.h"

#include <gtest/gtest.h>

namespace stratus::drivers::fake {
namespace {

using Action = FaultSpec::Action;
using std::chrono::milliseconds;

TEST(FakeFaultSpec, FailDefaultsToInternalEveryCall) {
  auto s = FaultSpec::parse("fail");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->action, Action::kFail);
  EXPECT_EQ(s->code, sdk::StatusCode::kInternal);
  EXPECT_FALSE(s->times.has_value());
}

TEST(FakeFaultSpec, FailWithCodeAndCount) {
  auto s = FaultSpec::parse("fail:unavailable*2");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->action, Action::kFail);
  EXPECT_EQ(s->code, sdk::StatusCode::kUnavailable);
  EXPECT_EQ(s->times, 2u);
}

TEST(FakeFaultSpec, EveryStatusCodeButOkIsAccepted) {
  for (const char* code : {"not_found", "already_exists", "invalid_state", "not_supported", "conflict",
                           "unavailable", "timeout", "internal", "invalid_argument"}) {
    auto s = FaultSpec::parse(std::string("fail:") + code);
    ASSERT_TRUE(s.ok()) << code << ": " << s.status();
    EXPECT_EQ(sdk::status_code_name(s->code), code);
  }
  EXPECT_FALSE(FaultSpec::parse("fail:ok").ok());
}

TEST(FakeFaultSpec, DelayAndHang) {
  auto d = FaultSpec::parse("delay:250*3");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->action, Action::kDelay);
  EXPECT_EQ(d->duration, milliseconds(250));
  EXPECT_EQ(d->times, 3u);

  auto h = FaultSpec::parse("hang");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->action, Action::kHang);
  EXPECT_FALSE(h->duration.has_value()) << "a bare hang uses the driver's hang_timeout_ms";

  auto h2 = FaultSpec::parse("  hang:5000  ");
  ASSERT_TRUE(h2.ok()) << h2.status();
  EXPECT_EQ(h2->duration, milliseconds(5000));
  EXPECT_TRUE(FaultSpec::parse("delay:0").ok());
}

TEST(FakeFaultSpec, NoneMeansNoFault) {
  auto s = FaultSpec::parse("none");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->action, Action::kNone);
}

TEST(FakeFaultSpec, ToStringRoundTrips) {
  for (const char* text : {"none", "fail", "fail:timeout", "fail*1", "fail:conflict*7", "delay:0", "delay:250*3",
                           "hang", "hang:5000", "hang*2", "hang:10*1"}) {
    auto s = FaultSpec::parse(text);
    ASSERT_TRUE(s.ok()) << text;
    EXPECT_EQ(s->to_string(), text);
    auto again = FaultSpec::parse(s->to_string());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *s);
  }
  EXPECT_EQ(FaultSpec::parse("fail:internal")->to_string(), "fail");
}

TEST(FakeFaultSpec, MalformedSpecsAreRefusedWithTheText) {
  for (const char* text : {"", "   ", "explode", "fail:", "fail:bogus", "fail*0", "fail*-1", "fail*", "fail*x",
                           "delay", "delay:", "delay:-5", "delay:1.5", "delay:abc", "delay:86400001", "hang:0",
                           "hang:", "hang:99999999999", "none*2", "none:1", "FAIL", "fail *2", "delay:10*2*3"}) {
    auto s = FaultSpec::parse(text);
    ASSERT_FALSE(s.ok()) << "'" << text << "' should be refused";
    EXPECT_EQ(s.status().code(), sdk::StatusCode::kInvalidArgument) << text;
    EXPECT_NE(s.status().message().find("bad fault spec '" + std::string(text) + "'"), std::string::npos)
        << s.status();
  }
}

TEST(FakeFaultSpec, OperationNamesRoundTrip) {
  EXPECT_EQ(all_operations().size(), kFakeOperationCount);
  for (FakeOperation op : all_operations()) {
    auto back = parse_operation(operation_name(op));
    ASSERT_TRUE(back.has_value()) << operation_name(op);
    EXPECT_EQ(*back, op);
  }
  EXPECT_EQ(operation_name(FakeOperation::kPowerOff), "power_off");
  EXPECT_EQ(operation_name(FakeOperation::kGetAvailableResource), "get_available_resource");
  EXPECT_FALSE(parse_operation("explode").has_value());
  EXPECT_FALSE(parse_operation("").has_value());
}

}  // namespace
}  // namespace stratus::drivers::fake
