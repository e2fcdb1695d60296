// The envelope codec: round trips, versioning (trailing fields ignored) and
// every kind of malformed input.
#include <gtest/gtest.h>

#include <msgpack.hpp>

#include "wire.h"

namespace stratus::rpc::wire {
namespace {

template <class... T>
std::string pack(const T&... v) {
  msgpack::sbuffer b;
  msgpack::packer<msgpack::sbuffer> pk(b);
  pk.pack_array(sizeof...(T));
  (pk.pack(v), ...);
  return std::string(b.data(), b.size());
}

TEST(RpcWire, CallHeaderRoundTrips) {
  Header h;
  h.kind = Kind::call;
  h.msg_id = 1234567890123ULL;
  h.topic = "compute";
  h.server = "host1";
  h.timeout_ms = 60000;
  h.reply_to = std::string("\0\x80\x01\x02\x03", 5);
  auto d = decode_header(encode_header(h));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->kind, Kind::call);
  EXPECT_EQ(d->msg_id, h.msg_id);
  EXPECT_EQ(d->topic, "compute");
  EXPECT_EQ(d->server, "host1");
  EXPECT_EQ(d->timeout_ms, 60000u);
  EXPECT_EQ(d->reply_to, h.reply_to);
}

TEST(RpcWire, HelloCarriesServices) {
  Header h;
  h.kind = Kind::hello;
  h.name = "compute-1";
  h.services = {{"compute", "host1"}, {"compute_fanout", ""}};
  auto d = decode_header(encode_header(h));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->name, "compute-1");
  EXPECT_EQ(d->services, h.services);
}

TEST(RpcWire, ErrorAndAckRoundTrip) {
  Header e;
  e.kind = Kind::error;
  e.msg_id = 7;
  e.code = 2;
  e.message = "no server";
  auto d = decode_header(encode_header(e));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->code, 2u);
  EXPECT_EQ(d->message, "no server");
  Header a;
  a.kind = Kind::hello_ack;
  a.heartbeat_ms = 250;
  a.max_message_bytes = 1 << 20;
  auto da = decode_header(encode_header(a));
  ASSERT_TRUE(da.ok());
  EXPECT_EQ(da->heartbeat_ms, 250u);
  EXPECT_EQ(da->max_message_bytes, 1u << 20);
}

TEST(RpcWire, UnknownTrailingFieldsAreIgnored) {
  // A newer peer appends fields; this side ignores them.
  auto d = decode_header(pack(1, 5, 9, std::string("conductor"), std::string(""), 0, std::string("id"), 42,
                              std::string("future")));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->kind, Kind::cast);
  EXPECT_EQ(d->topic, "conductor");
  EXPECT_EQ(d->reply_to, "id");
}

TEST(RpcWire, RejectsNonMsgpack) {
  auto d = decode_header("\xc1garbage");  // 0xc1 is never valid msgpack
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, Errc::bad_message);
  EXPECT_FALSE(decode_header("").ok());
  EXPECT_FALSE(decode_header(std::string("\x93\x01", 2)).ok());  // truncated array
}

TEST(RpcWire, RejectsTrailingBytes) {
  auto bytes = pack(1, 3) + "x";
  EXPECT_FALSE(decode_header(bytes).ok());
}

TEST(RpcWire, RejectsWrongTypesNamingTheField) {
  auto d = decode_header(pack(1, 4, std::string("not-an-id"), std::string("t"), std::string(""), 0));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("field 2"), std::string::npos) << d.error().message;
  EXPECT_FALSE(decode_header(pack(1, 4, 1, 5, std::string(""), 0)).ok());           // topic not a string
  EXPECT_FALSE(decode_header(pack(1, 4, -1, std::string("t"), std::string(""), 0)).ok());  // negative id
  EXPECT_FALSE(decode_header(pack(std::string("1"), 4)).ok());                       // protocol not a uint
}

TEST(RpcWire, RejectsMissingFields) {
  auto d = decode_header(pack(1, 4, 1, std::string("t")));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("needs 6"), std::string::npos) << d.error().message;
  EXPECT_FALSE(decode_header(pack(1)).ok());
}

TEST(RpcWire, RejectsUnknownKindAndProtocol) {
  EXPECT_FALSE(decode_header(pack(1, 99)).ok());
  auto d = decode_header(pack(3, 3));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("protocol version 3"), std::string::npos);
  // Protocol 2 exists for calls, casts, fanouts and replies only.
  d = decode_header(pack(2, 3));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("always sent with protocol 1"), std::string::npos) << d.error().message;
}

