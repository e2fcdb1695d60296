// libFuzzer target for the RPC message decoder (rpc/src/wire.cpp, Payload::as).
//
// The first input byte picks what the rest is decoded as. Invariants checked
// beyond "no crash, no leak, no UB": a header, request or status that decodes
// re-encodes to bytes that decode to the same value.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "stratus/rpc/payload.h"
#include "wire.h"

namespace {

using namespace stratus::rpc;

void check(bool cond) {
  if (!cond) __builtin_trap();
}

void fuzz_header(std::string_view in) {
  auto h = wire::decode_header(in);
  if (!h) {
    check(h.error().code == Errc::bad_message && !h.error().message.empty());
    return;
  }
  auto again = wire::decode_header(wire::encode_header(h.value()));
  check(again.ok());
  const wire::Header& a = h.value();
  const wire::Header& b = again.value();
  check(a.kind == b.kind);
  switch (a.kind) {
    case wire::Kind::call:
    case wire::Kind::cast:
    case wire::Kind::fanout:
      check(a.msg_id == b.msg_id && a.topic == b.topic && a.server == b.server && a.timeout_ms == b.timeout_ms &&
            a.reply_to == b.reply_to);
      break;
    case wire::Kind::hello: check(a.name == b.name && a.services == b.services); break;
    case wire::Kind::reply: check(a.msg_id == b.msg_id && a.reply_to == b.reply_to); break;
    case wire::Kind::error: check(a.msg_id == b.msg_id && a.code == b.code && a.message == b.message); break;
    case wire::Kind::hello_ack: check(a.heartbeat_ms == b.heartbeat_ms && a.max_message_bytes == b.max_message_bytes); break;
    default: break;
  }
}

void fuzz_request(std::string_view in) {
  auto r = wire::decode_request(in);
  if (!r) return;
  auto again = wire::decode_request(wire::encode_request(r.value()));
  check(again.ok());
  check(again->method == r->method && again->ns == r->ns && again->version == r->version &&
        again->context == r->context);
  (void)Version::parse(r->version);
}

void fuzz_status(std::string_view in) {
  auto s = wire::decode_status(in);
  if (!s) return;
  auto again = wire::decode_status(wire::encode_status(s.value()));
  check(again.ok() && again->code == s->code && again->type == s->type && again->message == s->message);
  if (s->code != 0) (void)wire::status_to_error(s.value());
}

struct Flavor {
  std::string name;
  int vcpus = 0;
  std::map<std::string, std::string> extra;
  MSGPACK_DEFINE(name, vcpus, extra)
};

void fuzz_payload(std::string_view in) {
  const Payload p = Payload::from_bytes(std::string(in));
  (void)p.as<Flavor>();
  (void)p.as<std::vector<std::string>>();
  (void)p.as<std::map<std::string, int>>();
  (void)p.as<double>();
  (void)wire::check_msgpack(in);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: fuzz_header(in); break;
    case 1: fuzz_request(in); break;
    case 2: fuzz_status(in); break;
    default: fuzz_payload(in); break;
  }
  return 0;
}
