// Interoperability: a Python client written from docs/rpc-protocol.md calls and
// casts to C++ servers through the C++ router over tcp loopback.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "rpc_test_util.h"

namespace stratus::rpc {
namespace {
using namespace testing;

TEST(RpcInterop, PythonClientCallsAndCastsThroughTheRouter) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  std::atomic<int> count{0};
  Cluster c("tcp://127.0.0.1:0");
  c.add("compute-1", "compute", "host1", "1.3", &count);
  c.add("compute-2", "compute", "host2", "1.3", &count);
  // An endpoint of a release before protocol 2 (docs/rpc-protocol.md 3.5).
  c.add("legacy", "legacy", "old", "1.3", nullptr, [](EndpointOptions& o) { o.max_protocol = 1; });
  // The client once speaking protocol 1 only, once offering 2.
  for (int offer : {1, 2}) {
    const std::string cmd = std::string("timeout 40 /usr/bin/python3 ") + STRATUS_RPC_PY_DIR +
                            "/interop_client.py " + c.address() + " " + std::to_string(offer);
    const int rc = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(rc));
    EXPECT_EQ(WEXITSTATUS(rc), 0) << cmd;
    // Each run: 5 casts round robin plus a fanout to both servers.
    EXPECT_TRUE(eventually([&] { return count.load() == 7 * offer; }, 2000ms)) << count.load();
  }
}

}  // namespace
}  // namespace stratus::rpc
