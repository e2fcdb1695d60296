#include <gtest/gtest.h>

#include "core/db/flavor_repository.h"
#include "core/db/image_repository.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/db/seed.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

using DbSeed = testing::DbTest;

TEST_F(DbSeed, DefaultFlavorsAreNovas) {
  ASSERT_TRUE(seed_defaults(*db_).ok());
  auto list = FlavorRepository(*db_).list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 5u);
  struct Want {
    const char* id;
    const char* name;
    int vcpus;
    int ram;
    int disk;
  };
  const Want want[] = {{"1", "m1.tiny", 1, 512, 1},     {"2", "m1.small", 1, 2048, 20},
                       {"3", "m1.medium", 2, 4096, 40}, {"4", "m1.large", 4, 8192, 80},
                       {"5", "m1.xlarge", 8, 16384, 160}};
  for (std::size_t i = 0; i < 5; ++i) {
    const auto& f = (*list)[i].flavor;
    EXPECT_EQ(f.id, want[i].id);
    EXPECT_EQ(f.name, want[i].name);
    EXPECT_EQ(f.vcpus, want[i].vcpus);
    EXPECT_EQ(f.memory_mb, want[i].ram);
    EXPECT_EQ(f.root_gb, want[i].disk);
    EXPECT_EQ(f.ephemeral_gb, 0);
    EXPECT_TRUE(f.is_public);
  }
}

TEST_F(DbSeed, NetworkAndImageAreUsable) {
  ASSERT_TRUE(seed_defaults(*db_).ok());
  auto net = NetworkRepository(*db_).get(kDefaultNetworkUuid);
  ASSERT_TRUE(net.ok());
  EXPECT_TRUE(net->shared);
  auto port = PortRepository(*db_).create(kDefaultNetworkUuid, "vm");
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_EQ(port->ip_address, "10.0.0.2");
  auto img = ImageRepository(*db_).get(kDefaultImageUuid);
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->status, "active");
  EXPECT_EQ(img->disk_format, "qcow2");
}

TEST_F(DbSeed, IdempotentAndLeavesAdminChangesAlone) {
  ASSERT_TRUE(seed_defaults(*db_).ok());
  FlavorRepository flavors(*db_);
  ASSERT_TRUE(flavors.remove("5").ok());
  ASSERT_TRUE(flavors.set_extra_specs("1", {{"k", "v"}}).ok());
  ASSERT_TRUE(seed_defaults(*db_).ok());
  ASSERT_TRUE(seed_defaults(*db_).ok());
  EXPECT_EQ(flavors.list()->size(), 5u);  // the removed one is back, nothing doubled
  EXPECT_EQ(flavors.get("1")->flavor.extra_specs.at("k"), "v");
  EXPECT_EQ(NetworkRepository(*db_).list()->size(), 2u);  // private and public
  EXPECT_EQ(ImageRepository(*db_).list()->size(), 1u);
  // And across a re-open.
  auto again = open_again();
  ASSERT_TRUE(seed_defaults(*again).ok());
  EXPECT_EQ(flavors.list()->size(), 5u);
}

}  // namespace
}  // namespace stratus::core::db
