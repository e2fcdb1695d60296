#include "core/conductor/test_hooks.h"

#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

namespace stratus::core::conductor::test_hooks {
namespace {

// The placement after which the process dies; 0: never (the hook is off).
long kill_after_placement() {
  static const long n = [] {
    const char* v = std::getenv("STRATUS_TEST_HOOK_CONDUCTOR_KILL_AFTER_PLACEMENT");
    long out = 0;
    if (v == nullptr || *v == '\0') return 0L;
    const auto [end, ec] = std::from_chars(v, v + std::strlen(v), out);
    return ec == std::errc() && *end == '\0' && out > 0 ? out : 0L;
  }();
  return n;
}

}  // namespace

void after_placement(const std::string& request_id, const std::string& instance_uuid) {
  const long n = kill_after_placement();
  if (n == 0) return;
  static std::atomic<long> placements{0};
  if (placements.fetch_add(1) + 1 != n) return;
  // Straight to stderr (the log's sinks may buffer): the test reads it.
  std::fprintf(stderr, "[%s] TEST HOOK: conductor killed after placing instance %s, before its cast\n",
               request_id.c_str(), instance_uuid.c_str());
  std::fflush(stderr);
  ::kill(::getpid(), SIGKILL);
}

}  // namespace stratus::core::conductor::test_hooks
