// Malformed, mistyped, unknown and oversized messages: answered where a reply
// is possible, otherwise dropped and counted; never a crash or a stuck worker.
#include <gtest/gtest.h>

#include <msgpack.hpp>

#include "raw_peer.h"
#include "rpc_test_util.h"

namespace stratus::rpc {
namespace {
using namespace testing;

template <class... T>
std::string pack(const T&... v) {
  msgpack::sbuffer b;
  msgpack::packer<msgpack::sbuffer> pk(b);
  pk.pack_array(sizeof...(T));
  (pk.pack(v), ...);
  return std::string(b.data(), b.size());
}

wire::Header call_header(std::uint64_t id, std::string topic, std::string server = "") {
  wire::Header h;
  h.kind = wire::Kind::call;
  h.msg_id = id;
  h.topic = std::move(topic);
  h.server = std::move(server);
  h.timeout_ms = 1000;
  return h;
}

std::string good_request(const std::string& method) {
  wire::Request r;
  r.method = method;
  r.version = "1.0";
  r.context.request_id = "req-raw";
  return wire::encode_request(r);
}

Error reply_error(const std::vector<std::string>& frames) {
  EXPECT_GE(frames.size(), 2u);
  auto st = wire::decode_status(frames.at(1));
  EXPECT_TRUE(st.ok());
  return wire::status_to_error(st.value());
}

class RpcBadInput : public ::testing::Test {
 protected:
  RpcBadInput() : c_(unique_inproc("bad")) {
    c_.add("compute-1", "compute", "host1");
    peer_ = std::make_unique<RawPeer>(*c_.io(), c_.address());
  }
  // The system still works after the abuse.
  void expect_healthy() {
    Endpoint& api = c_.add("api-" + std::to_string(n_++));
    auto r = api.call(Target{.topic = "compute"}, "echo", Payload::of(1).value());
    EXPECT_TRUE(r.ok()) << r.error().to_string();
  }
  Cluster c_;
  std::unique_ptr<RawPeer> peer_;
  int n_ = 0;
};

TEST_F(RpcBadInput, NonMsgpackHeaderIsAnsweredWithErrorAndCounted) {
  peer_->send({"\xc1 this is not msgpack"});
  auto e = peer_->recv_kind(wire::Kind::error, 1000ms);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->first.code, static_cast<std::uint32_t>(Errc::bad_message));
  EXPECT_EQ(c_.router().stats().dropped_malformed, 1u);
  expect_healthy();
}

TEST_F(RpcBadInput, WrongFieldTypesAndUnknownKindsAreRefused) {
  peer_->send({pack(1, 4, std::string("id?"), std::string("compute"), std::string(""), 10)});
  auto e1 = peer_->recv_kind(wire::Kind::error, 1000ms);
  ASSERT_TRUE(e1.has_value());
  EXPECT_NE(e1->first.message.find("field 2"), std::string::npos) << e1->first.message;
  peer_->send({pack(1, 42)});
  EXPECT_TRUE(peer_->recv_kind(wire::Kind::error, 1000ms).has_value());
  peer_->send({pack(1, 4, 1)});  // missing fields
  EXPECT_TRUE(peer_->recv_kind(wire::Kind::error, 1000ms).has_value());
  peer_->send({std::string()});  // empty frame
  EXPECT_TRUE(peer_->recv_kind(wire::Kind::error, 1000ms).has_value());
  EXPECT_EQ(c_.router().stats().dropped_malformed, 4u);
  expect_healthy();
}

TEST_F(RpcBadInput, BadRequestFrameReachesServerAndIsAnswered) {
  peer_->send_header(call_header(5, "compute"), {"\xc1\xc1", pack(1)});
  auto r = peer_->recv_kind(wire::Kind::reply, 1000ms);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->first.msg_id, 5u);
  EXPECT_EQ(reply_error(r->second).code, Errc::bad_message);
  // Wrong context type inside an otherwise valid request.
  peer_->send_header(call_header(6, "compute"), {pack(std::string("echo"), std::string(""), std::string("1.0"), 3), pack(1)});
  auto r2 = peer_->recv_kind(wire::Kind::reply, 1000ms);
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(reply_error(r2->second).code, Errc::bad_message);
  // Missing frames.
  peer_->send_header(call_header(7, "compute"));
  auto r3 = peer_->recv_kind(wire::Kind::reply, 1000ms);
  ASSERT_TRUE(r3.has_value());
  EXPECT_EQ(reply_error(r3->second).code, Errc::bad_message);
  // Bad version string.
  wire::Request bad_version;
  bad_version.method = "echo";
  bad_version.version = "one";
  peer_->send_header(call_header(8, "compute"), {wire::encode_request(bad_version), pack(1)});
  auto r4 = peer_->recv_kind(wire::Kind::reply, 1000ms);
  ASSERT_TRUE(r4.has_value());
  EXPECT_EQ(reply_error(r4->second).code, Errc::bad_message);
  expect_healthy();
}

TEST_F(RpcBadInput, NonMsgpackArgsFailInTheMethodNotTheServer) {
  // "sleep" decodes its args as an int: garbage args give BadMessage.
  peer_->send_header(call_header(9, "compute"), {good_request("sleep"), "\xc1"});
  auto r = peer_->recv_kind(wire::Kind::reply, 1000ms);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(reply_error(r->second).code, Errc::bad_message);
  expect_healthy();
}

TEST_F(RpcBadInput, UnknownMethodIsAnswered) {
  peer_->send_header(call_header(10, "compute"), {good_request("nope"), pack(1)});
  auto r = peer_->recv_kind(wire::Kind::reply, 1000ms);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(reply_error(r->second).code, Errc::no_such_method);
}

TEST_F(RpcBadInput, ValidCallFromRawPeerWorks) {
  peer_->send_header(call_header(11, "compute", "host1"), {good_request("echo"), pack(1, 2)});
  auto r = peer_->recv_kind(wire::Kind::reply, 1000ms);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->second.size(), 3u);
  auto st = wire::decode_status(r->second[1]);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->code, 0u);
  EXPECT_EQ(r->second[2], pack(1, 2));
}

TEST(RpcBadInputLimits, OversizedCallIsAnsweredByTheRouter) {
  auto io = std::make_shared<IoContext>();
  auto ro = fast_router_options(io, {unique_inproc("small-router")});
  ro.max_message_bytes = 2048;
  Router router(ro);
  ASSERT_TRUE(router.start().ok());
  const std::string addr = router.endpoints().at(0);
  Endpoint server(fast_endpoint_options(io, addr, "compute-1"));
  ASSERT_TRUE(server.serve("compute", "host1", test_dispatcher("compute-1")).ok());
  ASSERT_TRUE(server.start().ok());
  ASSERT_TRUE(server.wait_registered(3s));
  {
    RawPeer peer(*io, addr);
    peer.send_header(call_header(12, "compute"), {good_request("echo"), std::string(3000, '\x01')});
    auto r = peer.recv_kind(wire::Kind::reply, 1000ms);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(reply_error(r->second).code, Errc::too_large);
    wire::Header cast = call_header(13, "compute");
    cast.kind = wire::Kind::cast;
    peer.send_header(cast, {good_request("echo"), std::string(3000, '\x01')});
    auto e = peer.recv_kind(wire::Kind::error, 1000ms);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->first.code, static_cast<std::uint32_t>(Errc::too_large));
    EXPECT_EQ(router.stats().dropped_oversize, 2u);
    EXPECT_EQ(server.stats().served, 0u);
  }
  server.stop();
  router.stop();
}

}  // namespace
}  // namespace stratus::rpc
