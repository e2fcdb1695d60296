// A spawn that fails at any step leaves nothing behind: no domain (defined or
// running) and no instance directory; and a later spawn of the same instance
// succeeds.
#include <gtest/gtest.h>

#include "libvirt_test_support.h"

namespace stratus::drivers::libvirt::testing {
namespace {

using sdk::StatusCode;

// An instance that touches every disk step: cache, root overlay, ephemeral,
// swap, kernel and ramdisk.
struct FullSpawn {
  sdk::Instance instance;
  sdk::ImageMeta image_meta;
  FullSpawn() : instance(make_instance()), image_meta(image("ami-image", "ami")) {
    instance.flavor.ephemeral_gb = 1;
    instance.flavor.swap_mb = 128;
    image_meta.properties["kernel_id"] = "kernel-image";
    image_meta.properties["ramdisk_id"] = "ramdisk-image";
  }
};

void expect_nothing_left(TestDriver& t, const sdk::Instance& i) {
  EXPECT_FALSE(t.domain_exists(i)) << "a failed spawn left its domain";
  EXPECT_FALSE(fs::exists(t.driver->instance_dir(i.uuid))) << "a failed spawn left files";
  auto listed = t.driver->list_instances();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(std::count(listed->begin(), listed->end(), i.uuid), 0);
}

// Disk steps, in order: cache base, overlay, ephemeral, swap, cache kernel,
// cache ramdisk (the copies into the instance directory follow each).
TEST(LibvirtSpawnCleanup, EveryDiskStepFailureLeavesNothing) {
  for (int step = 1; step <= 6; ++step) {
    SCOPED_TRACE("failing disk step " + std::to_string(step));
    TestDriver t;
    FullSpawn s;
    t.recording->fail_at = step;
    t.recording->failure = sdk::Status::Unavailable("injected: step " + std::to_string(step));
    sdk::Status spawned = t.spawn(s.instance, s.image_meta);
    EXPECT_EQ(spawned.code(), StatusCode::kUnavailable);
    EXPECT_NE(spawned.message().find("step " + std::to_string(step)), std::string::npos) << spawned;
    EXPECT_EQ(static_cast<int>(t.recording->calls().size()), step) << "no step runs after the failing one";
    expect_nothing_left(t, s.instance);
  }
}

TEST(LibvirtSpawnCleanup, AllDiskStepsAreCounted) {
  TestDriver t;
  FullSpawn s;
  ASSERT_TRUE(t.spawn(s.instance, s.image_meta).ok());
  EXPECT_EQ(t.recording->calls().size(), 6u);
  auto xml = t.raw()->xml(s.instance.name);
  ASSERT_TRUE(xml.ok());
  EXPECT_NE(xml->find("<kernel>"), std::string::npos);
  EXPECT_NE(xml->find("<initrd>"), std::string::npos);
  ASSERT_TRUE(t.destroy(s.instance).ok());
}

TEST(LibvirtSpawnCleanup, DefineFailureLeavesNothing) {
  TestDriver t;
  FullSpawn s;
  t.faults->fail(ConnectionOp::kDefine, sdk::Status::Internal("injected: define failed"), 1);
  EXPECT_EQ(t.spawn(s.instance, s.image_meta).code(), StatusCode::kInternal);
  expect_nothing_left(t, s.instance);
  // The fault was one-shot: the same instance spawns now.
  ASSERT_TRUE(t.spawn(s.instance, s.image_meta).ok());
  ASSERT_TRUE(t.destroy(s.instance).ok());
}

TEST(LibvirtSpawnCleanup, StartFailureUndefinesTheDomain) {
  TestDriver t;
  FullSpawn s;
  t.faults->fail(ConnectionOp::kCreate, sdk::Status::Internal("injected: QEMU exited"), 1);
  EXPECT_EQ(t.spawn(s.instance, s.image_meta).code(), StatusCode::kInternal);
  EXPECT_GE(t.faults->calls(ConnectionOp::kUndefine), 1u);
  expect_nothing_left(t, s.instance);
}

TEST(LibvirtSpawnCleanup, FailureAfterStartStopsAndUndefinesTheDomain) {
  TestDriver t;
  FullSpawn s;
  // The check that the guest runs, after create, is the last step.
  t.faults->fail(ConnectionOp::kInfo, sdk::Status::Unavailable("injected: lost while checking"), 1);
  EXPECT_EQ(t.spawn(s.instance, s.image_meta).code(), StatusCode::kUnavailable);
  EXPECT_GE(t.faults->calls(ConnectionOp::kDestroy), 1u);
  expect_nothing_left(t, s.instance);
}

TEST(LibvirtSpawnCleanup, ConnectionLostBeforeSpawnMakesNothing) {
  TestDriver t;
  FullSpawn s;
  t.faults->lose_connection();
  EXPECT_EQ(t.spawn(s.instance, s.image_meta).code(), StatusCode::kUnavailable);
  EXPECT_TRUE(t.recording->calls().empty());
  t.faults->restore_connection();
  expect_nothing_left(t, s.instance);
}

TEST(LibvirtSpawnCleanup, LeftoverFilesAreNotOverwrittenOrRemoved) {
  TestDriver t;
  sdk::Instance i = make_instance();
  const fs::path dir = t.driver->instance_dir(i.uuid);
  fs::create_directories(dir);
  std::ofstream(dir / "disk") << "someone's data";
  EXPECT_EQ(t.spawn(i).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(fs::exists(dir / "disk"));
  EXPECT_FALSE(t.domain_exists(i));
}

}  // namespace
}  // namespace stratus::drivers::libvirt::testing
