// get_available_resource: configured inventory, usage summed from guests.
#include <gtest/gtest.h>

#include "fake_test_support.h"

namespace stratus::drivers::fake {
namespace {

using namespace testing;  // NOLINT: test helpers

sdk::Flavor flavor(int vcpus, std::int64_t mem_mb, std::int64_t root_gb, std::int64_t eph_gb = 0,
                   std::int64_t swap_mb = 0) {
  sdk::Flavor f;
  f.name = "custom";
  f.vcpus = vcpus;
  f.memory_mb = mem_mb;
  f.root_gb = root_gb;
  f.ephemeral_gb = eph_gb;
  f.swap_mb = swap_mb;
  return f;
}

TEST(FakeResources, EmptyHostReportsConfiguredInventory) {
  FakeDriverConfig c;
  c.vcpus = 32;
  c.memory_mb = 131072;
  c.local_gb = 2000;
  c.hypervisor_type = "fake";
  c.hypervisor_version = 2003004;
  c.cpu_arch = "x86_64";
  FakeDriver d(c);
  ASSERT_TRUE(d.init_host("compute-9").ok());
  auto r = d.get_available_resource("compute-9");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->hypervisor_hostname, "compute-9");
  EXPECT_EQ(r->hypervisor_type, "fake");
  EXPECT_EQ(r->hypervisor_version, 2003004);
  EXPECT_EQ(r->cpu_arch, "x86_64");
  EXPECT_EQ(r->vcpus, 32);
  EXPECT_EQ(r->memory_mb, 131072);
  EXPECT_EQ(r->local_gb, 2000);
  EXPECT_EQ(r->vcpus_used, 0);
  EXPECT_EQ(r->memory_mb_used, 0);
  EXPECT_EQ(r->local_gb_used, 0);
  EXPECT_EQ(r->disk_available_least_gb, 2000);
  EXPECT_EQ(r->running_vms, 0);
  ASSERT_EQ(r->supported_instances.size(), 1u);
  EXPECT_EQ(r->supported_instances[0].arch, "x86_64");
  EXPECT_EQ(r->supported_instances[0].hv_type, "fake");
  EXPECT_EQ(r->supported_instances[0].vm_mode, "hvm");
}

TEST(FakeResources, CpuInfoIsJsonWithTopology) {
  FakeDriverConfig c;
  c.vcpus = 8;
  c.cpu_arch = "aarch64";
  FakeDriver d(c);
  const std::string info = d.get_available_resource("")->cpu_info;
  EXPECT_EQ(info.front(), '{');
  EXPECT_EQ(info.back(), '}');
  EXPECT_NE(info.find("\"arch\": \"aarch64\""), std::string::npos) << info;
  EXPECT_NE(info.find("\"topology\": {\"cells\": 1, \"sockets\": 1, \"cores\": 8, \"threads\": 1}"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("\"features\": ["), std::string::npos) << info;

  FakeDriver x86;
  EXPECT_NE(x86.get_available_resource("")->cpu_info.find("\"sse2\""), std::string::npos);
}

TEST(FakeResources, CpuInfoEscapesTheConfiguredArch) {
  FakeDriverConfig c;
  c.cpu_arch = "we\"ird\\";
  FakeDriver d(c);
  EXPECT_NE(d.get_available_resource("")->cpu_info.find("\"arch\": \"we\\\"ird\\\\\""), std::string::npos);
}

TEST(FakeResources, UsageIsSummedOverGuestsInEveryState) {
  FakeDriver d;
  ASSERT_TRUE(spawn(d, make_instance("a", flavor(2, 2048, 20))).ok());
  ASSERT_TRUE(spawn(d, make_instance("b", flavor(4, 8192, 40, 10, 512))).ok());
  ASSERT_TRUE(spawn(d, make_instance("c", flavor(1, 512, 1, 0, 1024))).ok());
  ASSERT_TRUE(power_off(d, make_instance("c")).ok());  // stopped guests keep their claim
  auto r = d.get_available_resource("fake-host");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->vcpus_used, 7);
  EXPECT_EQ(r->memory_mb_used, 2048 + 8192 + 512);
  // 20 + 40 + 10 + 1 GiB of disks, and 1536 MiB of swap rounded up to 2 GiB.
  EXPECT_EQ(r->local_gb_used, 73);
  EXPECT_EQ(r->disk_available_least_gb, 1024 - 73);
  EXPECT_EQ(r->running_vms, 3);

  ASSERT_TRUE(destroy(d, make_instance("b")).ok());
  r = d.get_available_resource("fake-host");
  EXPECT_EQ(r->vcpus_used, 3);
  EXPECT_EQ(r->memory_mb_used, 2560);
  EXPECT_EQ(r->local_gb_used, 22);
  EXPECT_EQ(r->running_vms, 2);
}

TEST(FakeResources, FailedSpawnClaimsNothing) {
  FakeDriver d;
  ASSERT_TRUE(d.inject_fault(FakeOperation::kSpawn, "fail*1").ok());
  EXPECT_FALSE(spawn(d, make_instance("a", flavor(8, 8192, 80))).ok());
  auto r = d.get_available_resource("");
  EXPECT_EQ(r->vcpus_used, 0);
  EXPECT_EQ(r->memory_mb_used, 0);
  EXPECT_EQ(r->running_vms, 0);
}

TEST(FakeResources, OvercommitIsReportedNotRefused) {
  FakeDriverConfig c;
  c.vcpus = 2;
  c.memory_mb = 1024;
  c.local_gb = 10;
  FakeDriver d(c);
  ASSERT_TRUE(spawn(d, make_instance("big", flavor(8, 4096, 40))).ok());
  auto r = d.get_available_resource("");
  EXPECT_EQ(r->vcpus_used, 8);
  EXPECT_EQ(r->memory_mb_used, 4096);
  EXPECT_EQ(r->disk_available_least_gb, -30);
}

}  // namespace
}  // namespace stratus::drivers::fake
