// A mixed-version cloud (issue #21): a compute host of this release (RPC
// 1.1) beside a LegacyComputeDouble, a real ComputeManager registered to
// serve only compute RPC 1.0 as a host of the previous release does. Each
// host's heartbeat says what it serves; the caller's cap is [upgrade_levels]
// compute = "auto" over a real database fed those heartbeats as the
// conductor records them. Both hosts boot servers while the old one lives
// (both are sent the 1.0 shape); once it is gone the cap rises and the new
// shape (files, password, port rules) reaches the new host.
#include <gtest/gtest.h>

#include "../db/db_test_util.h"
#include "compute_test_support.h"
#include "core/db/service_repository.h"
#include "core/db/service_version_repository.h"
#include "core/rpcapi/upgrade_levels.h"
#include "stratus/rpc/client.h"

namespace stratus::core::compute::testing {
namespace {

const std::string kLegacyHost = "legacy-host";

class MixedVersionTest : public ComputeTest {
 protected:
  void SetUp() override {
    ComputeTest::SetUp();
    auto opened = db::Database::open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.status();
    db_ = std::move(opened.value());
  }
  void TearDown() override {
    if (legacy_manager_) legacy_manager_->stop();
    if (legacy_ep_) legacy_ep_->stop();
    legacy_manager_.reset();
    legacy_conductor_.reset();
    ComputeTest::TearDown();
  }

  // The LegacyComputeDouble: a compute host that serves compute RPC 1.0 only.
  void start_legacy_double() {
    legacy_driver_ = std::make_shared<drivers::fake::FakeDriver>(drivers::fake::FakeDriverConfig{});
    legacy_ep_ = make_endpoint("compute-" + kLegacyHost);
    legacy_conductor_ = std::make_unique<rpcapi::ConductorRpcApi>(*legacy_ep_, 5000ms);
    legacy_manager_ = std::make_unique<ComputeManager>(kLegacyHost, legacy_driver_, *legacy_conductor_, quiet_options());
    ASSERT_TRUE(legacy_manager_->register_on(*legacy_ep_, "1.0").ok());
    ASSERT_TRUE(legacy_ep_->start().ok());
    ASSERT_TRUE(legacy_ep_->wait_registered(5s));
    ASSERT_TRUE(legacy_manager_->start().ok());
  }

  // What the conductor does with each heartbeat (ConductorManager::service_heartbeat),
  // once both hosts' first heartbeats (casts) have arrived.
  void record_heartbeats() {
    ASSERT_TRUE(fake_.wait_for([&] { return heard_from(kHost) && heard_from(kLegacyHost); }));
    db::ServiceRepository services(*db_);
    for (const auto& hb : fake_.heartbeats()) {
      ASSERT_TRUE(services.register_service(hb.host, hb.binary, hb.topic).ok());
      ASSERT_TRUE(services.heartbeat(hb.host, hb.binary).ok());
      ASSERT_TRUE(db::ServiceVersionRepository(*db_).record(hb.host, hb.binary, hb.rpc_version).ok());
    }
  }

  bool heard_from(const std::string& host) const { return reported_version(host) != "(none)"; }

  std::string reported_version(const std::string& host) const {
    for (const auto& hb : fake_.heartbeats()) {
      if (hb.host == host) return hb.rpc_version;
    }
    return "(none)";
  }

  rpcapi::ComputeRpcApi auto_capped_client() {
    auto cap = rpcapi::make_version_cap(rpcapi::kComputeTopic, "auto", *db_, rpcapi::AutoCapOptions{60s, 0ms});
    EXPECT_TRUE(cap.ok()) << cap.status();
    return rpcapi::ComputeRpcApi(*api_ep_, 5000ms, cap.ok() ? *cap : rpcapi::VersionCap{});
  }

  rpcapi::BuildAndRunRequest full_request(const InstanceMsg& msg) {
    auto r = build_request(msg);
    sdk::PortSecurity p;
    p.port_id = "port-" + msg.instance.uuid;
    p.rules.resize(1);
    p.rules[0].direction = "ingress";
    p.rules[0].ethertype = "IPv4";
    p.rules[0].protocol = "tcp";
    p.rules[0].port_range_min = p.rules[0].port_range_max = 22;
    r.port_security = {p};
    return r;
  }

  InstanceMsg on(const std::string& uuid, const std::string& host) {
    InstanceMsg m = instance(uuid);
    m.instance.host = m.instance.node = host;
    fake_.put(m);
    return m;
  }

