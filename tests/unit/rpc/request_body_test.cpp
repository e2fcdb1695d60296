// The hand-written protocol 2 request body encoder (request_body.h) against
// msgpack-c's generic one (wire::encode_request_body): the same bytes for
// every size class of every field, and what it writes decodes back.
#include <gtest/gtest.h>

#include <msgpack.hpp>

#include <random>
#include <string>

#include "request_body.h"
#include "wire.h"

namespace stratus::rpc::wire {
namespace {

std::string fast(const RequestBodyView& b) {
  std::string out(request_body_size(b), '\xee');
  write_request_body(b, out.data());
  return out;
}

std::string generic(const RequestBodyView& b) {
  Header h;
  h.kind = b.kind;
  h.msg_id = b.msg_id;
  h.topic = std::string(b.topic);
  h.server = std::string(b.server);
  h.timeout_ms = b.timeout_ms;
  return std::string(encode_request_body(h, b.method, b.ns, b.version, *b.context, b.args));
}

std::string args_of(int n) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, std::string(static_cast<std::size_t>(n), 'a'));
  return std::string(buf.data(), buf.size());
}

TEST(RpcRequestBody, SameBytesAsTheGenericEncoder) {
  RequestContext ctx;
  ctx.request_id = "req-0f4c1a52-7f6e-4d0b-9a51-2b7a3c1d9e00";
  ctx.user_id = "alice";
  ctx.project_id = "p1";
  ctx.roles = {"member", "reader"};
  ctx.extra = {{"k", "v"}, {"global_request_id", "req-x"}};
  const std::string args = args_of(200);
  for (Kind k : {Kind::call, Kind::cast, Kind::fanout}) {
    const RequestBodyView b{k, 7, "compute", k == Kind::fanout ? "" : "host1", 5000, "build_and_run_instance",
                            "", "1.4", &ctx, args};
    EXPECT_EQ(fast(b), generic(b)) << "kind " << static_cast<int>(k);
  }
}

// Every boundary of msgpack's integer, string, array and map forms.
TEST(RpcRequestBody, SizeClassBoundaries) {
  const std::uint64_t ints[] = {0,          1,          0x7f,        0x80,       0xff,
                                0x100,      0xffff,     0x10000,     0xffffffffULL, 0x100000000ULL,
                                ~0ULL};
  const std::size_t lens[] = {0, 1, 31, 32, 255, 256, 65535, 65536};
  const std::size_t counts[] = {0, 1, 15, 16, 17};
  RequestContext ctx;
  const std::string args = args_of(3);
  for (std::uint64_t id : ints) {
    const auto timeout = static_cast<std::uint32_t>(id & 0xffffffffULL);
    const RequestBodyView b{Kind::call, id, "t", "s", timeout, "m", "", "1.0", &ctx, args};
    EXPECT_EQ(fast(b), generic(b)) << "msg_id " << id;
  }
  for (std::size_t n : lens) {
    const std::string s(n, 'x');
    ctx.request_id = s;
    const RequestBodyView b{Kind::cast, 1, s, s, 0, s, s, s, &ctx, args};
    EXPECT_EQ(fast(b), generic(b)) << "string of " << n;
  }
  for (std::size_t n : counts) {
    RequestContext c;
    for (std::size_t i = 0; i < n; ++i) {
      c.roles.push_back("role" + std::to_string(i));
      c.extra["key" + std::to_string(i)] = std::string(i, 'v');
    }
    const RequestBodyView b{Kind::cast, 1, "t", "", 0, "m", "ns", "2.3", &c, args};
    EXPECT_EQ(fast(b), generic(b)) << n << " roles and extra fields";
  }
  RequestContext big;  // 16- and 32-bit array and map headers
  for (int i = 0; i < 70000; ++i) big.roles.push_back("r");
  for (int i = 0; i < 300; ++i) big.extra["k" + std::to_string(i)] = "v";
  const RequestBodyView b{Kind::cast, 1, "t", "", 0, "m", "", "1.0", &big, args};
  EXPECT_EQ(fast(b), generic(b));
}

TEST(RpcRequestBody, RandomFieldsRoundTrip) {
  std::mt19937_64 rng(16);
  auto str = [&] {
    std::string s(rng() % 300, '\0');
    for (char& ch : s) ch = static_cast<char>(rng());
    return s;
  };
  for (int i = 0; i < 200; ++i) {
    RequestContext ctx;
    ctx.request_id = str();
    ctx.user_id = str();
    ctx.project_id = str();
    for (std::uint64_t r = rng() % 20; r > 0; --r) ctx.roles.push_back(str());
    for (std::uint64_t r = rng() % 20; r > 0; --r) ctx.extra[str()] = str();
    const std::string topic = str(), server = str(), method = "m" + str(), ns = str();
    const std::string args = args_of(static_cast<int>(rng() % 500));
    const RequestBodyView b{Kind::call, rng() >> (rng() % 64), topic, server, static_cast<std::uint32_t>(rng()),
                            method, ns, "1.0", &ctx, args};
    const std::string body = fast(b);
    ASSERT_EQ(body, generic(b)) << "case " << i;
    auto split = split_body(body);
    ASSERT_TRUE(split.ok()) << split.error().message;
    EXPECT_EQ(split->header.msg_id, b.msg_id);
    EXPECT_EQ(split->header.topic, topic);
    EXPECT_EQ(split->header.server, server);
    EXPECT_EQ(split->rest, args);
    Request out;
    ASSERT_TRUE(decode_request_into(split->second, out, nullptr).ok());
    EXPECT_EQ(out.method, b.method);
    EXPECT_EQ(out.ns, ns);
    EXPECT_EQ(out.context, ctx);
  }
}

// A body cut short anywhere is refused by the decoders with an error, never
// read past its end (the encoder's output is what receivers parse).
TEST(RpcRequestBody, TruncatedBodiesAreRejected) {
  RequestContext ctx;
  ctx.request_id = "req-1";
  ctx.roles = {"admin"};
  ctx.extra = {{"a", "b"}};
  const std::string args = args_of(40);
  const RequestBodyView b{Kind::call, 300, "compute", "host1", 60000, "echo", "", "1.0", &ctx, args};
  const std::string body = fast(b);
  const std::size_t header_and_request = body.size() - args.size();
  for (std::size_t n = 0; n < header_and_request; ++n) {
    auto split = split_body(std::string_view(body).substr(0, n));
    EXPECT_FALSE(split.ok()) << "cut at " << n;
    if (!split.ok()) {
      EXPECT_EQ(split.error().code, Errc::bad_message);
      EXPECT_FALSE(split.error().message.empty());
    }
  }
}

}  // namespace
}  // namespace stratus::rpc::wire
