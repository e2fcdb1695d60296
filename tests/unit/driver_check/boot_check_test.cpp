// The boot check against a scripted driver double: the marker on its own line
// passes, a guest that never prints it fails after the timeout, a spawn error
// is passed on, and the guest is destroyed with its disks in every case.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "core/cli/driver_check/boot_check.h"

namespace stratus::core::driver_check {
namespace {

using namespace std::chrono_literals;

// Prints `console_after[n]` on the n-th console read (the last one after that).
class ScriptedDriver final : public sdk::VirtDriver {
 public:
  std::vector<std::string> console_after = {""};
  sdk::Status spawn_result = sdk::Status::OK();
  std::vector<std::string> calls;
  sdk::Instance spawned;
  sdk::ImageMeta image;
  bool destroyed_disks = false;

  sdk::Status spawn(const sdk::RequestContext&, const sdk::Instance& instance, const sdk::ImageMeta& image_meta,
                    const sdk::InjectedFiles&, const std::string&, const sdk::NetworkInfo&,
                    const sdk::BlockDeviceInfo&) override {
    calls.push_back("spawn");
    spawned = instance;
    image = image_meta;
    return spawn_result;
  }
  sdk::Status destroy(const sdk::RequestContext&, const sdk::Instance& instance, const sdk::NetworkInfo&,
                      const sdk::BlockDeviceInfo&, bool destroy_disks) override {
    calls.push_back("destroy " + instance.uuid);
    destroyed_disks = destroy_disks;
    return sdk::Status::OK();
  }
  sdk::Result<sdk::InstanceInfo> get_info(const sdk::Instance&) override { return sdk::InstanceInfo{}; }
  sdk::Result<std::vector<std::string>> list_instances() override { return std::vector<std::string>{}; }
  sdk::Result<std::string> get_console_output(const sdk::RequestContext&, const sdk::Instance&) override {
    const std::size_t i = std::min(reads++, console_after.size() - 1);
    return console_after[i];
  }
  std::size_t reads = 0;
};

BootCheckGuest guest() {
  BootCheckGuest g;
  g.kernel_image_id = "k-id";
  g.ramdisk_image_id = "r-id";
  g.root_image_id = "root-id";
  g.marker = "TINY-UP";
  return g;
}

BootCheckOptions fast(std::chrono::milliseconds timeout) {
  BootCheckOptions o;
  o.timeout = timeout;
  o.poll = 1ms;
  return o;
}

TEST(BootCheck, MarkerOnItsOwnLineMeansUserspace) {
  ScriptedDriver d;
  d.console_after = {"", "[ 0.1] booting\n", "[ 0.1] booting\n[ 1.0] run /init\nTINY-UP\r\n"};
  auto report = run_boot_check(d, guest(), fast(10s));
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_TRUE(report->reached_userspace);
  EXPECT_TRUE(report->cleanup.ok());
  ASSERT_EQ(d.calls.size(), 2u);
  EXPECT_EQ(d.calls[0], "spawn");
  EXPECT_EQ(d.calls[1], "destroy " + d.spawned.uuid);
  EXPECT_TRUE(d.destroyed_disks);
  EXPECT_EQ(report->instance_uuid, d.spawned.uuid);
  // Direct kernel boot from the three images, with a serial console.
  EXPECT_EQ(d.image.id, "root-id");
  EXPECT_EQ(d.image.property("kernel_id"), "k-id");
  EXPECT_EQ(d.image.property("ramdisk_id"), "r-id");
  EXPECT_NE(d.image.property("os_command_line").find("console=ttyS0"), std::string::npos);
  EXPECT_EQ(d.spawned.uuid.size(), 36u);
  EXPECT_GT(d.spawned.flavor.memory_mb, 0);
  EXPECT_EQ(d.spawned.flavor.vcpus, 1);
}

TEST(BootCheck, MarkerInsideALineDoesNotCount) {
  // The kernel echoes its command line; an init that printed the marker did so on a line of its own.
  ScriptedDriver d;
  d.console_after = {"Command line: console=ttyS0 TINY-UP=1\nxTINY-UP\n"};
  auto report = run_boot_check(d, guest(), fast(50ms));
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->reached_userspace);
}

TEST(BootCheck, NoMarkerFailsAfterTheTimeoutAndStillDestroys) {
  ScriptedDriver d;
  d.console_after = {"Kernel panic - not syncing: VFS: Unable to mount root fs\n"};
  auto report = run_boot_check(d, guest(), fast(100ms));
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->reached_userspace);
  EXPECT_GE(report->elapsed, 100ms);
  EXPECT_NE(report->console_tail.find("Kernel panic"), std::string::npos);
  ASSERT_EQ(d.calls.size(), 2u);
  EXPECT_EQ(d.calls[1], "destroy " + d.spawned.uuid);
  EXPECT_GE(d.reads, 2u);
}

TEST(BootCheck, SpawnErrorIsReturnedAndNothingIsPolled) {
  ScriptedDriver d;
  d.spawn_result = sdk::Status::Unavailable("cannot connect to libvirt");
  auto report = run_boot_check(d, guest(), fast(1s));
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(report.status().is(sdk::StatusCode::kUnavailable));
  EXPECT_EQ(d.reads, 0u);
  EXPECT_EQ(d.calls, std::vector<std::string>{"spawn"});
}

}  // namespace
}  // namespace stratus::core::driver_check
