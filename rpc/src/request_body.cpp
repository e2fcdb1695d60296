#include "request_body.h"

#include <cstring>

namespace stratus::rpc::wire {
namespace {

// Counts the bytes the body needs (first pass).
struct Counter {
  std::size_t n = 0;
  void byte(unsigned char) noexcept { ++n; }
  void be(std::uint64_t, int width) noexcept { n += static_cast<std::size_t>(width); }
  void raw(std::string_view s) noexcept { n += s.size(); }
};

// Writes them (second pass), into a buffer sized by Counter.
struct Writer {
  char* p;
  void byte(unsigned char b) noexcept { *p++ = static_cast<char>(b); }
  void be(std::uint64_t v, int width) noexcept {
    for (int i = width - 1; i >= 0; --i) *p++ = static_cast<char>((v >> (8 * i)) & 0xff);
  }
  void raw(std::string_view s) noexcept {
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
};

// The smallest msgpack form of an unsigned integer, as msgpack-c's packer
// chooses it (positive fixint, then uint 8, 16, 32, 64).
template <class Out>
void put_uint(Out& o, std::uint64_t v) noexcept {
  if (v < 0x80) {
    o.byte(static_cast<unsigned char>(v));
  } else if (v < 0x100) {
    o.byte(0xcc);
    o.be(v, 1);
  } else if (v < 0x10000) {
    o.byte(0xcd);
    o.be(v, 2);
  } else if (v < 0x100000000ULL) {
    o.byte(0xce);
    o.be(v, 4);
  } else {
    o.byte(0xcf);
    o.be(v, 8);
  }
}

// An array or map header: fix form (`fix` | n below 16), then 16 and 32 bits.
template <class Out>
void put_container(Out& o, unsigned char fix, unsigned char x16, std::uint32_t n) noexcept {
  if (n < 16) {
    o.byte(static_cast<unsigned char>(fix | n));
  } else if (n < 0x10000) {
    o.byte(x16);
    o.be(n, 2);
  } else {
    o.byte(static_cast<unsigned char>(x16 + 1));
    o.be(n, 4);
  }
}

template <class Out>
void put_str(Out& o, std::string_view s) noexcept {
  const auto n = static_cast<std::uint32_t>(s.size());
  if (n < 32) {
    o.byte(static_cast<unsigned char>(0xa0 | n));
  } else if (n < 0x100) {
    o.byte(0xd9);
    o.be(n, 1);
  } else if (n < 0x10000) {
    o.byte(0xda);
    o.be(n, 2);
  } else {
    o.byte(0xdb);
    o.be(n, 4);
  }
  o.raw(s.substr(0, n));
}

// The same values in the same order as pack_header(.., kProtocolV2) and
// pack_request() in wire.cpp.
template <class Out>
void emit(Out& o, const RequestBodyView& b) noexcept {
  put_container(o, 0x90, 0xdc, 6);
  put_uint(o, kProtocolV2);
  put_uint(o, static_cast<std::uint32_t>(b.kind));
  put_uint(o, b.msg_id);
  put_str(o, b.topic);
  put_str(o, b.server);
  put_uint(o, b.timeout_ms);
  const RequestContext& c = *b.context;
  put_container(o, 0x90, 0xdc, 4);
  put_str(o, b.method);
  put_str(o, b.ns);
  put_str(o, b.version);
  put_container(o, 0x90, 0xdc, 5);
  put_str(o, c.request_id);
  put_str(o, c.user_id);
  put_str(o, c.project_id);
  put_container(o, 0x90, 0xdc, static_cast<std::uint32_t>(c.roles.size()));
  for (const auto& role : c.roles) put_str(o, role);
  put_container(o, 0x80, 0xde, static_cast<std::uint32_t>(c.extra.size()));
  for (const auto& [k, v] : c.extra) {
    put_str(o, k);
    put_str(o, v);
  }
  o.raw(b.args);
}

}  // namespace

std::size_t request_body_size(const RequestBodyView& b) noexcept {
  Counter c;
  emit(c, b);
  return c.n;
}

void write_request_body(const RequestBodyView& b, char* out) noexcept {
  Writer w{out};
  emit(w, b);
}

}  // namespace stratus::rpc::wire
