// Call, cast and fanout through an in-process router over inproc://.
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "rpc_test_util.h"

namespace stratus::rpc {
namespace {
using namespace testing;

TEST(RpcMessaging, CallReturnsTheResult) {
  Cluster c;
  c.add("compute-1", "compute", "host1");
  Endpoint& api = c.add("api");
  auto r = api.call(Target{.topic = "compute", .server = "host1"}, "echo", Payload::of(std::string("hi")).value());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(str_of(r), "hi");
}

TEST(RpcMessaging, TopicCallsAreRoundRobinOverLiveServers) {
  Cluster c;
  c.add("conductor-a", "conductor", "a");
  c.add("conductor-b", "conductor", "b");
  c.add("conductor-c", "conductor", "c");
  Endpoint& api = c.add("api");
  std::map<std::string, int> seen;
  for (int i = 0; i < 9; ++i) {
    auto r = api.call(Target{.topic = "conductor"}, "whoami", Payload());
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    seen[str_of(r)]++;
  }
  EXPECT_EQ(seen, (std::map<std::string, int>{{"conductor-a", 3}, {"conductor-b", 3}, {"conductor-c", 3}}));
}

TEST(RpcMessaging, TopicServerReachesThatServerOnly) {
  Cluster c;
  c.add("compute-1", "compute", "host1");
  c.add("compute-2", "compute", "host2");
  Endpoint& api = c.add("api");
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(str_of(api.call(Target{.topic = "compute", .server = "host2"}, "whoami", Payload())), "compute-2");
  }
}

TEST(RpcMessaging, NoSuchTargetComesBackAtOnce) {
  Cluster c;
  c.add("compute-1", "compute", "host1");
  Endpoint& api = c.add("api");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = api.call(Target{.topic = "compute", .server = "host9"}, "echo", Payload(), {}, 5000ms);
  auto r2 = api.call(Target{.topic = "scheduler"}, "echo", Payload(), {}, 5000ms);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::no_such_target);
  EXPECT_NE(r.error().message.find("compute.host9"), std::string::npos) << r.error().message;
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, Errc::no_such_target);
  EXPECT_LT(elapsed, 1000ms);
  EXPECT_GE(c.router().stats().no_such_target, 2u);
}

TEST(RpcMessaging, RemoteErrorCarriesTypeAndMessage) {
  Cluster c;
  c.add("compute-1", "compute", "host1");
  Endpoint& api = c.add("api");
  auto r = api.call(Target{.topic = "compute"}, "fail", Payload());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::remote);
  EXPECT_EQ(r.error().type, "InstanceNotFound");
  EXPECT_EQ(r.error().message, "instance 42 could not be found");
  auto t = api.call(Target{.topic = "compute"}, "throws", Payload());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().type, "UnexpectedError");
  EXPECT_EQ(t.error().message, "boom");
}

TEST(RpcMessaging, UnknownMethodAndNamespaceAreAnswered) {
  Cluster c;
  c.add("compute-1", "compute", "host1");
  Endpoint& api = c.add("api");
  auto r = api.call(Target{.topic = "compute"}, "no_such", Payload());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::no_such_method);
  EXPECT_EQ(r.error().type, "NoSuchMethod");
  auto n = api.call(Target{.topic = "compute", .ns = "other"}, "echo", Payload());
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, Errc::no_such_method);
}

TEST(RpcMessaging, VersionNegotiation) {
  Cluster c;
  c.add("compute-old", "compute", "old", "1.3");
  c.add("compute-new", "compute", "new", "1.5");
  Endpoint& api = c.add("api");
  Client client(api, Target{.topic = "compute"}, "1.5");
  // The new server serves 1.5; the old one refuses it with a clear error.
  EXPECT_TRUE(client.prepare("new", "1.5").call({}, "echo", Payload()).ok());
  auto r = client.prepare("old", "1.5").call({}, "echo", Payload());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::unsupported_version);
  EXPECT_EQ(r.error().type, "UnsupportedVersion");
  EXPECT_NE(r.error().message.find("serves up to 1.3"), std::string::npos) << r.error().message;
  // A client pinned to 1.3 (mid-upgrade) talks to both.
  Client pinned(api, Target{.topic = "compute"}, "1.3");
  EXPECT_FALSE(pinned.can_send_version("1.5"));
  EXPECT_TRUE(pinned.prepare("old", "1.3").call({}, "echo", Payload()).ok());
  EXPECT_TRUE(pinned.prepare("new", "1.3").call({}, "echo", Payload()).ok());
  // Other major: refused.
  auto major = Client(api, Target{.topic = "compute", .server = "new", .version = "2.0"}).call({}, "echo", Payload());
  EXPECT_EQ(major.error().code, Errc::unsupported_version);
}

