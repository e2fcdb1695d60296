// The same API over inproc://, ipc:// and tcp:// (loopback).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "rpc_test_util.h"

namespace stratus::rpc {
namespace {
using namespace testing;

class RpcTransport : public ::testing::TestWithParam<std::string> {
 protected:
  std::string address() const {
    const std::string& scheme = GetParam();
    if (scheme == "tcp") return "tcp://127.0.0.1:0";
    if (scheme == "ipc") return "ipc:///tmp/stratus-rpc-test-" + std::to_string(::getpid()) + ".sock";
    return unique_inproc("transport");
  }
  void run(testing::Cluster& c, std::atomic<int>& count);
};

TEST_P(RpcTransport, CallCastAndFanout) {
  std::atomic<int> count{0};
  const std::string addr = address();
  {
    Cluster c(addr);
    run(c, count);
  }
  if (GetParam() == "ipc") {
    EXPECT_FALSE(std::filesystem::exists(addr.substr(6))) << "the router left its ipc socket file";
  }
}

void RpcTransport::run(Cluster& c, std::atomic<int>& count) {
  ASSERT_FALSE(c.address().empty());
  if (GetParam() == "tcp") {
    EXPECT_EQ(c.address().rfind("tcp://127.0.0.1:", 0), 0u);
    EXPECT_NE(c.address(), "tcp://127.0.0.1:0");
  }
  c.add("compute-1", "compute", "host1", "1.0", &count);
  c.add("compute-2", "compute", "host2", "1.0", &count);
  Endpoint& api = c.add("api");
  auto r = api.call(Target{.topic = "compute", .server = "host2"}, "whoami", Payload());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(str_of(r), "compute-2");
  ASSERT_TRUE(api.cast(Target{.topic = "compute"}, "count", Payload()).ok());
  ASSERT_TRUE(api.cast(Target{.topic = "compute", .fanout = true}, "count", Payload()).ok());
  EXPECT_TRUE(eventually([&] { return count.load() == 3; }));
  auto e = api.call(Target{.topic = "compute"}, "fail", Payload());
  EXPECT_EQ(e.error().type, "InstanceNotFound");
}

INSTANTIATE_TEST_SUITE_P(Schemes, RpcTransport, ::testing::Values("inproc", "ipc", "tcp"));

}  // namespace
}  // namespace stratus::rpc