TEST(RpcWire, RejectsHugeDeclaredArrayWithoutAllocating) {
  // array32 claiming 4 billion elements in 5 bytes.
  const std::string bytes("\xdd\xff\xff\xff\xff", 5);
  EXPECT_FALSE(decode_header(bytes).ok());
  EXPECT_FALSE(decode_request(bytes).ok());
  EXPECT_FALSE(decode_status(bytes).ok());
}

TEST(RpcWire, RequestRoundTripsWithContext) {
  Request r;
  r.method = "build_and_run_instance";
  r.ns = "compute";
  r.version = "5.12";
  r.context.request_id = "req-1";
  r.context.user_id = "alice";
  r.context.project_id = "p1";
  r.context.roles = {"admin", "member"};
  r.context.extra = {{"is_admin", "true"}, {"global_request_id", "req-0"}};
  auto d = decode_request(encode_request(r));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->method, r.method);
  EXPECT_EQ(d->ns, "compute");
  EXPECT_EQ(d->version, "5.12");
  EXPECT_EQ(d->context, r.context);
}

TEST(RpcWire, RequestWithBadContextIsRejected) {
  auto ctx_wrong = pack(std::string("m"), std::string(""), std::string("1.0"), 5);
  EXPECT_FALSE(decode_request(ctx_wrong).ok());
  auto roles_wrong = pack(std::string("m"), std::string(""), std::string("1.0"),
                          std::make_tuple(std::string("r"), std::string(""), std::string(""), 7,
                                          std::map<std::string, std::string>{}));
  auto d = decode_request(roles_wrong);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("context field 3"), std::string::npos) << d.error().message;
}

TEST(RpcWire, StatusMapsCodes) {
  auto s = decode_status(encode_status(make_error(Errc::no_such_target, "nothing")));
  ASSERT_TRUE(s.ok());
  Error e = status_to_error(s.value());
  EXPECT_EQ(e.code, Errc::no_such_target);
  EXPECT_EQ(e.type, "NoSuchTarget");
  EXPECT_EQ(e.message, "nothing");
  // A code from a newer peer becomes a remote error with its type kept.
  Error future = status_to_error(ReplyStatus{77, "QuotaExceeded", "x"});
  EXPECT_EQ(future.code, Errc::remote);
  EXPECT_EQ(future.type, "QuotaExceeded");
}

}  // namespace
}  // namespace stratus::rpc::wire

// ---- protocol 2 (docs/rpc-protocol.md, section 3.5) --------------------------

namespace stratus::rpc::wire {
namespace {

Request sample_request() {
  Request r;
  r.method = "build_and_run_instance";
  r.ns = "";
  r.version = "1.1";
  r.context.request_id = "req-1";
  r.context.user_id = "alice";
  r.context.roles = {"member"};
  r.context.extra = {{"k", "v"}};
  return r;
}

TEST(RpcWireV2, CallBodyIsHeaderRequestArgsBackToBack) {
  Header h;
  h.kind = Kind::call;
  h.msg_id = 7;
  h.topic = "compute";
  h.server = "host1";
  h.timeout_ms = 5000;
  h.reply_to = "ignored";  // protocol 2 never carries reply_to in the header
  const Request r = sample_request();
  const std::string args = pack(1, 2);
  const std::string body(encode_request_body(h, r.method, r.ns, r.version, r.context, args));
  EXPECT_EQ(body.substr(0, 1), "\x96");  // a 6-field header
  auto b = split_body(body);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->header.protocol, 2u);
  EXPECT_EQ(b->header.kind, Kind::call);
  EXPECT_EQ(b->header.msg_id, 7u);
  EXPECT_EQ(b->header.topic, "compute");
  EXPECT_EQ(b->header.server, "host1");
  EXPECT_EQ(b->header.timeout_ms, 5000u);
  EXPECT_TRUE(b->header.reply_to.empty());
  EXPECT_EQ(b->second, encode_request(r));
  EXPECT_EQ(b->rest, args);
  Request out;
  std::size_t n = 0;
  ASSERT_TRUE(decode_request_into(b->second, out, nullptr).ok());
  EXPECT_EQ(out.method, r.method);
  EXPECT_EQ(out.context, r.context);
  ASSERT_TRUE(decode_request_into(std::string(b->second) + args, out, &n).ok());
  EXPECT_EQ(n, b->second.size());
  // The same body through encode_body.
  EXPECT_EQ(encode_body(h, encode_request(r), args), body);
}

TEST(RpcWireV2, ReplyBodyWithAndWithoutResult) {
  Header h;
  h.kind = Kind::reply;
  h.msg_id = 9;
  const std::string ok_body = encode_body(h, encode_status(ReplyStatus{}), pack(42));
  auto b = split_body(ok_body);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->header.kind, Kind::reply);
  EXPECT_EQ(decode_status(b->second)->code, 0u);
  EXPECT_EQ(b->rest, pack(42));
  const std::string failed = encode_body(h, encode_status(make_error(Errc::no_such_target, "none")), {});
  b = split_body(failed);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(decode_status(b->second)->code, 2u);
  EXPECT_TRUE(b->rest.empty());
}

