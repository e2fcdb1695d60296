// A cursor over msgpack bytes that reads scalars and skips whole values
// without building objects or allocating: the fast path of the envelope
// decoders (wire.cpp), which fall back to msgpack-c for anything it does not
// read, so that errors keep one wording. Never reads past the end; every
// method returns false on malformed or truncated input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace stratus::rpc::wire {

class Scan {
 public:
  explicit Scan(std::string_view bytes) noexcept
      : p_(reinterpret_cast<const unsigned char*>(bytes.data())), n_(bytes.size()) {}

  std::size_t offset() const noexcept { return off_; }

  // An array header: its element count.
  bool array(std::uint32_t& count) noexcept;
  // A map header: its number of key/value pairs.
  bool map(std::uint32_t& count) noexcept;
  // A non-negative integer (msgpack positive fixint, uint 8..64, or a
  // non-negative int 8..64).
  bool uint(std::uint64_t& out) noexcept;
  // A str or bin (the bytes, referencing the input); nil reads as "".
  bool str(std::string_view& out) noexcept;
  // Skips one whole value (iteratively: no recursion). Containers may nest
  // `max_depth` levels, as msgpack-c's limit in unpack_in_scratch, so that
  // both accept the same values.
  static constexpr int kMaxDepth = 64;
  bool skip(int max_depth = kMaxDepth) noexcept;

 private:
  bool need(std::size_t k) const noexcept { return n_ - off_ >= k; }
  std::uint64_t be(std::size_t k) noexcept;  // k big-endian bytes at off_ (need(k) checked)
  // An array or map header: its fix form (high nibble `fix`) or its 16/32-bit forms.
  bool container(unsigned char fix, unsigned char x16, unsigned char x32, std::uint32_t& count) noexcept;

  const unsigned char* p_;
  std::size_t n_;
  std::size_t off_ = 0;
};

// The readers below are inline: the envelope decoders call them about
// twenty times per message on the router, the endpoint and the worker
// (docs/performance.md, "The cast path").

inline std::uint64_t Scan::be(std::size_t k) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < k; ++i) v = (v << 8) | p_[off_ + i];
  off_ += k;
  return v;
}

inline bool Scan::container(unsigned char fix, unsigned char x16, unsigned char x32, std::uint32_t& count) noexcept {
  if (!need(1)) return false;
  const unsigned char b = p_[off_];
  if ((b & 0xf0) == fix) {
    count = b & 0x0f;
    ++off_;
    return true;
  }
  if ((b == x16 && need(3)) || (b == x32 && need(5))) {
    ++off_;
    count = static_cast<std::uint32_t>(be(b == x16 ? 2 : 4));
    return true;
  }
  return false;
}

inline bool Scan::array(std::uint32_t& count) noexcept { return container(0x90, 0xdc, 0xdd, count); }

inline bool Scan::map(std::uint32_t& count) noexcept { return container(0x80, 0xde, 0xdf, count); }

inline bool Scan::uint(std::uint64_t& out) noexcept {
  if (!need(1)) return false;
  const unsigned char b = p_[off_];
  if (b <= 0x7f) {
    out = b;
    ++off_;
    return true;
  }
  std::size_t k = 0;
  bool is_signed = false;
  switch (b) {
    case 0xcc: k = 1; break;
    case 0xcd: k = 2; break;
    case 0xce: k = 4; break;
    case 0xcf: k = 8; break;
    case 0xd0: k = 1; is_signed = true; break;
    case 0xd1: k = 2; is_signed = true; break;
    case 0xd2: k = 4; is_signed = true; break;
    case 0xd3: k = 8; is_signed = true; break;
    default: return false;
  }
  if (!need(1 + k)) return false;
  if (is_signed && (p_[off_ + 1] & 0x80) != 0) return false;  // negative
  ++off_;
  out = be(k);
  return true;
}

inline bool Scan::str(std::string_view& out) noexcept {
  if (!need(1)) return false;
  const unsigned char b = p_[off_];
  std::size_t len = 0;
  std::size_t head = 1;
  if ((b & 0xe0) == 0xa0) {
    len = b & 0x1f;
  } else if (b == 0xc0) {
    ++off_;
    out = {};
    return true;
  } else {
    switch (b) {
      case 0xd9:
      case 0xc4: head = 2; break;
      case 0xda:
      case 0xc5: head = 3; break;
      case 0xdb:
      case 0xc6: head = 5; break;
      default: return false;
    }
    if (!need(head)) return false;
    ++off_;
    len = static_cast<std::size_t>(be(head - 1));
    off_ -= head;  // back to the type byte; advanced below
  }
  if (!need(head) || n_ - off_ - head < len) return false;
  out = std::string_view(reinterpret_cast<const char*>(p_ + off_ + head), len);
  off_ += head + len;
  return true;
}

}  // namespace stratus::rpc::wire
