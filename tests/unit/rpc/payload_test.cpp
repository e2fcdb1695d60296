// Payloads, versions, the dispatcher and the client's version cap.
#include <gtest/gtest.h>

#include <msgpack.hpp>

#include "stratus/rpc/client.h"
#include "stratus/rpc/dispatcher.h"
#include "stratus/rpc/payload.h"
#include "stratus/rpc/target.h"

namespace stratus::rpc {
namespace {

struct FlavorV1 {
  std::string name;
  int vcpus = 0;
  MSGPACK_DEFINE(name, vcpus)
};
struct FlavorV2 {
  std::string name;
  int vcpus = 0;
  int memory_mb = 512;  // added in v2, at the end
  MSGPACK_DEFINE(name, vcpus, memory_mb)
};

TEST(RpcPayload, ABorrowingPayloadReadsTheCallersBytesAndACopyOwnsItsOwn) {
  auto encoded = Payload::of(std::vector<int>{1, 2, 3});
  ASSERT_TRUE(encoded.ok());
  std::string frame(encoded->bytes());
  const Payload borrowed = Payload::borrowing(frame);
  EXPECT_EQ(borrowed.bytes().data(), frame.data());  // no copy
  EXPECT_EQ(borrowed.as<std::vector<int>>().value(), (std::vector<int>{1, 2, 3}));
  Payload kept = borrowed;  // what a handler that keeps its args does
  Payload assigned;
  assigned = borrowed;
  Payload moved = Payload::borrowing(frame);
  Payload moved_to(std::move(moved));
  frame.assign(frame.size(), '\xc0');  // the frame is reused after the dispatch
  EXPECT_EQ(kept.as<std::vector<int>>().value(), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(assigned.as<std::vector<int>>().value(), (std::vector<int>{1, 2, 3}));
  EXPECT_NE(kept.bytes().data(), frame.data());
  EXPECT_EQ(moved_to.bytes().data(), frame.data());  // a move still borrows
  EXPECT_FALSE(borrowed.as<std::vector<int>>().ok());  // it reads the frame as it is now
}

TEST(RpcPayload, RoundTripsValues) {
  auto p = Payload::of(std::vector<int>{1, 2, 3});
  ASSERT_TRUE(p.ok());
  auto v = p->as<std::vector<int>>();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.value(), (std::vector<int>{1, 2, 3}));
}

TEST(RpcPayload, NewerSenderOlderReceiverIgnoresTrailingFields) {
  auto p = Payload::of(FlavorV2{"m1.small", 2, 2048});
  ASSERT_TRUE(p.ok());
  auto old = p->as<FlavorV1>();
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->name, "m1.small");
  EXPECT_EQ(old->vcpus, 2);
}

TEST(RpcPayload, OlderSenderNewerReceiverKeepsDefaults) {
  auto p = Payload::of(FlavorV1{"m1.tiny", 1});
  ASSERT_TRUE(p.ok());
  auto fresh = p->as<FlavorV2>();
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->name, "m1.tiny");
  EXPECT_EQ(fresh->memory_mb, 512);
}

TEST(RpcPayload, WrongTypeIsBadMessageNotException) {
  auto p = Payload::of(std::string("hello"));
  ASSERT_TRUE(p.ok());
  auto v = p->as<FlavorV1>();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, Errc::bad_message);
  auto junk = Payload::from_bytes("\xc1\xc1").as<int>();
  EXPECT_FALSE(junk.ok());
  EXPECT_EQ(Payload().bytes(), std::string(1, '\xc0'));  // nil
}

