// libFuzzer target for the RPC message decoder (rpc/src/wire.cpp, Payload::as).
//
// The first input byte picks what the rest is decoded as. Invariants checked
// beyond "no crash, no leak, no UB": a header, request or status that decodes
// re-encodes to bytes that decode to the same value; the fast (Scan) and full
// (msgpack-c) header and request decoders agree; a protocol 2 body that
// splits re-assembles to the same bytes and its parts decode as protocol 1
// frames would.
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
  // The fast path and msgpack-c accept the same headers, with the same fields.
  auto full = wire::decode_header_msgpack(in, nullptr);
  auto h = wire::decode_header(in);
  check(full.ok() == h.ok());
  if (h.ok()) {
    check(full->kind == h->kind && full->protocol == h->protocol && full->msg_id == h->msg_id &&
          full->topic == h->topic && full->server == h->server && full->timeout_ms == h->timeout_ms &&
          full->reply_to == h->reply_to);
  }
  std::size_t n_fast = 0, n_full = 0;
  auto pf = wire::decode_header_prefix(in, n_fast);
  auto pm = wire::decode_header_msgpack(in, &n_full);
  check(pf.ok() == pm.ok());
  if (pf.ok()) check(n_fast == n_full && n_fast <= in.size() && pf->kind == pm->kind);
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
  wire::Request into;
  into.context.roles = {"stale"};  // decode_request_into must overwrite what it reuses
  auto s = wire::decode_request_into(in, into, nullptr);
  check(s.ok() == r.ok());
  if (r.ok()) check(into.method == r->method && into.version == r->version && into.context == r->context);
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

// A protocol 2 body (header ++ request or status ++ args or result).
void fuzz_body(std::string_view in) {
  auto len = wire::value_length(in);
  if (len.ok()) check(len.value() >= 1 && len.value() <= in.size() && wire::check_msgpack(in.substr(0, len.value())).ok());
  auto b = wire::split_body(in);
  if (!b) {
    check(b.error().code == Errc::bad_message && !b.error().message.empty());
    return;
  }
  check(b->header.protocol == wire::kProtocolV2);
  check(wire::check_msgpack(b->second).ok());
  check(b->second.data() + b->second.size() == b->rest.data() && b->rest.data() + b->rest.size() == in.data() + in.size());
  const std::string again = wire::encode_body(b->header, b->second, b->rest);
  auto b2 = wire::split_body(again);
  check(b2.ok() && b2->header.kind == b->header.kind && b2->header.msg_id == b->header.msg_id &&
        b2->header.topic == b->header.topic && b2->second == b->second && b2->rest == b->rest);
  if (b->header.kind == wire::Kind::reply) {
    (void)wire::decode_status(b->second);
  } else {
    std::size_t n = 0;
    wire::Request r;
    if (wire::decode_request_into(std::string(b->second) + std::string(b->rest), r, &n).ok()) {
      check(n == b->second.size());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: fuzz_header(in); break;
    case 1: fuzz_request(in); break;
    case 2: fuzz_status(in); break;
    case 3: fuzz_payload(in); break;
    default: fuzz_body(in); break;
  }
  return 0;
}
