#include "core/scheduler/in_memory_claimer.h"

#include <gtest/gtest.h>

namespace stratus::core::scheduler {
namespace {

ClaimRequest req(std::string_view uuid, std::int32_t vcpus, std::int64_t mem, std::int64_t disk,
                 std::string_view host = "a") {
  return ClaimRequest{host, host, uuid, vcpus, mem, disk};
}

TEST(InMemoryClaimer, RefusesWhatDoesNotFitWithConflict) {
  InMemoryClaimer c;
  c.set_inventory("a", "a", {.vcpus = 4, .memory_mb = 2048, .disk_gb = 10});
  EXPECT_TRUE(c.claim(req("i1", 2, 1024, 5)).ok());
  EXPECT_TRUE(c.claim(req("i2", 2, 1024, 5)).ok());
  sdk::Status full = c.claim(req("i3", 1, 1, 0));
  EXPECT_EQ(full.code(), sdk::StatusCode::kConflict);
  EXPECT_NE(full.message().find("VCPU"), std::string::npos) << full;
  EXPECT_EQ(c.usage("a", "a").memory_mb, 2048);
  EXPECT_EQ(c.usage("a", "a").instances, 2);
  EXPECT_TRUE(c.release("i1").ok());
  EXPECT_TRUE(c.claim(req("i3", 1, 1, 0)).ok());
  EXPECT_EQ(c.claim_count(), 2u);
}

TEST(InMemoryClaimer, AllocationRatioAndMaxUnit) {
  InMemoryClaimer c;
  c.set_inventory("a", "a", {.vcpus = 4, .memory_mb = 1000, .disk_gb = 10, .cpu_allocation_ratio = 4.0,
                             .ram_allocation_ratio = 1.5});
  EXPECT_TRUE(c.claim(req("i1", 4, 1000, 0)).ok());
  EXPECT_TRUE(c.claim(req("i2", 4, 500, 0)).ok());   // 1500 = 1000 * 1.5
  EXPECT_EQ(c.claim(req("i3", 4, 1, 0)).code(), sdk::StatusCode::kConflict);
  // Never more than the node has in one allocation, whatever the ratio.
  EXPECT_EQ(c.claim(req("i4", 5, 1, 0)).code(), sdk::StatusCode::kConflict);
}

TEST(InMemoryClaimer, IdempotentClaimAndRelease) {
  InMemoryClaimer c;
  c.set_inventory("a", "a", {.vcpus = 4, .memory_mb = 2048, .disk_gb = 10});
  c.set_inventory("b", "b", {.vcpus = 4, .memory_mb = 2048, .disk_gb = 10});
  EXPECT_TRUE(c.claim(req("i1", 1, 1024, 1)).ok());
  EXPECT_TRUE(c.claim(req("i1", 1, 1024, 1)).ok());
  EXPECT_EQ(c.usage("a", "a").memory_mb, 1024);
  EXPECT_EQ(c.claim(req("i1", 1, 1024, 1, "b")).code(), sdk::StatusCode::kAlreadyExists);
  EXPECT_EQ(c.node_of("i1")->first, "a");
  EXPECT_TRUE(c.release("i1").ok());
  EXPECT_TRUE(c.release("i1").ok());
  EXPECT_FALSE(c.node_of("i1").has_value());
  EXPECT_EQ(c.usage("a", "a").memory_mb, 0);
}

TEST(InMemoryClaimer, UnknownNodeAndBadInput) {
  InMemoryClaimer c;
  EXPECT_EQ(c.claim(req("i1", 1, 1, 1, "x")).code(), sdk::StatusCode::kNotFound);
  c.set_inventory("a", "a", {.vcpus = 4, .memory_mb = 2048, .disk_gb = 10});
  EXPECT_EQ(c.claim(req("", 1, 1, 1)).code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_EQ(c.claim(req("i1", -1, 1, 1)).code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_EQ(c.claim_count(), 0u);
}

TEST(InMemoryClaimer, ClaimForFlavorCountsSwapInWholeGigabytes) {
  sdk::Flavor f;
  f.vcpus = 2;
  f.memory_mb = 512;
  f.root_gb = 10;
  f.ephemeral_gb = 2;
  f.swap_mb = 1;
  ClaimRequest r = claim_for_flavor("h", "n", "i", f);
  EXPECT_EQ(r.disk_gb, 13);
  EXPECT_EQ(r.vcpus, 2);
  EXPECT_EQ(r.memory_mb, 512);
}

}  // namespace
}  // namespace stratus::core::scheduler
