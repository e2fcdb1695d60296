// The codec's cost on a Nova-sized build_and_run_instance message: positional
// arrays (Stratus) against string-keyed maps, plus the RPC envelope itself.
#include <msgpack.hpp>

#include "bench_util.h"
#include "nova_message.h"
#include "stratus/rpc/payload.h"
#include "wire.h"

namespace stratus::bench {
namespace {

volatile std::size_t g_sink = 0;

template <class Msg>
void time_codec(int iterations, std::size_t& bytes, double& enc_us, double& dec_us) {
  const Msg m = make_nova_message<Msg>();
  msgpack::sbuffer once;
  msgpack::pack(once, m);
  bytes = once.size();
  auto t0 = Clock::now();
  for (int i = 0; i < iterations; ++i) {
    msgpack::sbuffer b(8192);
    msgpack::pack(b, m);
    g_sink = g_sink + b.size();
  }
  enc_us = us_since(t0) / iterations;
  const std::string wire(once.data(), once.size());
  t0 = Clock::now();
  for (int i = 0; i < iterations; ++i) {
    auto r = rpc::Payload::from_bytes(wire).as<Msg>();
    g_sink = g_sink + (r.ok() ? r->instance.uuid.size() : 0);
  }
  dec_us = us_since(t0) / iterations;
}

}  // namespace

CodecFigures codec_figures(int iterations) {
  CodecFigures f;
  time_codec<BuildAndRunInstanceArr>(iterations, f.arr_bytes, f.arr_encode_us, f.arr_decode_us);
  time_codec<BuildAndRunInstanceMap>(iterations, f.map_bytes, f.map_encode_us, f.map_decode_us);
  rpc::wire::Header h;
  h.kind = rpc::wire::Kind::call;
  h.msg_id = 123456;
  h.topic = "compute";
  h.server = "compute-17.rack4.dc1.example.com";
  h.timeout_ms = 60000;
  rpc::wire::Request r;
  r.method = "build_and_run_instance";
  r.version = "5.12";
  r.context.request_id = "req-4f0e6f2c-7d43-4b44-9b3a-8c1e2d3f4a5b";
  r.context.user_id = "8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d";
  r.context.project_id = "1f2e3d4c5b6a79880716253443526170";
  r.context.roles = {"member", "reader"};
  const auto t0 = Clock::now();
  for (int i = 0; i < iterations; ++i) {
    auto hb = rpc::wire::encode_header(h);
    auto rb = rpc::wire::encode_request(r);
    auto hd = rpc::wire::decode_header(hb);
    auto rd = rpc::wire::decode_request(rb);
    g_sink = g_sink + (hd.ok() ? hd->topic.size() : 0) + (rd.ok() ? rd->method.size() : 0);
  }
  f.envelope_us = us_since(t0) / iterations;
  return f;
}

}  // namespace stratus::bench