  db::testing::TempDir dir_;
  std::unique_ptr<db::Database> db_;
  std::shared_ptr<drivers::fake::FakeDriver> legacy_driver_;
  std::unique_ptr<rpc::Endpoint> legacy_ep_;
  std::unique_ptr<rpcapi::ConductorRpcApi> legacy_conductor_;
  std::unique_ptr<ComputeManager> legacy_manager_;
};

TEST_F(MixedVersionTest, TheLegacyDoubleServesAndReportsOnly10) {
  start_compute();
  start_legacy_double();
  ASSERT_TRUE(fake_.wait_for([&] { return heard_from(kHost) && heard_from(kLegacyHost); }));
  EXPECT_EQ(reported_version(kHost), rpcapi::kComputeVersion);
  EXPECT_EQ(reported_version(kLegacyHost), "1.0");
  // A 1.1 message is refused by the old host as the protocol says.
  rpc::Client raw(*api_ep_, rpc::Target{.topic = "compute", .server = kLegacyHost, .version = "1.1"});
  auto refused = raw.call({}, rpcapi::compute_method::kGetHostUptime,
                          rpc::Payload::of(rpcapi::HostUptimeRequest{kLegacyHost}).value(), 3000ms);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, rpc::Errc::unsupported_version) << refused.error().to_string();
  auto served = raw.prepare("", "1.0").call({}, rpcapi::compute_method::kGetHostUptime,
                                            rpc::Payload::of(rpcapi::HostUptimeRequest{kLegacyHost}).value(), 3000ms);
  EXPECT_TRUE(served.ok()) << served.error().to_string();
  // The double refuses to serve a version this code does not have.
  auto ep = make_endpoint("compute-bogus");
  ComputeManager bogus("bogus", driver_, *conductor_api_, quiet_options());
  EXPECT_EQ(bogus.register_on(*ep, "1.9").code(), sdk::StatusCode::kInvalidArgument);
}

TEST_F(MixedVersionTest, BothHostsBootUnderTheAutoCapWhichRisesWhenTheOldHostLeaves) {
  start_compute();
  start_legacy_double();
  record_heartbeats();
  rpcapi::ComputeRpcApi compute = auto_capped_client();

  // The old host lives: the cap is 1.0 and both hosts get the 1.0 shape.
  const auto old_vm = on("vm-old", kLegacyHost);
  ASSERT_TRUE(compute.build_and_run_instance(ctx(), kLegacyHost, full_request(old_vm)).ok());
  const auto new_vm = on("vm-new", kHost);
  ASSERT_TRUE(compute.build_and_run_instance(ctx(), kHost, full_request(new_vm)).ok());
  ASSERT_TRUE(wait_state("vm-old", "active"));
  ASSERT_TRUE(wait_state("vm-new", "active"));
  EXPECT_TRUE(legacy_driver_->guest("vm-old").has_value());
  EXPECT_FALSE(legacy_driver_->security_groups("vm-old").has_value()) << "port rules are not in the 1.0 shape";
  EXPECT_FALSE(driver_->security_groups("vm-new").has_value()) << "capped at 1.0: rules dropped";

  // What 1.0 cannot carry is refused before anything is sent.
  const auto pw_vm = on("vm-pw", kHost);
  auto with_password = full_request(pw_vm);
  with_password.injection.admin_password = "Secr3t";
  const sdk::Status refused = compute.build_and_run_instance(ctx(), kHost, with_password);
  ASSERT_EQ(refused.code(), sdk::StatusCode::kNotSupported) << refused.to_string();
  EXPECT_NE(refused.message().find("capped at 1.0 ([upgrade_levels] compute)"), std::string::npos)
      << refused.message();
  EXPECT_FALSE(driver_->guest("vm-pw").has_value());

  // The old host goes (stopped, its service deleted): the cap rises to 1.1.
  legacy_manager_->stop();
  legacy_ep_->stop();
  db::ServiceRepository services(*db_);
  auto gone = services.get(kLegacyHost, std::string(rpcapi::kComputeBinary));
  ASSERT_TRUE(gone.ok());
  ASSERT_TRUE(services.remove(gone->id).ok());

  ASSERT_TRUE(compute.build_and_run_instance(ctx(), kHost, with_password).ok());
  ASSERT_TRUE(wait_state("vm-pw", "active"));
  EXPECT_EQ(driver_->guest("vm-pw")->admin_password, "Secr3t");
  auto rules = driver_->security_groups("vm-pw");
  ASSERT_TRUE(rules.has_value()) << "the 1.1 shape carries the port rules";
  EXPECT_EQ(rules->at(0).rules.at(0).port_range_min, 22);
}

TEST_F(MixedVersionTest, AFixedCapBackportsEvenToNewHosts) {
  start_compute();
  rpcapi::ComputeRpcApi capped(*api_ep_, 5000ms, rpcapi::fixed_cap("1.0"));
  const auto vm = on("vm-1", kHost);
  ASSERT_TRUE(capped.build_and_run_instance(ctx(), kHost, full_request(vm)).ok());
  ASSERT_TRUE(wait_state("vm-1", "active"));
  EXPECT_FALSE(driver_->security_groups("vm-1").has_value());
  rpcapi::ComputeRpcApi uncapped(*api_ep_, 5000ms);
  const auto vm2 = on("vm-2", kHost);
  ASSERT_TRUE(uncapped.build_and_run_instance(ctx(), kHost, full_request(vm2)).ok());
  ASSERT_TRUE(wait_state("vm-2", "active"));
  EXPECT_TRUE(driver_->security_groups("vm-2").has_value());
}

}  // namespace
}  // namespace stratus::core::compute::testing
