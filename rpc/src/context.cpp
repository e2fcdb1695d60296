#include "stratus/rpc/context.h"

#include <cstdio>
#include <random>

namespace stratus::rpc {

std::string RequestContext::new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::uint64_t a = rng();
  const std::uint64_t b = rng();
  char buf[48];
  // uuid4 layout: version nibble 4, variant bits 10.
  std::snprintf(buf, sizeof buf, "req-%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

RequestContext RequestContext::make() {
  RequestContext c;
  c.request_id = new_request_id();
  return c;
}

}  // namespace stratus::rpc
