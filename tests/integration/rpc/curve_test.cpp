// CURVE: encryption, the allow-list (ZAP) and the per-key serve/call policy.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "rpc_test_util.h"
#include "stratus/rpc/security.h"

namespace stratus::rpc {
namespace {
using namespace testing;
namespace fs = std::filesystem;

class RpcCurve : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!curve_available()) GTEST_SKIP() << "libzmq without CURVE";
    root_ = fs::temp_directory_path() / ("stratus-rpc-curve-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    const std::string allowed = (root_ / "allowed").string();
    const std::string own = (root_ / "own").string();
    router_keys_ = generate_keypair(own, "router").value();
    stranger_ = generate_keypair(own, "stranger").value();
    compute_ = generate_keypair(allowed, "compute-host1").value();
    api_ = generate_keypair(allowed, "api").value();
    append(allowed + "/compute-host1.pub", "serve = compute.host1\ncall = conductor\n");
    append(allowed + "/api.pub", "call = *\n");

    RouterOptions ro = fast_router_options(io_, {"tcp://127.0.0.1:0"});
    ro.curve = CurveServerOptions{router_keys_.public_key, router_keys_.secret_key, allowed};
    router_ = std::make_unique<Router>(ro);
    auto s = router_->start();
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    addr_ = router_->endpoints().at(0);
  }
  void TearDown() override {
    for (auto& e : eps_) e->stop();
    eps_.clear();
    if (router_) router_->stop();
    fs::remove_all(root_);
  }
  static void append(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::app);
    out << text;
  }
  // An endpoint with the given key (or none), serving topic.server if given.
  Endpoint& endpoint(const std::string& name, const KeyPair* key, const std::string& topic = "",
                     const std::string& server = "") {
    EndpointOptions o = fast_endpoint_options(io_, addr_, name);
    if (key) o.curve = CurveClientOptions{router_keys_.public_key, key->public_key, key->secret_key};
    auto e = std::make_unique<Endpoint>(o);
    if (!topic.empty()) {
      EXPECT_TRUE(e->serve(topic, server, test_dispatcher(name)).ok());
    }
    EXPECT_TRUE(e->start().ok());
    eps_.push_back(std::move(e));
    return *eps_.back();
  }

  std::shared_ptr<IoContext> io_ = std::make_shared<IoContext>();
  fs::path root_;
  KeyPair router_keys_, stranger_, compute_, api_;
  std::unique_ptr<Router> router_;
  std::string addr_;
  std::vector<std::unique_ptr<Endpoint>> eps_;
};

TEST_F(RpcCurve, AllowedKeysTalkEncrypted) {
  Endpoint& compute = endpoint("compute-1", &compute_, "compute", "host1");
  Endpoint& api = endpoint("api", &api_);
  ASSERT_TRUE(compute.wait_registered(3s));
  ASSERT_TRUE(api.wait_registered(3s));
  auto r = api.call(Target{.topic = "compute", .server = "host1"}, "whoami", Payload());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(str_of(r), "compute-1");
}

TEST_F(RpcCurve, UnknownKeyAndPlaintextAreRefused) {
  Endpoint& stranger = endpoint("stranger", &stranger_);
  Endpoint& plain = endpoint("plain", nullptr);
  EXPECT_FALSE(stranger.wait_registered(400ms));
  EXPECT_FALSE(plain.wait_registered(100ms));
  EXPECT_EQ(router_->stats().peers, 0u);
}

TEST_F(RpcCurve, ComputeKeyMayServeOnlyItsOwnHost) {
  Endpoint& impostor = endpoint("impostor", &compute_, "compute", "host2");
  EXPECT_FALSE(impostor.wait_registered(400ms));
  EXPECT_GE(router_->stats().forbidden, 1u);
  Endpoint& api = endpoint("api", &api_);
  ASSERT_TRUE(api.wait_registered(3s));
  auto r = api.call(Target{.topic = "compute", .server = "host2"}, "echo", Payload());
  EXPECT_EQ(r.error().code, Errc::no_such_target);
}

TEST_F(RpcCurve, CallPolicyIsEnforced) {
  endpoint("compute-1", &compute_, "compute", "host1");
  Endpoint& conductor_caller = endpoint("compute-as-client", &compute_);
  ASSERT_TRUE(conductor_caller.wait_registered(3s));
  // compute-host1 may call conductor (nothing serves it) but not compute.
  auto r = conductor_caller.call(Target{.topic = "compute", .server = "host1"}, "echo", Payload());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::forbidden);
  EXPECT_NE(r.error().message.find("compute-host1"), std::string::npos) << r.error().message;
  auto c = conductor_caller.call(Target{.topic = "conductor"}, "echo", Payload());
  EXPECT_EQ(c.error().code, Errc::no_such_target);
}

}  // namespace
}  // namespace stratus::rpc