TEST(RpcWireV2, MalformedBodiesAreRefusedWithAReason) {
  Header h;
  h.kind = Kind::cast;
  h.topic = "t";
  h.protocol = kProtocolV2;
  const std::string header = encode_header(h);
  auto b = split_body(header);  // nothing after the header
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("request is missing"), std::string::npos) << b.error().message;
  b = split_body(header + "\xc1");  // never-used msgpack byte
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, Errc::bad_message);
  b = split_body(header + "\x94\xa1");  // truncated request
  ASSERT_FALSE(b.ok());
  h.protocol = kProtocolVersion;
  b = split_body(encode_header(h) + pack(1));  // a protocol 1 header does not start a body
  ASSERT_FALSE(b.ok());
  // A header that reads fine but is followed by bytes is not a protocol 1 frame.
  EXPECT_FALSE(decode_header(header + pack(1)).ok());
}

TEST(RpcWireV2, HelloOffersAndAckChoosesAProtocol) {
  Header hello;
  hello.kind = Kind::hello;
  hello.name = "n";
  hello.protocols = {1, 2};
  auto d = decode_header(encode_header(hello));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->protocol, 1u);  // control messages stay protocol 1
  EXPECT_EQ(d->protocols, (std::vector<std::uint32_t>{1, 2}));
  hello.protocols.clear();  // a release before protocol 2: exactly the old 4 fields
  EXPECT_EQ(encode_header(hello), pack(1u, 1u, std::string("n"), std::vector<int>{}));
  EXPECT_FALSE(decode_header(pack(1, 1, std::string("n"), std::vector<int>{}, std::string("x"))).ok());
  Header ack;
  ack.kind = Kind::hello_ack;
  ack.heartbeat_ms = 1000;
  ack.max_message_bytes = 1 << 20;
  EXPECT_EQ(decode_header(encode_header(ack))->chosen_protocol, 0u);
  ack.chosen_protocol = 2;
  EXPECT_EQ(decode_header(encode_header(ack))->chosen_protocol, 2u);
}

TEST(RpcWireV2, FastAndFullHeaderDecodersAgree) {
  Header h;
  h.kind = Kind::call;
  h.msg_id = 1ULL << 40;
  h.topic = std::string(40, 't');  // str8
  h.server = "s";
  h.timeout_ms = 70000;
  h.reply_to = std::string("\0\x01\x02", 3);
  for (std::uint32_t proto : {1u, 2u}) {
    h.protocol = proto;
    const std::string bytes = encode_header(h);
    auto fast = decode_header(bytes);
    auto full = decode_header_msgpack(bytes, nullptr);
    ASSERT_TRUE(fast.ok() && full.ok());
    EXPECT_EQ(fast->topic, full->topic);
    EXPECT_EQ(fast->msg_id, full->msg_id);
    EXPECT_EQ(fast->timeout_ms, full->timeout_ms);
    EXPECT_EQ(fast->reply_to, full->reply_to);
  }
  // Trailing fields and signed-but-positive integers take the full path and decode.
  auto d = decode_header(pack(2, 5, 3, std::string("t"), std::string(""), 0, std::string("future")));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->reply_to.empty());  // index 6 is not reply_to in protocol 2
  msgpack::sbuffer b;
  msgpack::packer<msgpack::sbuffer> pk(b);
  pk.pack_array(6);
  pk.pack_int8(2);
  pk.pack_int8(5);
  pk.pack_int64(3);
  pk.pack(std::string("t"));
  pk.pack(std::string(""));
  pk.pack_int32(0);
  d = decode_header(std::string(b.data(), b.size()));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->msg_id, 3u);
}

}  // namespace
}  // namespace stratus::rpc::wire