TEST(RpcMessaging, ContextTravelsToTheMethod) {
  Cluster c;
  c.add("compute-1", "compute", "host1");
  Endpoint& api = c.add("api");
  RequestContext ctx = RequestContext::make();
  ctx.user_id = "alice";
  ctx.project_id = "demo";
  ctx.roles = {"member", "reader"};
  ctx.extra = {{"global_request_id", "req-upstream"}};
  auto r = api.call(Target{.topic = "compute"}, "context", Payload(), ctx);
  ASSERT_TRUE(r.ok());
  auto t = r->as<ContextTuple>();
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(std::get<0>(t.value()), ctx.request_id);
  EXPECT_EQ(std::get<1>(t.value()), "alice");
  EXPECT_EQ(std::get<2>(t.value()), "demo");
  EXPECT_EQ(std::get<3>(t.value()), ctx.roles);
  EXPECT_EQ(std::get<4>(t.value()), ctx.extra);
  // Without a request id, one is made.
  auto fresh = api.call(Target{.topic = "compute"}, "context", Payload());
  EXPECT_EQ(std::get<0>(fresh->as<ContextTuple>().value()).rfind("req-", 0), 0u);
}

TEST(RpcMessaging, CallTimesOut) {
  Cluster c;
  c.add("compute-1", "compute", "host1");
  Endpoint& api = c.add("api");
  // The method is held in the gate until after the call gave up: only the
  // timeout can end the call (a reply would make it ok).
  const auto t0 = std::chrono::steady_clock::now();
  auto r = api.call(Target{.topic = "compute"}, "block", Payload(), {}, 100ms);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(c.gate().wait_entered(1)) << "the call reached the method";
  c.gate().open();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::timeout);
  EXPECT_GE(elapsed, 100ms);
  // The late reply is dropped; the next call still works.
  EXPECT_TRUE(api.call(Target{.topic = "compute"}, "echo", Payload(), {}, 2000ms).ok());
}

