// Endpoints of protocol 1 (a release before one-frame messages) and of
// protocol 2 talking through one router, which translates between them, and
// protocol 2 endpoints behind a protocol 1 router (docs/rpc-protocol.md, 3.5).
#include <gtest/gtest.h>

#include "rpc_test_util.h"

namespace stratus::rpc {
namespace {
using namespace testing;

void old_protocol(EndpointOptions& o) { o.max_protocol = 1; }

// Every pairing of caller and server: calls (result, remote error, context),
// casts to each server and a fanout to both.
void every_pairing_talks(Cluster& c, Endpoint& old_client, Endpoint& new_client, std::atomic<int>& count) {
  const std::vector<int> value{1, 2, 3};
  for (Endpoint* client : {&old_client, &new_client}) {
    for (const char* server : {"old", "new"}) {
      SCOPED_TRACE(std::string(client == &old_client ? "old" : "new") + " client -> " + server + " server");
      const Target t{.topic = "compute", .server = server};
      auto r = client->call(t, "echo", Payload::of(value).value());
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      EXPECT_EQ(r->as<std::vector<int>>().value(), value);
      EXPECT_EQ(str_of(client->call(t, "whoami", Payload())), std::string("compute-") + server);
      auto f = client->call(t, "fail", Payload());
      ASSERT_FALSE(f.ok());
      EXPECT_EQ(f.error().code, Errc::remote);
      EXPECT_EQ(f.error().type, "InstanceNotFound");
      RequestContext ctx = RequestContext::make();
      ctx.user_id = "alice";
      ctx.roles = {"member", "reader"};
      ctx.extra = {{"k", "v"}};
      auto got = client->call(t, "context", Payload(), ctx);
      ASSERT_TRUE(got.ok());
      const auto tuple = got->as<ContextTuple>().value();
      EXPECT_EQ(std::get<0>(tuple), ctx.request_id);
      EXPECT_EQ(std::get<3>(tuple), ctx.roles);
      EXPECT_EQ(std::get<4>(tuple), ctx.extra);
      auto v = client->call(t, "echo", Payload(), {}, 2000ms);
      ASSERT_TRUE(v.ok());
      auto unsupported = client->call(Target{.topic = "compute", .server = server, .version = "1.9"}, "echo", Payload());
      EXPECT_EQ(unsupported.error().code, Errc::unsupported_version);
      const int before = count.load();
      ASSERT_TRUE(client->cast(t, "count", Payload()).ok());
      EXPECT_TRUE(eventually([&] { return count.load() == before + 1; }));
    }
    const int before = count.load();
    ASSERT_TRUE(client->cast(Target{.topic = "compute", .fanout = true}, "count", Payload()).ok());
    EXPECT_TRUE(eventually([&] { return count.load() == before + 2; }));
  }
  EXPECT_EQ(c.router().stats().dropped_malformed, 0u);
}

TEST(RpcMixedProtocol, OldAndNewEndpointsTalkThroughTheRouterBothWays) {
  std::atomic<int> count{0};
  Cluster c;
  Endpoint& old_server = c.add("compute-old", "compute", "old", "1.3", &count, old_protocol);
  Endpoint& new_server = c.add("compute-new", "compute", "new", "1.3", &count);
  Endpoint& old_client = c.add("api-old", "", "", "1.3", nullptr, old_protocol);
  Endpoint& new_client = c.add("api-new");
  EXPECT_EQ(old_server.stats().protocol, 1u);
  EXPECT_EQ(old_client.stats().protocol, 1u);
  EXPECT_EQ(new_server.stats().protocol, 2u);
  EXPECT_EQ(new_client.stats().protocol, 2u);
  every_pairing_talks(c, old_client, new_client, count);
}

TEST(RpcMixedProtocol, NewEndpointsSpeakProtocolOneToAnOldRouter) {
  std::atomic<int> count{0};
  Cluster c(unique_inproc("old-router"), nullptr, [](RouterOptions& o) { o.max_protocol = 1; });
  c.add("compute-old", "compute", "old", "1.3", &count, old_protocol);
  Endpoint& new_server = c.add("compute-new", "compute", "new", "1.3", &count);
  Endpoint& old_client = c.add("api-old", "", "", "1.3", nullptr, old_protocol);
  Endpoint& new_client = c.add("api-new");
  EXPECT_EQ(new_server.stats().protocol, 1u);  // the router's HELLO_ACK names no protocol
  EXPECT_EQ(new_client.stats().protocol, 1u);
  every_pairing_talks(c, old_client, new_client, count);
}

TEST(RpcMixedProtocol, LargeBodiesCrossTheTranslation) {
  Cluster c;
  c.add("compute-old", "compute", "old", "1.3", nullptr, old_protocol);
  c.add("compute-new", "compute", "new", "1.3");
  Endpoint& new_client = c.add("api-new");
  Endpoint& old_client = c.add("api-old", "", "", "1.3", nullptr, old_protocol);
  const std::string big(1 << 20, 'x');
  for (Endpoint* client : {&new_client, &old_client}) {
    for (const char* server : {"old", "new"}) {
      auto r = client->call(Target{.topic = "compute", .server = server}, "echo", Payload::of(big).value());
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      EXPECT_EQ(r->as<std::string>().value(), big);
    }
  }
}

}  // namespace
}  // namespace stratus::rpc
