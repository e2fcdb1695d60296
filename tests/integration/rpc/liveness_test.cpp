// Heartbeats both ways, eviction of silent endpoints, and reconnection after a
// router restart.
#include <gtest/gtest.h>

#include "raw_peer.h"
#include "rpc_test_util.h"

namespace stratus::rpc {
namespace {
using namespace testing;

wire::Header hello(const std::string& name, std::vector<wire::Service> services) {
  wire::Header h;
  h.kind = wire::Kind::hello;
  h.name = name;
  h.services = std::move(services);
  return h;
}

TEST(RpcLiveness, RouterHeartbeatsAndEvictsASilentEndpoint) {
  Cluster c;
  Endpoint& api = c.add("api");
  RawPeer ghost(*c.io(), c.address());
  ghost.send_header(hello("ghost", {{"compute", "ghost"}}));
  auto ack = ghost.recv_kind(wire::Kind::hello_ack, 1000ms);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->first.heartbeat_ms, 50u);
  // The router heartbeats registered endpoints.
  EXPECT_TRUE(ghost.recv_kind(wire::Kind::heartbeat, 500ms).has_value());

  // A call reaches the ghost, which never answers nor heartbeats: when the
  // router evicts it (6 x 50 ms of silence) the call fails at once, long
  // before its 5 s timeout.
  const auto t0 = std::chrono::steady_clock::now();
  auto r = api.call(Target{.topic = "compute", .server = "ghost"}, "echo", Payload(), {}, 5000ms);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::unavailable) << r.error().to_string();
  EXPECT_LT(elapsed, 1500ms);
  EXPECT_EQ(c.router().stats().evicted, 1u);
  // Now it is gone: calls to it are answered no_such_target at once.
  auto again = api.call(Target{.topic = "compute", .server = "ghost"}, "echo", Payload(), {}, 5000ms);
  EXPECT_EQ(again.error().code, Errc::no_such_target);
  // If it speaks again, the router asks it to say hello.
  wire::Header hb;
  hb.kind = wire::Kind::heartbeat;
  ghost.send_header(hb);
  EXPECT_TRUE(ghost.recv_kind(wire::Kind::reset, 1000ms).has_value());
}

// A bare ROUTER socket that acknowledges HELLO and then never speaks again:
// the endpoint must notice the silence, count it and say HELLO again.
TEST(RpcLiveness, EndpointNoticesASilentRouterAndSaysHelloAgain) {
  auto io = std::make_shared<IoContext>();
  const std::string addr = unique_inproc("mute-router");
  void* router = zmq_socket(io->native(), ZMQ_ROUTER);
  int zero = 0;
  zmq_setsockopt(router, ZMQ_LINGER, &zero, sizeof zero);
  ASSERT_EQ(zmq_bind(router, addr.c_str()), 0);
  auto recv_hello = [&](std::chrono::milliseconds timeout) -> std::string {
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (int i = 0; i < 1000 && std::chrono::steady_clock::now() < end; ++i) {
      zmq_pollitem_t item{router, 0, ZMQ_POLLIN, 0};
      if (zmq_poll(&item, 1, 20) <= 0) continue;
      char id[256];
      char body[512];
      const int idn = zmq_recv(router, id, sizeof id, 0);
      const int n = zmq_recv(router, body, sizeof body, 0);
      if (idn <= 0 || n <= 0) continue;
      auto h = wire::decode_header(std::string_view(body, static_cast<std::size_t>(std::min<int>(n, sizeof body))));
      if (h.ok() && h->kind == wire::Kind::hello) return std::string(id, static_cast<std::size_t>(idn));
    }
    return {};
  };
  Endpoint ep(fast_endpoint_options(io, addr, "lonely"));
  ASSERT_TRUE(ep.start().ok());
  const std::string id = recv_hello(2000ms);
  ASSERT_FALSE(id.empty());
  wire::Header ack;
  ack.kind = wire::Kind::hello_ack;
  ack.heartbeat_ms = 50;
  ack.max_message_bytes = 1 << 20;
  const std::string ack_bytes = wire::encode_header(ack);
  zmq_send(router, id.data(), id.size(), ZMQ_SNDMORE);
  zmq_send(router, ack_bytes.data(), ack_bytes.size(), 0);
  ASSERT_TRUE(ep.wait_registered(2s));
  // Silence: after 6 x 50 ms the endpoint gives the router up...
  EXPECT_TRUE(eventually([&] { return !ep.registered(); }, 2000ms));
  EXPECT_EQ(ep.stats().router_lost, 1u);
  EXPECT_EQ(ep.call(Target{.topic = "x"}, "m", Payload()).error().code, Errc::unavailable);
  // ...and says HELLO again by itself.
  EXPECT_FALSE(recv_hello(2000ms).empty());
  ep.stop();
  zmq_close(router);
}

TEST(RpcLiveness, HeartbeatsKeepLiveEndpointsRegistered) {
  Cluster c;
  c.add("compute-1", "compute", "host1");
  Endpoint& api = c.add("api");
  std::this_thread::sleep_for(500ms);  // 10 heartbeat intervals
  EXPECT_EQ(c.router().stats().evicted, 0u);
  EXPECT_TRUE(api.registered());
  EXPECT_TRUE(api.call(Target{.topic = "compute", .server = "host1"}, "echo", Payload()).ok());
  EXPECT_EQ(api.stats().router_lost, 0u);
}

TEST(RpcLiveness, EndpointsReconnectAndReRegisterAfterRouterRestart) {
  auto io = std::make_shared<IoContext>();
  auto router = std::make_unique<Router>(fast_router_options(io, {"tcp://127.0.0.1:0"}));
  ASSERT_TRUE(router->start().ok());
  const std::string addr = router->endpoints().at(0);

  Endpoint server(fast_endpoint_options(io, addr, "compute-1"));
  ASSERT_TRUE(server.serve("compute", "host1", test_dispatcher("compute-1")).ok());
  ASSERT_TRUE(server.start().ok());
  Endpoint api(fast_endpoint_options(io, addr, "api"));
  ASSERT_TRUE(api.start().ok());
  ASSERT_TRUE(server.wait_registered(3s));
  ASSERT_TRUE(api.wait_registered(3s));
  ASSERT_TRUE(api.call(Target{.topic = "compute", .server = "host1"}, "echo", Payload()).ok());

  router->stop();
  router.reset();
  // Both sides notice the silence and fail fast meanwhile.
  EXPECT_TRUE(eventually([&] { return !api.registered() && !server.registered(); }, 2000ms));
  auto during = api.call(Target{.topic = "compute", .server = "host1"}, "echo", Payload(), {}, 5000ms);
  EXPECT_EQ(during.error().code, Errc::unavailable);

  // A new router on the same address: registrations come back by themselves.
  router = std::make_unique<Router>(fast_router_options(io, {addr}));
  auto s = router->start();
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_TRUE(server.wait_registered(3s));
  EXPECT_TRUE(api.wait_registered(3s));
  EXPECT_TRUE(eventually([&] { return router->stats().peers == 2; }));
  auto after = api.call(Target{.topic = "compute", .server = "host1"}, "echo", Payload::of(7).value());
  ASSERT_TRUE(after.ok()) << after.error().to_string();
  EXPECT_EQ(after->as<int>().value(), 7);
  EXPECT_GE(api.stats().router_lost, 1u);
  api.stop();
  server.stop();
  router->stop();
}

}  // namespace
}  // namespace stratus::rpc
