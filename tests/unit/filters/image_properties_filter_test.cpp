// image_properties: architecture, hypervisor type, vm mode, hypervisor
// version and the image's minimum RAM and disk.
#include <gtest/gtest.h>

#include "filter_test_support.h"

namespace stratus::plugins::filters {
namespace {

using testing::host_named;
using testing::make;

sdk::HostState kvm_host() {
  sdk::HostState h = host_named("node1");
  h.hypervisor_type = "QEMU";
  h.hypervisor_version = 6'002'000;  // 6.2.0
  h.supported_instances = {{"x86_64", "qemu", "hvm"}, {"i686", "qemu", "hvm"}, {"aarch64", "kvm", "hvm"}};
  h.total_usable_ram_mb = 4096;
  h.free_ram_mb = 4096;
  h.total_usable_disk_gb = 100;
  h.free_disk_mb = 100 * 1024;
  return h;
}

sdk::RequestSpec image(std::map<std::string, std::string> properties) {
  sdk::RequestSpec spec;
  spec.image.properties = std::move(properties);
  return spec;
}

TEST(FiltersImageProperties, ImageWithoutPropertiesPassesAnyHost) {
  auto filter = make(make_image_properties_filter);
  EXPECT_TRUE(filter->host_passes(kvm_host(), image({{"os_distro", "debian"}})));
  EXPECT_TRUE(filter->host_passes(host_named("bare"), image({})));
}

TEST(FiltersImageProperties, ArchitectureMatchAndMismatch) {
  auto filter = make(make_image_properties_filter);
  EXPECT_TRUE(filter->host_passes(kvm_host(), image({{"hw_architecture", "x86_64"}})));
  EXPECT_FALSE(filter->host_passes(kvm_host(), image({{"hw_architecture", "ppc64le"}})));
  // The legacy name works too; the current one wins when both are set.
  EXPECT_TRUE(filter->host_passes(kvm_host(), image({{"architecture", "aarch64"}})));
  EXPECT_FALSE(filter->host_passes(kvm_host(), image({{"architecture", "s390x"}})));
  EXPECT_FALSE(filter->host_passes(kvm_host(), image({{"hw_architecture", "s390x"}, {"architecture", "x86_64"}})));
}

TEST(FiltersImageProperties, NamesAreCanonicalised) {
  auto filter = make(make_image_properties_filter);
  EXPECT_TRUE(filter->host_passes(kvm_host(), image({{"hw_architecture", "amd64"}})));
  EXPECT_TRUE(filter->host_passes(kvm_host(), image({{"hw_architecture", "i386"}})));
  EXPECT_TRUE(filter->host_passes(kvm_host(), image({{"img_hv_type", "QEMU"}})));
  EXPECT_TRUE(filter->host_passes(kvm_host(), image({{"hw_vm_mode", "HV"}})));
}

TEST(FiltersImageProperties, HypervisorTypeAndVmMode) {
  auto filter = make(make_image_properties_filter);
  EXPECT_TRUE(filter->host_passes(kvm_host(), image({{"img_hv_type", "kvm"}})));
  EXPECT_TRUE(filter->host_passes(kvm_host(), image({{"hypervisor_type", "qemu"}})));
  EXPECT_FALSE(filter->host_passes(kvm_host(), image({{"img_hv_type", "xen"}})));
  EXPECT_TRUE(filter->host_passes(kvm_host(), image({{"hw_vm_mode", "hvm"}})));
  EXPECT_TRUE(filter->host_passes(kvm_host(), image({{"vm_mode", "hvm"}})));
  EXPECT_FALSE(filter->host_passes(kvm_host(), image({{"hw_vm_mode", "xen"}})));
  EXPECT_FALSE(filter->host_passes(kvm_host(), image({{"vm_mode", "pv"}})));
}

TEST(FiltersImageProperties, AllPropertiesMustMatchOneSupportedInstance) {
  auto filter = make(make_image_properties_filter);
  EXPECT_TRUE(filter->host_passes(kvm_host(), image({{"hw_architecture", "x86_64"}, {"img_hv_type", "qemu"}})));
  // x86_64 and kvm are each supported, but never together.
  EXPECT_FALSE(filter->host_passes(kvm_host(), image({{"hw_architecture", "x86_64"}, {"img_hv_type", "kvm"}})));
}

TEST(FiltersImageProperties, HostAdvertisingNothingFailsAnImageThatAsks) {
  auto filter = make(make_image_properties_filter);
  sdk::HostState h = kvm_host();
  h.supported_instances.clear();
  EXPECT_FALSE(filter->host_passes(h, image({{"hw_architecture", "x86_64"}})));
}

TEST(FiltersImageProperties, HypervisorVersionAsEncodedInteger) {
  auto filter = make(make_image_properties_filter);
  sdk::HostState h = kvm_host();
  h.hypervisor_version = 6000;
  EXPECT_TRUE(filter->host_passes(h, image({{"img_hv_requested_version", ">=6000"}})));
  EXPECT_FALSE(filter->host_passes(h, image({{"img_hv_requested_version", ">=6001"}})));
  EXPECT_FALSE(filter->host_passes(h, image({{"img_hv_requested_version", ">6000"}})));
  EXPECT_TRUE(filter->host_passes(h, image({{"img_hv_requested_version", "<6001"}})));
  EXPECT_TRUE(filter->host_passes(h, image({{"img_hv_requested_version", "== 6000"}})));
  EXPECT_FALSE(filter->host_passes(h, image({{"img_hv_requested_version", "!=6000"}})));
}

TEST(FiltersImageProperties, HypervisorVersionDottedAndRanges) {
  auto filter = make(make_image_properties_filter);
  const sdk::HostState h = kvm_host();  // 6.2.0
  EXPECT_TRUE(filter->host_passes(h, image({{"img_hv_requested_version", ">=6.2"}})));
  EXPECT_TRUE(filter->host_passes(h, image({{"img_hv_requested_version", ">=6.1.9"}})));
  EXPECT_FALSE(filter->host_passes(h, image({{"img_hv_requested_version", ">=6.2.1"}})));
  EXPECT_TRUE(filter->host_passes(h, image({{"img_hv_requested_version", ">=6.0, <7.0"}})));
  EXPECT_FALSE(filter->host_passes(h, image({{"img_hv_requested_version", ">=5.0, <6.2"}})));
  // Checked together with the other properties, as Nova does.
  EXPECT_FALSE(filter->host_passes(h, image({{"hw_architecture", "x86_64"}, {"img_hv_requested_version", ">=7.0"}})));
  EXPECT_TRUE(
      filter->host_passes(h, image({{"hw_architecture", "x86_64"}, {"img_hv_requested_version", ">=6.0"}})));
}

TEST(FiltersImageProperties, BareIntegerIsTheEncodedVersionNotAMajor) {
  auto filter = make(make_image_properties_filter);
  // 6.2.0 is 6002000, which is >= 7; major version 7 is written "7.0".
  EXPECT_TRUE(filter->host_passes(kvm_host(), image({{"img_hv_requested_version", ">=7"}})));
  EXPECT_FALSE(filter->host_passes(kvm_host(), image({{"img_hv_requested_version", ">=7.0"}})));
  EXPECT_TRUE(filter->host_passes(kvm_host(), image({{"img_hv_requested_version", "==6002000"}})));
}

TEST(FiltersImageProperties, UnknownVersionOrUnreadableRequirementFails) {
  auto filter = make(make_image_properties_filter);
  sdk::HostState unknown = kvm_host();
  unknown.hypervisor_version = 0;
  EXPECT_FALSE(filter->host_passes(unknown, image({{"img_hv_requested_version", ">=1"}})));
  EXPECT_FALSE(filter->host_passes(kvm_host(), image({{"img_hv_requested_version", "~6"}})));
  EXPECT_FALSE(filter->host_passes(kvm_host(), image({{"img_hv_requested_version", ">=six"}})));
  EXPECT_FALSE(filter->host_passes(kvm_host(), image({{"img_hv_requested_version", ">=6.1000"}})));
  EXPECT_FALSE(filter->host_passes(kvm_host(), image({{"img_hv_requested_version", ">=6.0,"}})));
  // Without a requirement the version does not matter.
  EXPECT_TRUE(filter->host_passes(unknown, image({{"hw_architecture", "x86_64"}})));
}

sdk::RequestSpec sized(std::int64_t flavor_ram_mb, std::int64_t flavor_root_gb, std::int64_t image_min_ram_mb,
                       std::int64_t image_min_disk_gb) {
  sdk::RequestSpec spec;
  spec.flavor.memory_mb = flavor_ram_mb;
  spec.flavor.root_gb = flavor_root_gb;
  spec.image.min_ram_mb = image_min_ram_mb;
  spec.image.min_disk_gb = image_min_disk_gb;
  return spec;
}

sdk::HostState room(std::int64_t free_ram_mb, std::int64_t free_disk_mb) {
  sdk::HostState h = kvm_host();
  h.free_ram_mb = free_ram_mb;
  h.free_disk_mb = free_disk_mb;
  return h;
}

TEST(FiltersImageProperties, MinRamAboveFlavorMustFit) {
  auto filter = make(make_image_properties_filter);
  EXPECT_TRUE(filter->host_passes(room(1024, 102400), sized(512, 1, 1024, 0)));
  EXPECT_FALSE(filter->host_passes(room(1023, 102400), sized(512, 1, 1024, 0)));
}

TEST(FiltersImageProperties, MinRamBelowFlavorChecksTheFlavor) {
  auto filter = make(make_image_properties_filter);
  EXPECT_TRUE(filter->host_passes(room(2048, 102400), sized(2048, 1, 256, 0)));
  EXPECT_FALSE(filter->host_passes(room(2047, 102400), sized(2048, 1, 256, 0)));
}

TEST(FiltersImageProperties, MinRamUsesTheAllocationRatio) {
  auto filter = make(make_image_properties_filter);
  sdk::HostState h = room(0, 102400);  // 4096 MB all used
  h.ram_allocation_ratio = 1.5;       // limit 6144: 2048 left
  EXPECT_TRUE(filter->host_passes(h, sized(512, 1, 2048, 0)));
  EXPECT_FALSE(filter->host_passes(h, sized(512, 1, 2049, 0)));
}

TEST(FiltersImageProperties, MinDiskRaisesTheRootDisk) {
  auto filter = make(make_image_properties_filter);
  EXPECT_TRUE(filter->host_passes(room(4096, 5120), sized(512, 1, 0, 5)));
  EXPECT_FALSE(filter->host_passes(room(4096, 5119), sized(512, 1, 0, 5)));
  // Ephemeral and swap still come on top of the raised root disk.
  auto spec = sized(512, 1, 0, 5);
  spec.flavor.swap_mb = 1;
  EXPECT_FALSE(filter->host_passes(room(4096, 5120), spec));
}

TEST(FiltersImageProperties, MinDiskUsesTheAllocationRatio) {
  auto filter = make(make_image_properties_filter);
  sdk::HostState h = room(4096, 0);  // 100 GB all used
  h.disk_allocation_ratio = 1.05;    // limit 105 GB: 5 GB left
  EXPECT_TRUE(filter->host_passes(h, sized(512, 1, 0, 5)));
  EXPECT_FALSE(filter->host_passes(h, sized(512, 1, 0, 6)));
}

TEST(FiltersImageProperties, NoImageMinimumLeavesResourcesToOtherFilters) {
  auto filter = make(make_image_properties_filter);
  EXPECT_TRUE(filter->host_passes(room(0, 0), sized(4096, 80, 0, 0)));
}

TEST(FiltersImageProperties, BatchEqualsPerHost) {
  auto filter = make(make_image_properties_filter);
  std::vector<sdk::HostState> hosts(4, kvm_host());
  hosts[1].supported_instances = {{"aarch64", "kvm", "hvm"}};
  hosts[2].hypervisor_version = 5'000'000;
  hosts[3].free_ram_mb = 100;
  auto spec = image({{"hw_architecture", "x86_64"}, {"img_hv_requested_version", ">=6.0"}});
  spec.image.min_ram_mb = 1024;
  auto ptrs = testing::pointers(hosts);
  ptrs.push_back(nullptr);
  const auto batch = filter->filter_all(ptrs, spec);
  EXPECT_EQ(batch, testing::passing_one_by_one(*filter, ptrs, spec));
  EXPECT_EQ(batch, (std::vector<const sdk::HostState*>{&hosts[0]}));
}

TEST(FiltersImageProperties, RefusesAnyConfigKey) {
  sdk::PluginConfig config("[filter.image_properties]");
  config.set("default_architecture", std::string("x86_64"));
  EXPECT_FALSE(make_image_properties_filter(config).ok());
}

}  // namespace
}  // namespace stratus::plugins::filters
