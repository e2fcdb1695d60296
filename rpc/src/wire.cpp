#include "wire.h"

#include <cstring>
#include <exception>
#include <limits>

#include <msgpack.hpp>

#include "msgpack_scan.h"
#include "stratus/rpc/payload.h"

namespace stratus::rpc::wire {
namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

void pack_str(Packer& pk, std::string_view s) {
  pk.pack_str(static_cast<std::uint32_t>(s.size()));
  pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

void pack_bin(Packer& pk, std::string_view s) {
  pk.pack_bin(static_cast<std::uint32_t>(s.size()));
  pk.pack_bin_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

std::string take(msgpack::sbuffer& buf) { return std::string(buf.data(), buf.size()); }

// A per-thread encoding buffer: no allocation for the buffer in the steady state.
msgpack::sbuffer& scratch_buffer() {
  thread_local msgpack::sbuffer buf(1024);
  buf.clear();
  return buf;
}

// Field readers over a decoded positional array. Each returns false and sets
// `why` when the field has the wrong type.
class Fields {
 public:
  Fields(const msgpack::object& arr, const char* what) : what_(what) {
    if (arr.type == msgpack::type::ARRAY) {
      p_ = arr.via.array.ptr;
      n_ = arr.via.array.size;
      is_array_ = true;
    }
  }
  bool is_array() const { return is_array_; }
  std::uint32_t size() const { return n_; }
  const msgpack::object& at(std::uint32_t i) const { return p_[i]; }

  bool u64(std::uint32_t i, std::uint64_t& out, std::string& why) const {
    if (p_[i].type != msgpack::type::POSITIVE_INTEGER) return fail(i, "an unsigned integer", why);
    out = p_[i].via.u64;
    return true;
  }
  bool u32(std::uint32_t i, std::uint32_t& out, std::string& why) const {
    std::uint64_t v = 0;
    if (!u64(i, v, why)) return false;
    if (v > std::numeric_limits<std::uint32_t>::max()) return fail(i, "an unsigned 32-bit integer", why);
    out = static_cast<std::uint32_t>(v);
    return true;
  }
  // str or bin; nil reads as "".
  bool str(std::uint32_t i, std::string& out, std::string& why) const { return str_of(p_[i], i, out, why); }
  bool str_of(const msgpack::object& o, std::uint32_t i, std::string& out, std::string& why) const {
    if (o.type == msgpack::type::STR) {
      out.assign(o.via.str.ptr, o.via.str.size);
    } else if (o.type == msgpack::type::BIN) {
      out.assign(o.via.bin.ptr, o.via.bin.size);
    } else if (o.type == msgpack::type::NIL) {
      out.clear();
    } else {
      return fail(i, "a string", why);
    }
    return true;
  }
  bool fail(std::uint32_t i, const char* expected, std::string& why) const {
    why = std::string(what_) + " field " + std::to_string(i) + " must be " + expected;
    return false;
  }

 private:
  const char* what_;
  const msgpack::object* p_ = nullptr;
  std::uint32_t n_ = 0;
  bool is_array_ = false;
};

// Sets s to v. A receiving loop decodes the same topics, servers, method
// names and users over and over into the same strings, and comparing is
// cheaper than std::string::assign (docs/performance.md, "The cast path").
void set_str(std::string& s, std::string_view v) {
  if (s.size() == v.size() && (v.empty() || std::memcmp(s.data(), v.data(), v.size()) == 0)) return;
  s.assign(v);
}

Error bad(std::string why) { return make_error(Errc::bad_message, std::move(why)); }

// Unpacks exactly one value into the thread's scratch zone (no allocation in
// the steady state; strings reference `bytes`); a frame with trailing bytes is
// malformed.
bool unpack_one(std::string_view bytes, msgpack::object& out, std::string& why) noexcept {
  try {
    out = detail::unpack_in_scratch(bytes.data(), bytes.size());
    return true;
  } catch (const std::exception& e) {
    why = std::string("not msgpack: ") + e.what();
    return false;
  }
}

// Unpacks the msgpack value at the start of `bytes` into a per-thread zone
// (strings reference `bytes`) and sets `consumed` to its length; what follows
// it is the caller's business (a protocol 2 body holds several values).
bool unpack_prefix(std::string_view bytes, msgpack::object& out, std::size_t& consumed, std::string& why) noexcept {
  try {
    thread_local msgpack::zone zone;
    zone.clear();
    std::size_t off = 0;
    const std::size_t size = bytes.size();
    auto reference = [](msgpack::type::object_type, std::size_t, void*) { return true; };
    out = msgpack::unpack(zone, bytes.data(), size, off, reference, nullptr,
                          msgpack::unpack_limit(size, size / 2, size, size, size, 64));
    consumed = off;
    return true;
  } catch (const std::exception& e) {
    why = std::string("not msgpack: ") + e.what();
    return false;
  }
}

bool decode_context(const msgpack::object& o, RequestContext& ctx, std::string& why) {
  Fields f(o, "context");
  if (!f.is_array()) {
    why = "context must be an array";
    return false;
  }
  if (f.size() < 5) {
    why = "context has " + std::to_string(f.size()) + " fields, needs 5";
    return false;
  }
  if (!f.str(0, ctx.request_id, why) || !f.str(1, ctx.user_id, why) || !f.str(2, ctx.project_id, why)) return false;
  const msgpack::object& roles = f.at(3);
  if (roles.type == msgpack::type::ARRAY) {
    ctx.roles.resize(roles.via.array.size);
    for (std::uint32_t i = 0; i < roles.via.array.size; ++i) {
      if (!f.str_of(roles.via.array.ptr[i], 3, ctx.roles[i], why)) return false;
    }
  } else if (roles.type != msgpack::type::NIL) {
    return f.fail(3, "an array of strings", why);
  }
  const msgpack::object& extra = f.at(4);
  if (extra.type == msgpack::type::MAP) {
    for (std::uint32_t i = 0; i < extra.via.map.size; ++i) {
      std::string k;
      std::string v;
      if (!f.str_of(extra.via.map.ptr[i].key, 4, k, why) || !f.str_of(extra.via.map.ptr[i].val, 4, v, why)) {
        why = "context field 4 must be a map of string to string";
        return false;
      }
      ctx.extra.insert_or_assign(std::move(k), std::move(v));
    }
  } else if (extra.type != msgpack::type::NIL) {
    return f.fail(4, "a map of string to string", why);
  }
  return true;
}

std::uint32_t required_fields(Kind k) {
  switch (k) {
    case Kind::hello: return 4;
    case Kind::hello_ack: return 4;
    case Kind::call:
    case Kind::cast:
    case Kind::fanout: return 6;
    case Kind::reply: return 3;
    case Kind::error: return 5;
    case Kind::heartbeat:
    case Kind::reset:
    case Kind::bye: return 2;
  }
  return 2;
}

}  // namespace

namespace {

// Packs h with `proto` in field 0 of a call, cast, fanout or reply (control
// kinds always say 1).
void pack_header(Packer& pk, const Header& h, std::uint32_t proto) {
  auto kind = static_cast<std::uint32_t>(h.kind);
  switch (h.kind) {
    case Kind::hello:
      pk.pack_array(h.protocols.empty() ? 4 : 5);
      pk.pack(kProtocolVersion);
      pk.pack(kind);
      pack_str(pk, h.name);
      pk.pack_array(static_cast<std::uint32_t>(h.services.size()));
      for (const auto& s : h.services) {
        pk.pack_array(2);
        pack_str(pk, s.topic);
        pack_str(pk, s.server);
      }
      if (!h.protocols.empty()) {
        pk.pack_array(static_cast<std::uint32_t>(h.protocols.size()));
        for (std::uint32_t p : h.protocols) pk.pack(p);
      }
      break;
    case Kind::hello_ack:
      pk.pack_array(h.chosen_protocol == 0 ? 4 : 5);
      pk.pack(kProtocolVersion);
      pk.pack(kind);
      pk.pack(h.heartbeat_ms);
      pk.pack(h.max_message_bytes);
      if (h.chosen_protocol != 0) pk.pack(h.chosen_protocol);
      break;
    case Kind::call:
    case Kind::cast:
    case Kind::fanout: {
      // Protocol 2 carries reply_to in a frame of its own, never in the header.
      const bool with_reply_to = proto != kProtocolV2 && !h.reply_to.empty();
      pk.pack_array(with_reply_to ? 7 : 6);
      pk.pack(proto == kProtocolV2 ? kProtocolV2 : kProtocolVersion);
      pk.pack(kind);
      pk.pack(h.msg_id);
      pack_str(pk, h.topic);
      pack_str(pk, h.server);
      pk.pack(h.timeout_ms);
      if (with_reply_to) pack_bin(pk, h.reply_to);
      break;
    }
    case Kind::reply: {
      const bool with_reply_to = proto != kProtocolV2 && !h.reply_to.empty();
      pk.pack_array(with_reply_to ? 4 : 3);
      pk.pack(proto == kProtocolV2 ? kProtocolV2 : kProtocolVersion);
      pk.pack(kind);
      pk.pack(h.msg_id);
      if (with_reply_to) pack_bin(pk, h.reply_to);
      break;
    }
    case Kind::error:
      pk.pack_array(5);
      pk.pack(kProtocolVersion);
      pk.pack(kind);
      pk.pack(h.msg_id);
      pk.pack(h.code);
      pack_str(pk, h.message);
      break;
    case Kind::heartbeat:
    case Kind::reset:
    case Kind::bye:
      pk.pack_array(2);
      pk.pack(kProtocolVersion);
      pk.pack(kind);
      break;
  }
}

}  // namespace

std::string encode_header(const Header& h) {
  msgpack::sbuffer& buf = scratch_buffer();
  Packer pk(buf);
  pack_header(pk, h, h.protocol);
  return take(buf);
}

namespace {

Result<Header> header_from(const msgpack::object& obj) {
  std::string why;
  Fields f(obj, "header");
  if (!f.is_array()) return bad("header must be an array");
  if (f.size() < 2) return bad("header has " + std::to_string(f.size()) + " fields, needs at least 2");
  std::uint32_t proto = 0;
  std::uint32_t kind = 0;
  if (!f.u32(0, proto, why) || !f.u32(1, kind, why)) return bad(why);
  if (proto != kProtocolVersion && proto != kProtocolV2) {
    return bad("header: unsupported protocol version " + std::to_string(proto) + " (this side speaks 1 and 2)");
  }
  if (kind < 1 || kind > 10) return bad("header: unknown message kind " + std::to_string(kind));
  Header h;
  h.kind = static_cast<Kind>(kind);
  h.protocol = proto;
  const bool v2 = proto == kProtocolV2;
  if (v2 && h.kind != Kind::call && h.kind != Kind::cast && h.kind != Kind::fanout && h.kind != Kind::reply) {
    return bad("header: message kind " + std::to_string(kind) + " is always sent with protocol 1");
  }
  const std::uint32_t need = required_fields(h.kind);
  if (f.size() < need) {
    return bad("header of kind " + std::to_string(kind) + " has " + std::to_string(f.size()) + " fields, needs " +
               std::to_string(need));
  }
  switch (h.kind) {
    case Kind::hello: {
      if (!f.str(2, h.name, why)) return bad(why);
      const msgpack::object& svcs = f.at(3);
      if (svcs.type != msgpack::type::ARRAY) return bad("header field 3 must be an array of [topic, server]");
      h.services.reserve(svcs.via.array.size);
      for (std::uint32_t i = 0; i < svcs.via.array.size; ++i) {
        Fields s(svcs.via.array.ptr[i], "service");
        if (!s.is_array() || s.size() < 2) return bad("header field 3 must be an array of [topic, server]");
        Service svc;
        if (!s.str(0, svc.topic, why) || !s.str(1, svc.server, why)) return bad(why);
        if (svc.topic.empty()) return bad("service topic must not be empty");
        h.services.push_back(std::move(svc));
      }
      if (f.size() > 4) {  // the protocols the sender speaks (appended for protocol 2)
        const msgpack::object& ps = f.at(4);
        if (ps.type != msgpack::type::ARRAY) return bad("header field 4 must be an array of protocol versions");
        Fields pf(ps, "protocols");
        h.protocols.resize(pf.size());
        for (std::uint32_t i = 0; i < pf.size(); ++i) {
          if (!pf.u32(i, h.protocols[i], why)) return bad(why);
        }
      }
      break;
    }
    case Kind::hello_ack:
      if (!f.u32(2, h.heartbeat_ms, why) || !f.u64(3, h.max_message_bytes, why)) return bad(why);
      if (f.size() > 4 && !f.u32(4, h.chosen_protocol, why)) return bad(why);
      break;
    case Kind::call:
    case Kind::cast:
    case Kind::fanout:
      if (!f.u64(2, h.msg_id, why) || !f.str(3, h.topic, why) || !f.str(4, h.server, why) ||
          !f.u32(5, h.timeout_ms, why)) {
        return bad(why);
      }
      if (!v2 && f.size() > 6 && !f.str(6, h.reply_to, why)) return bad(why);
      break;
    case Kind::reply:
      if (!f.u64(2, h.msg_id, why)) return bad(why);
      if (!v2 && f.size() > 3 && !f.str(3, h.reply_to, why)) return bad(why);
      break;
    case Kind::error:
      if (!f.u64(2, h.msg_id, why) || !f.u32(3, h.code, why) || !f.str(4, h.message, why)) return bad(why);
      break;
    case Kind::heartbeat:
    case Kind::reset:
    case Kind::bye:
      break;
  }
  return h;
}

// The fast path of the header decoders: a CALL, CAST, FANOUT, REPLY,
// HEARTBEAT, RESET or BYE header of exactly its known fields, read with Scan
// (no msgpack objects, no zone). Anything else (another kind, a trailing
// field, a wrong type, bad bytes) returns false and the caller decodes with
// msgpack-c, which accepts the same headers and says what is wrong with the
// others (the fuzz target checks that both agree).
bool fast_header(std::string_view bytes, Header& h, std::size_t& consumed) noexcept {
  Scan s(bytes);
  std::uint32_t n = 0;
  std::uint64_t proto = 0, kind = 0;
  if (!s.array(n) || n < 2 || !s.uint(proto) || !s.uint(kind)) return false;
  if (proto != kProtocolVersion && proto != kProtocolV2) return false;
  const bool v2 = proto == kProtocolV2;
  std::string_view topic, server, reply_to;
  std::uint64_t msg_id = 0, timeout = 0;
  switch (static_cast<Kind>(kind)) {
    case Kind::call:
    case Kind::cast:
    case Kind::fanout:
      if (n != 6 && !(n == 7 && !v2)) return false;
      if (!s.uint(msg_id) || !s.str(topic) || !s.str(server) || !s.uint(timeout)) return false;
      if (timeout > std::numeric_limits<std::uint32_t>::max()) return false;
      if (n == 7 && !s.str(reply_to)) return false;
      break;
    case Kind::reply:
      if (n != 3 && !(n == 4 && !v2)) return false;
      if (!s.uint(msg_id)) return false;
      if (n == 4 && !s.str(reply_to)) return false;
      break;
    case Kind::heartbeat:
    case Kind::reset:
    case Kind::bye:
      if (v2 || n != 2) return false;
      break;
    default: return false;
  }
  h.kind = static_cast<Kind>(kind);
  h.protocol = static_cast<std::uint32_t>(proto);
  h.msg_id = msg_id;
  set_str(h.topic, topic);
  set_str(h.server, server);
  h.timeout_ms = static_cast<std::uint32_t>(timeout);
  set_str(h.reply_to, reply_to);
  consumed = s.offset();
  return true;
}

}  // namespace

Result<Header> decode_header_msgpack(std::string_view bytes, std::size_t* consumed) noexcept {
  try {
    msgpack::object obj;
    std::string why;
    if (consumed == nullptr) {
      if (!unpack_one(bytes, obj, why)) return bad("header: " + why);
    } else if (!unpack_prefix(bytes, obj, *consumed, why)) {
      return bad("header: " + why);
    }
    return header_from(obj);
  } catch (const std::exception& e) {
    return bad(std::string("header: ") + e.what());
  }
}

Result<Header> decode_header(std::string_view bytes) noexcept {
  try {
    Header h;
    std::size_t n = 0;
    if (fast_header(bytes, h, n) && n == bytes.size()) return h;
  } catch (const std::exception&) {
    // out of memory copying a field: the full path reports it
  }
  return decode_header_msgpack(bytes, nullptr);
}

Result<Header> decode_header_prefix(std::string_view bytes, std::size_t& consumed) noexcept {
  try {
    Header h;
    if (fast_header(bytes, h, consumed)) return h;
  } catch (const std::exception&) {
  }
  return decode_header_msgpack(bytes, &consumed);
}

Status decode_header_prefix_into(std::string_view bytes, Header& out, std::size_t& consumed) noexcept {
  try {
    if (fast_header(bytes, out, consumed)) return {};
  } catch (const std::exception&) {
  }
  auto h = decode_header_msgpack(bytes, &consumed);
  if (!h) return h.error();
  out = std::move(h.value());
  return {};
}

Result<std::size_t> value_length(std::string_view bytes) noexcept {
  Scan scan(bytes);
  if (scan.skip()) return scan.offset();
  msgpack::object obj;
  std::string why;
  std::size_t n = 0;
  if (!unpack_prefix(bytes, obj, n, why)) return bad(why);
  return n;  // not reached in practice: Scan accepts whatever msgpack-c does
}

Result<Body> split_body(std::string_view bytes) noexcept {
  try {
    std::size_t off = 0;
    auto h = decode_header_prefix(bytes, off);
    if (!h) return h.error();
    if (h->protocol != kProtocolV2) return bad("body: a protocol 1 header does not start a one-frame message");
    const char* second_name = h->kind == Kind::reply ? "status" : "request";
    if (off == bytes.size()) {
      return bad(std::string("body: the ") + second_name + " is missing after the header");
    }
    auto n = value_length(bytes.substr(off));
    if (!n) return bad(std::string("body: ") + second_name + ": " + n.error().message);
    Body b;
    b.header = std::move(h.value());
    b.second = bytes.substr(off, n.value());
    b.rest = bytes.substr(off + n.value());
    return b;
  } catch (const std::exception& e) {
    return bad(std::string("body: ") + e.what());
  }
}

std::string encode_body(const Header& h, std::string_view second, std::string_view rest) {
  msgpack::sbuffer& buf = scratch_buffer();
  Packer pk(buf);
  pack_header(pk, h, kProtocolV2);
  buf.write(second.data(), second.size());
  buf.write(rest.data(), rest.size());
  return take(buf);
}

namespace {

void pack_request(Packer& pk, std::string_view method, std::string_view ns, std::string_view version,
                  const RequestContext& c) {
  pk.pack_array(4);
  pack_str(pk, method);
  pack_str(pk, ns);
  pack_str(pk, version);
  pk.pack_array(5);
  pack_str(pk, c.request_id);
  pack_str(pk, c.user_id);
  pack_str(pk, c.project_id);
  pk.pack_array(static_cast<std::uint32_t>(c.roles.size()));
  for (const auto& role : c.roles) pack_str(pk, role);
  pk.pack_map(static_cast<std::uint32_t>(c.extra.size()));
  for (const auto& [k, v] : c.extra) {
    pack_str(pk, k);
    pack_str(pk, v);
  }
}

}  // namespace

std::string encode_request(const Request& r) {
  msgpack::sbuffer& buf = scratch_buffer();
  Packer pk(buf);
  pack_request(pk, r.method, r.ns, r.version, r.context);
  return take(buf);
}

std::string_view encode_request_body(const Header& h, std::string_view method, std::string_view ns,
                                     std::string_view version, const RequestContext& context, std::string_view args) {
  msgpack::sbuffer& buf = scratch_buffer();
  Packer pk(buf);
  pack_header(pk, h, kProtocolV2);
  pack_request(pk, method, ns, version, context);
  buf.write(args.data(), args.size());
  return std::string_view(buf.data(), buf.size());
}

namespace {

// The fast path of decode_request_into: exactly 4 request fields and 5
// context fields of the expected types (roles an array, extra a map), read
// with Scan into `r`, reusing its strings' storage. Anything else returns
// false and the caller decodes with msgpack-c.
bool fast_request(std::string_view bytes, Request& r, std::size_t& consumed) {
  Scan s(bytes);
  std::uint32_t n = 0, ctx_n = 0, roles_n = 0, extra_n = 0;
  std::string_view method, ns, version, rid, user, project;
  if (!s.array(n) || n != 4 || !s.str(method) || !s.str(ns) || !s.str(version)) return false;
  if (!s.array(ctx_n) || ctx_n != 5 || !s.str(rid) || !s.str(user) || !s.str(project)) return false;
  if (!s.array(roles_n) || roles_n > bytes.size()) return false;
  RequestContext& c = r.context;
  c.roles.resize(roles_n);
  for (std::uint32_t i = 0; i < roles_n; ++i) {
    std::string_view role;
    if (!s.str(role)) return false;
    set_str(c.roles[i], role);
  }
  if (!s.map(extra_n)) return false;
  c.extra.clear();
  for (std::uint32_t i = 0; i < extra_n; ++i) {
    std::string_view k, v;
    if (!s.str(k) || !s.str(v)) return false;
    c.extra.insert_or_assign(std::string(k), std::string(v));
  }
  set_str(r.method, method);
  set_str(r.ns, ns);
  set_str(r.version, version);
  set_str(c.request_id, rid);
  set_str(c.user_id, user);
  set_str(c.project_id, project);
  consumed = s.offset();
  return true;
}

}  // namespace

Status decode_request_into(std::string_view bytes, Request& out, std::size_t* consumed) noexcept {
  try {
    std::size_t n = 0;
    if (fast_request(bytes, out, n) && (consumed != nullptr || n == bytes.size())) {
      if (consumed) *consumed = n;
      return {};
    }
    std::string_view one = bytes;
    if (consumed != nullptr) {
      auto len = value_length(bytes);
      if (!len) return bad("request: " + len.error().message);
      one = bytes.substr(0, len.value());
      *consumed = len.value();
    }
    auto r = decode_request(one);
    if (!r) return r.error();
    out = std::move(r.value());
    return {};
  } catch (const std::exception& e) {
    return bad(std::string("request: ") + e.what());
  }
}

Result<Request> decode_request(std::string_view bytes) noexcept {
  try {
    msgpack::object obj;
    std::string why;
    if (!unpack_one(bytes, obj, why)) return bad("request: " + why);
    Fields f(obj, "request");
    if (!f.is_array()) return bad("request must be an array");
    if (f.size() < 4) return bad("request has " + std::to_string(f.size()) + " fields, needs 4");
    Request r;
    if (!f.str(0, r.method, why) || !f.str(1, r.ns, why) || !f.str(2, r.version, why)) return bad(why);
    if (!decode_context(f.at(3), r.context, why)) return bad(why);
    return r;
  } catch (const std::exception& e) {
    return bad(std::string("request: ") + e.what());
  }
}

std::string encode_status(const ReplyStatus& s) {
  msgpack::sbuffer& buf = scratch_buffer();
  Packer pk(buf);
  pk.pack_array(3);
  pk.pack(s.code);
  pack_str(pk, s.type);
  pack_str(pk, s.message);
  return take(buf);
}

Result<ReplyStatus> decode_status(std::string_view bytes) noexcept {
  try {
    msgpack::object obj;
    std::string why;
    if (!unpack_one(bytes, obj, why)) return bad("status: " + why);
    Fields f(obj, "status");
    if (!f.is_array()) return bad("status must be an array");
    if (f.size() < 3) return bad("status has " + std::to_string(f.size()) + " fields, needs 3");
    ReplyStatus s;
    if (!f.u32(0, s.code, why) || !f.str(1, s.type, why) || !f.str(2, s.message, why)) return bad(why);
    return s;
  } catch (const std::exception& e) {
    return bad(std::string("status: ") + e.what());
  }
}

Status check_msgpack(std::string_view bytes) noexcept {
  msgpack::object obj;
  std::string why;
  if (!unpack_one(bytes, obj, why)) return bad(why);
  return {};
}

Error status_to_error(ReplyStatus s) {
  Errc code = Errc::remote;
  if (s.code >= 1 && s.code <= static_cast<std::uint32_t>(Errc::invalid_argument)) code = static_cast<Errc>(s.code);
  Error e{code, std::move(s.type), std::move(s.message)};
  if (e.type.empty()) e.type = make_error(code, "").type;
  return e;
}

}  // namespace stratus::rpc::wire
