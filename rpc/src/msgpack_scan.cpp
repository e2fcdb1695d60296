#include "msgpack_scan.h"

namespace stratus::rpc::wire {

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
