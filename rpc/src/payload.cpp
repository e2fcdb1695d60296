#include "stratus/rpc/payload.h"

namespace stratus::rpc {
namespace detail {

msgpack::object unpack_in_scratch(const char* data, std::size_t size) {
  thread_local msgpack::zone zone;
  zone.clear();
  std::size_t off = 0;
  // Strings and binaries reference `data` instead of being copied into the zone.
  auto reference = [](msgpack::type::object_type, std::size_t, void*) { return true; };
  msgpack::object o = msgpack::unpack(zone, data, size, off, reference, nullptr,
                                      msgpack::unpack_limit(size, size / 2, size, size, size, 64));
  if (off != size) throw msgpack::unpack_error("trailing bytes after the msgpack value");
  return o;
}

}  // namespace detail

Payload::Payload() : bytes_(1, '\xc0') {}

}  // namespace stratus::rpc
