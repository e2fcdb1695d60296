#include "msgpack_scan.h"

namespace stratus::rpc::wire {

std::uint64_t Scan::be(std::size_t k) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < k; ++i) v = (v << 8) | p_[off_ + i];
  off_ += k;
  return v;
}

bool Scan::container(unsigned char fix, unsigned char x16, unsigned char x32, std::uint32_t& count) noexcept {
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

bool Scan::array(std::uint32_t& count) noexcept { return container(0x90, 0xdc, 0xdd, count); }

bool Scan::map(std::uint32_t& count) noexcept { return container(0x80, 0xde, 0xdf, count); }

bool Scan::uint(std::uint64_t& out) noexcept {
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

bool Scan::str(std::string_view& out) noexcept {
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

bool Scan::skip(int max_depth) noexcept {
  // left[d]: values still to read at nesting level d (iterative: no
  // recursion). Each value consumes at least one byte, which bounds the
  // counts by the input.
  std::uint64_t left[kMaxDepth + 2];
  int depth = 0;
  left[0] = 1;
  for (;;) {
    while (depth >= 0 && left[depth] == 0) --depth;
    if (depth < 0) return true;
    if (!need(1)) return false;
    const unsigned char b = p_[off_];
    --left[depth];
    std::uint64_t children = 0;
    bool container = false;
    std::size_t skip_bytes = 0;
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
      skip_bytes = 1;
    } else if ((b & 0xe0) == 0xa0) {
      skip_bytes = 1 + (b & 0x1f);
    } else if ((b & 0xf0) == 0x90) {
      children = b & 0x0f;
      container = true;
      skip_bytes = 1;
    } else if ((b & 0xf0) == 0x80) {
      children = 2u * (b & 0x0f);
      container = true;
      skip_bytes = 1;
    } else {
      auto sized = [&](std::size_t head) -> bool {  // a length of head-1 bytes, then that many bytes
        if (!need(head)) return false;
        ++off_;
        const std::uint64_t len = be(head - 1);
        off_ -= head;
        skip_bytes = head + len;
        return len <= n_;
      };
      switch (b) {
        case 0xcc: case 0xd0: skip_bytes = 2; break;
        case 0xcd: case 0xd1: skip_bytes = 3; break;
        case 0xca: case 0xce: case 0xd2: skip_bytes = 5; break;
        case 0xcb: case 0xcf: case 0xd3: skip_bytes = 9; break;
        case 0xd4: skip_bytes = 3; break;   // fixext 1
        case 0xd5: skip_bytes = 4; break;   // fixext 2
        case 0xd6: skip_bytes = 6; break;   // fixext 4
        case 0xd7: skip_bytes = 10; break;  // fixext 8
        case 0xd8: skip_bytes = 18; break;  // fixext 16
        case 0xd9: case 0xc4: if (!sized(2)) return false; break;
        case 0xda: case 0xc5: if (!sized(3)) return false; break;
        case 0xdb: case 0xc6: if (!sized(5)) return false; break;
        case 0xc7: if (!sized(2)) return false; skip_bytes += 1; break;  // ext 8: length, type, data
        case 0xc8: if (!sized(3)) return false; skip_bytes += 1; break;
        case 0xc9: if (!sized(5)) return false; skip_bytes += 1; break;
        case 0xdc: case 0xde:
        case 0xdd: case 0xdf: {
          const std::size_t head = (b == 0xdc || b == 0xde) ? 3 : 5;
          if (!need(head)) return false;
          ++off_;
          children = be(head - 1);
          off_ -= head;
          if (b == 0xde || b == 0xdf) children *= 2;
          container = true;
          skip_bytes = head;
          break;
        }
        default: return false;  // 0xc1: never used
      }
    }
    if (!need(skip_bytes)) return false;
    off_ += skip_bytes;
    if (container) {
      if (depth + 1 > max_depth) return false;
      if (children > n_ - off_) return false;  // more elements declared than bytes left
      left[++depth] = children;
    }
  }
}

}  // namespace stratus::rpc::wire
