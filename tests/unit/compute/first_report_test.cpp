// Issue #21: a compute host is heard whatever the start order (its first
// resource report is a call, repeated with backoff until a conductor answers
// it), and a driver without get_available_resource still reports (the
// host's own inventory).
#include <unistd.h>

#include <gtest/gtest.h>

#include "compute_test_support.h"
#include "core/compute/host_default_resources.h"

namespace stratus::core::compute::testing {
namespace {

class FirstReportTest : public ComputeTest {};

TEST_F(FirstReportTest, AConductorThatStartsLaterStillHearsTheFirstReport) {
  // No conductor when the compute starts: its start-up report is refused.
  conductor_ep_->stop();
  conductor_ep_.reset();
  auto o = quiet_options();  // no periodic report: only the retry can bring it
  o.first_report_retry_min = 20ms;
  o.first_report_retry_max = 200ms;
  o.first_report_timeout = 1000ms;
  start_compute(o);
  EXPECT_FALSE(manager_->report_heard());
  std::this_thread::sleep_for(300ms);  // a few refused attempts
  EXPECT_TRUE(fake_.reports().empty());

  // The conductor comes up: the report is retried until it is heard, once.
  const auto started = std::chrono::steady_clock::now();
  conductor_ep_ = make_endpoint("conductor-late");
  ASSERT_TRUE(conductor_ep_->serve(std::string(rpcapi::kConductorTopic), "conductor-2", fake_.dispatcher()).ok());
  ASSERT_TRUE(conductor_ep_->start().ok());
  ASSERT_TRUE(conductor_ep_->wait_registered(5s));
  ASSERT_TRUE(fake_.wait_for([&] { return !fake_.reports().empty(); }, 5s)) << "the report never arrived";
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s) << "heard within the retry bound";
  // The answer reaches the compute just after the conductor records the report.
  EXPECT_TRUE(fake_.wait_for([&] { return manager_->report_heard(); }, 5s));
  EXPECT_EQ(fake_.reports().front().host, kHost);
  EXPECT_TRUE(fake_.reports().front().capabilities.supports_reboot);
  // Heard: no more retries (periodic reports are off here).
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(fake_.reports().size(), 1u);
}

TEST_F(FirstReportTest, AReportHeardAtStartIsNotRepeated) {
  auto o = quiet_options();
  o.first_report_retry_min = 20ms;
  start_compute(o);
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.reports().size() == 1; }));
  EXPECT_TRUE(manager_->report_heard());
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(fake_.reports().size(), 1u);
}

TEST_F(FirstReportTest, ADriverWithoutGetAvailableResourceReportsTheHostsOwnInventory) {
  drivers::fake::FakeDriverConfig config;
  config.unsupported = {"get_available_resource"};
  driver_ = std::make_shared<drivers::fake::FakeDriver>(config);
  ASSERT_TRUE(driver_->get_available_resource(kHost).status().is(sdk::StatusCode::kNotSupported));
  auto o = quiet_options();
  o.state_path = ::testing::TempDir();
  start_compute(o);
  ASSERT_TRUE(fake_.wait_for([&] { return !fake_.reports().empty(); }));
  const sdk::HostResources r = fake_.reports().front().resources;  // a copy: reports() returns a snapshot
  EXPECT_EQ(r.hypervisor_hostname, kHost);
  EXPECT_EQ(r.vcpus, static_cast<std::int32_t>(sysconf(_SC_NPROCESSORS_ONLN)));
  EXPECT_GT(r.memory_mb, 0);
  EXPECT_EQ(r.hypervisor_type, "unknown");
  EXPECT_EQ(r.local_gb, host_default_resources(kHost, o.state_path).local_gb);
}

TEST(HostDefaultResources, AreTheMachinesOwn) {
  const sdk::HostResources r = host_default_resources("h", "/");
  EXPECT_EQ(r.hypervisor_hostname, "h");
  EXPECT_GE(r.vcpus, 1);
  EXPECT_GT(r.memory_mb, 0);
  EXPECT_GT(r.local_gb, 0) << "the root file system has a size";
  EXPECT_FALSE(r.cpu_arch.empty());
  ASSERT_EQ(r.supported_instances.size(), 1u);
  EXPECT_EQ(r.supported_instances[0].arch, r.cpu_arch);
  EXPECT_EQ(r.vcpus_used, 0);
  // A directory that does not exist: no disk, no failure.
  EXPECT_EQ(host_default_resources("h", "/nonexistent/stratus").local_gb, 0);
}

}  // namespace
}  // namespace stratus::core::compute::testing
