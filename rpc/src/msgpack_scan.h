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

}  // namespace stratus::rpc::wire