TEST(RpcMessaging, CastRunsOnceWithoutReply) {
  std::atomic<int> count{0};
  Cluster c;
  c.add("conductor-a", "conductor", "a", "1.0", &count);
  c.add("conductor-b", "conductor", "b", "1.0", &count);
  Endpoint& api = c.add("api");
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(api.cast(Target{.topic = "conductor"}, "count", Payload()).ok());
  EXPECT_TRUE(eventually([&] { return count.load() == 20; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(count.load(), 20);  // at most once: no duplicates
}

TEST(RpcMessaging, FanoutReachesEveryServerOfTheTopic) {
  std::atomic<int> count{0};
  Cluster c;
  c.add("compute-1", "compute", "host1", "1.0", &count);
  c.add("compute-2", "compute", "host2", "1.0", &count);
  c.add("compute-3", "compute", "host3", "1.0", &count);
  c.add("scheduler", "scheduler", "s1", "1.0", &count);
  Endpoint& api = c.add("api");
  ASSERT_TRUE(api.cast(Target{.topic = "compute", .fanout = true}, "count", Payload()).ok());
  EXPECT_TRUE(eventually([&] { return count.load() == 3; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(count.load(), 3);
  // Fanout is cast only.
  auto r = api.call(Target{.topic = "compute", .fanout = true}, "count", Payload());
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(RpcMessaging, CastToNothingIsReportedAndCounted) {
  Cluster c;
  Endpoint& api = c.add("api");
  ASSERT_TRUE(api.cast(Target{.topic = "nobody"}, "x", Payload()).ok());
  EXPECT_TRUE(eventually([&] { return api.stats().cast_errors == 1; }));
  EXPECT_EQ(c.router().stats().no_such_target, 1u);
}

TEST(RpcMessaging, ManyThreadsCallConcurrently) {
  Cluster c;
  c.add("conductor-a", "conductor", "a");
  c.add("conductor-b", "conductor", "b");
  Endpoint& api = c.add("api");
  std::atomic<int> ok{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto v = t * 1000 + i;
        auto r = api.call(Target{.topic = "conductor"}, "echo", Payload::of(v).value());
        if (r.ok() && r->as<int>().ok() && r->as<int>().value() == v) ok.fetch_add(1);
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 200);
}

TEST(RpcMessaging, OversizedMessagesAreRefused) {
  Cluster c;
  c.add("compute-1", "compute", "host1", "1.3", nullptr, [](EndpointOptions& o) { o.max_message_bytes = 4096; });
  Endpoint& api = c.add("api");
  const Payload big = Payload::of(std::string(8192, 'x')).value();
  // Refused by the server endpoint (limit 4096), answered with an error.
  auto r = api.call(Target{.topic = "compute"}, "echo", big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::too_large);
  // Refused locally by a sender with a small limit.
  Endpoint& small = c.add("small", "", "", "1.3", nullptr, [](EndpointOptions& o) { o.max_message_bytes = 1024; });
  auto l = small.call(Target{.topic = "compute"}, "echo", big);
  EXPECT_EQ(l.error().code, Errc::too_large);
  // The server still serves normal calls.
  EXPECT_TRUE(api.call(Target{.topic = "compute"}, "echo", Payload()).ok());
}

TEST(RpcMessaging, BusyServerAnswersUnavailableAndDropsCasts) {
  Cluster c;
  Endpoint& server = c.add("slow", "slow", "s", "1.0", nullptr, [](EndpointOptions& o) {
    o.workers = 1;
    o.queue_limit = 1;
  });
  Endpoint& api = c.add("api");
  const Target slow{.topic = "slow"};
  // The one worker holds a call in the gate (waited for, not slept on).
  std::thread t1([&] { (void)api.call(slow, "block", Payload(), {}, 20000ms); });
  const bool held = c.gate().wait_entered(1);
  // Two more calls: one takes the queue's one place, the other finds the
  // queue full and is refused at once (which is which is the router's
  // choice), while the gate is still closed.
  std::optional<Result<Payload>> r2, r3;
  std::atomic<bool> done2{false}, done3{false};
  std::thread t2([&] {
    r2.emplace(api.call(slow, "echo", Payload(), {}, 20000ms));
    done2 = true;
  });
  std::thread t3([&] {
    r3.emplace(api.call(slow, "echo", Payload(), {}, 20000ms));
    done3 = true;
  });
  const bool one_answered = eventually([&] { return done2.load() || done3.load(); }, 10000ms);
  const bool both_answered = done2.load() && done3.load();
  // A cast while the queue is still full is dropped, and counted.
  const bool cast_sent = api.cast(slow, "echo", Payload()).ok();
  const bool cast_dropped = eventually([&] { return server.stats().dropped_busy == 1; }, 10000ms);
  c.gate().open();
  t1.join();
  t2.join();
  t3.join();
  ASSERT_TRUE(held) << "the first call never reached the method";
  ASSERT_TRUE(one_answered) << "neither call was refused while the worker and the queue were full";
  EXPECT_FALSE(both_answered) << "the queued call was answered before the worker was free";
  ASSERT_TRUE(r2.has_value() && r3.has_value());
  const Result<Payload>& refused = r2->ok() ? *r3 : *r2;
  const Result<Payload>& queued = r2->ok() ? *r2 : *r3;
  EXPECT_TRUE(queued.ok()) << "the queued call is served once the worker is free";
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::unavailable);
  EXPECT_NE(refused.error().message.find("busy"), std::string::npos);
  EXPECT_TRUE(cast_sent);
  EXPECT_TRUE(cast_dropped);
}

TEST(RpcMessaging, CallsFailFastWhenNotConnected) {
  auto io = std::make_shared<IoContext>();
  Endpoint ep(fast_endpoint_options(io, unique_inproc("nobody-home"), "lonely"));
  auto before = ep.call(Target{.topic = "x"}, "m", Payload());
  EXPECT_EQ(before.error().code, Errc::unavailable);  // not started
  ASSERT_TRUE(ep.start().ok());
  EXPECT_FALSE(ep.wait_registered(100ms));
  auto r = ep.call(Target{.topic = "x"}, "m", Payload(), {}, 5000ms);
  EXPECT_EQ(r.error().code, Errc::unavailable);
  EXPECT_EQ(ep.cast(Target{.topic = "x"}, "m", Payload()).error().code, Errc::unavailable);
  ep.stop();
}

TEST(RpcMessaging, StopFailsCallsInFlight) {
  Cluster c;
  Endpoint& server = c.add("slow", "slow", "s");
  Endpoint& api = c.add("api");
  std::optional<Result<Payload>> r;
  // The method holds the call until after stop(): only stop() can end the
  // call early (its timeout is 20 s, and a reply would make it ok).
  std::thread t([&] { r.emplace(api.call(Target{.topic = "slow"}, "block", Payload(), {}, 20000ms)); });
  const bool in_flight = c.gate().wait_entered(1);
  api.stop();
  t.join();
  c.gate().open();
  EXPECT_TRUE(in_flight) << "the call never reached the method";
  ASSERT_TRUE(r.has_value());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->error().code, Errc::unavailable) << r->error().to_string();
  server.stop();
}

}  // namespace
}  // namespace stratus::rpc