TEST(RpcVersion, ParsesAndCompares) {
  auto v = Version::parse("5.12");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->major, 5u);
  EXPECT_EQ(v->minor, 12u);
  EXPECT_EQ(Version::parse("2")->to_string(), "2.0");
  EXPECT_EQ(Version::parse("")->to_string(), "1.0");
  for (const char* bad : {"x", "1.", ".1", "1.2.3", "-1.0", "1.a"}) {
    EXPECT_FALSE(Version::parse(bad).ok()) << bad;
  }
  EXPECT_TRUE((Version{1, 2}.servable_by(Version{1, 3})));
  EXPECT_FALSE((Version{1, 4}.servable_by(Version{1, 3})));
  EXPECT_FALSE((Version{2, 0}.servable_by(Version{1, 9})));
  EXPECT_FALSE((Version{1, 0}.servable_by(Version{2, 0})));
}

TEST(RpcDispatcher, ChecksMethodAndVersion) {
  Dispatcher d;
  ASSERT_TRUE(d.add("ping", "1.3", [](const CallInfo&, const Payload&) { return Payload::of(1); }).ok());
  EXPECT_FALSE(d.add("ping", "1.4", [](const CallInfo&, const Payload&) { return Payload::of(1); }).ok());
  EXPECT_TRUE(d.add("ping", "2.0", [](const CallInfo&, const Payload&) { return Payload::of(2); }, "v2").ok());
  EXPECT_FALSE(d.add("x", "bad", [](const CallInfo&, const Payload&) { return Payload::of(1); }).ok());
  RequestContext ctx;
  auto at = [&](const char* method, Version v, const char* ns = "") {
    return d.dispatch(CallInfo{ctx, method, ns, v, "t", true}, Payload());
  };
  EXPECT_TRUE(at("ping", {1, 2}).ok());
  auto too_new = at("ping", {1, 4});
  ASSERT_FALSE(too_new.ok());
  EXPECT_EQ(too_new.error().code, Errc::unsupported_version);
  EXPECT_NE(too_new.error().message.find("serves up to 1.3"), std::string::npos);
  EXPECT_EQ(at("pong", {1, 0}).error().code, Errc::no_such_method);
  EXPECT_EQ(at("ping", {2, 0}, "v2")->as<int>().value(), 2);
}

TEST(RpcDispatcher, TypedMethodsRefuseArgsThatDoNotDecode) {
  Dispatcher d;
  int called = 0;
  ASSERT_TRUE(d.add_typed<FlavorV2>("create_flavor", "1.0", [&](const CallInfo&, FlavorV2 f) {
                 ++called;
                 return Payload::of(f.memory_mb);
               }).ok());
  RequestContext ctx;
  const CallInfo info{ctx, "create_flavor", "", Version{1, 0}, "t", true};
  auto ok = d.dispatch(info, Payload::of(FlavorV1{"m1", 1}).value());
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->as<int>().value(), 512);
  auto bad = d.dispatch(info, Payload::of(std::string("not a flavor")).value());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::bad_message);
  EXPECT_EQ(called, 1);
}

TEST(RpcClient, VersionCap) {
  EndpointOptions o;
  o.router = "inproc://unused";
  Endpoint ep(o);
  Client c(ep, Target{.topic = "compute"}, "5.12");
  EXPECT_TRUE(c.can_send_version("5.0"));
  EXPECT_TRUE(c.can_send_version("5.12"));
  EXPECT_FALSE(c.can_send_version("5.13"));
  EXPECT_FALSE(c.can_send_version("6.0"));
  EXPECT_FALSE(c.can_send_version("junk"));
  // Above the cap: refused locally, nothing sent (the endpoint is not even started).
  auto r = c.prepare("host1", "5.13").call(RequestContext::make(), "x", Payload());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::unsupported_version);
  EXPECT_TRUE(Client(ep, Target{.topic = "compute"}).can_send_version("99.0"));
}

TEST(RpcContext, RequestIdsAreUniqueUuids) {
  auto a = RequestContext::make();
  auto b = RequestContext::make();
  EXPECT_NE(a.request_id, b.request_id);
  EXPECT_EQ(a.request_id.rfind("req-", 0), 0u);
  EXPECT_EQ(a.request_id.size(), 40u);
}

}  // namespace
}  // namespace stratus::rpc
