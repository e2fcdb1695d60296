#include "wire.h"

#include <exception>
#include <limits>

#include <msgpack.hpp>

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

std::string encode_header(const Header& h) {
  msgpack::sbuffer& buf = scratch_buffer();
  Packer pk(buf);
  auto kind = static_cast<std::uint32_t>(h.kind);
  switch (h.kind) {
    case Kind::hello:
      pk.pack_array(4);
      pk.pack(kProtocolVersion);
      pk.pack(kind);
      pack_str(pk, h.name);
      pk.pack_array(static_cast<std::uint32_t>(h.services.size()));
      for (const auto& s : h.services) {
        pk.pack_array(2);
        pack_str(pk, s.topic);
        pack_str(pk, s.server);
      }
      break;
    case Kind::hello_ack:
      pk.pack_array(4);
      pk.pack(kProtocolVersion);
      pk.pack(kind);
      pk.pack(h.heartbeat_ms);
      pk.pack(h.max_message_bytes);
      break;
    case Kind::call:
    case Kind::cast:
    case Kind::fanout:
      pk.pack_array(h.reply_to.empty() ? 6 : 7);
      pk.pack(kProtocolVersion);
      pk.pack(kind);
      pk.pack(h.msg_id);
      pack_str(pk, h.topic);
      pack_str(pk, h.server);
      pk.pack(h.timeout_ms);
      if (!h.reply_to.empty()) pack_bin(pk, h.reply_to);
      break;
    case Kind::reply:
      pk.pack_array(h.reply_to.empty() ? 3 : 4);
      pk.pack(kProtocolVersion);
      pk.pack(kind);
      pk.pack(h.msg_id);
      if (!h.reply_to.empty()) pack_bin(pk, h.reply_to);
      break;
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
  return take(buf);
}

Result<Header> decode_header(std::string_view bytes) noexcept {
  try {
    msgpack::object obj;
    std::string why;
    if (!unpack_one(bytes, obj, why)) return bad("header: " + why);
    Fields f(obj, "header");
    if (!f.is_array()) return bad("header must be an array");
    if (f.size() < 2) return bad("header has " + std::to_string(f.size()) + " fields, needs at least 2");
    std::uint32_t proto = 0;
    std::uint32_t kind = 0;
    if (!f.u32(0, proto, why) || !f.u32(1, kind, why)) return bad(why);
    if (proto != kProtocolVersion) {
      return bad("header: unsupported protocol version " + std::to_string(proto) + " (this side speaks " +
                 std::to_string(kProtocolVersion) + ")");
    }
    if (kind < 1 || kind > 10) return bad("header: unknown message kind " + std::to_string(kind));
    Header h;
    h.kind = static_cast<Kind>(kind);
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
        break;
      }
      case Kind::hello_ack:
        if (!f.u32(2, h.heartbeat_ms, why) || !f.u64(3, h.max_message_bytes, why)) return bad(why);
        break;
      case Kind::call:
      case Kind::cast:
      case Kind::fanout:
        if (!f.u64(2, h.msg_id, why) || !f.str(3, h.topic, why) || !f.str(4, h.server, why) ||
            !f.u32(5, h.timeout_ms, why)) {
          return bad(why);
        }
        if (f.size() > 6 && !f.str(6, h.reply_to, why)) return bad(why);
        break;
      case Kind::reply:
        if (!f.u64(2, h.msg_id, why)) return bad(why);
        if (f.size() > 3 && !f.str(3, h.reply_to, why)) return bad(why);
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
  } catch (const std::exception& e) {
    return bad(std::string("header: ") + e.what());
  }
}

std::string encode_request(const Request& r) {
  msgpack::sbuffer& buf = scratch_buffer();
  Packer pk(buf);
  pk.pack_array(4);
  pack_str(pk, r.method);
  pack_str(pk, r.ns);
  pack_str(pk, r.version);
  const RequestContext& c = r.context;
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
  return take(buf);
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
