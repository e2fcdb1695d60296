// quota_settable: the range an os-quota-sets PUT may set a project's or a
// user's limit in, and Nova's messages outside it.
#include <gtest/gtest.h>

#include "core/compute/api/quota_settable.h"

namespace stratus::core::api {
namespace {

using sdk::StatusCode;

TEST(QuotaSettable, AProjectMayNotGoBelowItsUsageNorWhatItsUsersHold) {
  auto r = project_settable_ranges({{"ram", 5120}, {"cores", 20}, {"instances", -1}},
                                   {{"ram", 1024}, {"cores", 6}, {"instances", 4}},
                                   {{"ram", 3072}, {"instances", 8}});
  EXPECT_EQ(r.at("ram").minimum, 3072);    // what its users hold is more than it uses
  EXPECT_EQ(r.at("cores").minimum, 6);     // no user holds cores
  EXPECT_EQ(r.at("instances").minimum, 4);  // unlimited now: the users' sum does not bind (Nova)
  for (const auto& [resource, range] : r) EXPECT_EQ(range.maximum, -1) << resource;

  EXPECT_TRUE(check_settable("ram", 3072, r.at("ram")).ok());
  EXPECT_TRUE(check_settable("ram", -1, r.at("ram")).ok());
  auto low = check_settable("ram", 3071, r.at("ram"));
  EXPECT_EQ(low.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(low.message(), "Quota limit 3071 for ram must be greater than or equal to already used and reserved 3072.");
}

TEST(QuotaSettable, AUserMayHaveWhatTheProjectHasNotHandedOutToOthers) {
  const QuotaLimits project = {{"ram", 5120}, {"cores", 20}, {"instances", -1}, {"key_pairs", 100}};
  // Handed out: ram 1024 to bob and 2048 to alice; cores 4 to alice.
  const QuotaLimits handed_out = {{"ram", 3072}, {"cores", 4}};
  auto alice = user_settable_ranges(project, handed_out, {{"ram", 2048}, {"cores", 4}}, {{"ram", 512}, {"cores", 1}});
  EXPECT_EQ(alice.at("ram").minimum, 512);
  EXPECT_EQ(alice.at("ram").maximum, 5120 - 3072 + 2048);  // what is left plus her own
  EXPECT_EQ(alice.at("cores").maximum, 20);
  EXPECT_EQ(alice.at("instances").maximum, -1);  // the project is unlimited
  EXPECT_EQ(alice.at("key_pairs").minimum, 0);

  auto carol = user_settable_ranges(project, handed_out, {}, {});
  EXPECT_EQ(carol.at("ram").maximum, 2048);
  EXPECT_EQ(carol.at("cores").maximum, 16);
  EXPECT_TRUE(check_settable("ram", 2048, carol.at("ram")).ok());
  EXPECT_EQ(check_settable("ram", 2049, carol.at("ram")).message(),
            "Quota limit 2049 for ram must be less than or equal to 2048.");
  // Unlimited is above any finite maximum.
  EXPECT_EQ(check_settable("ram", -1, carol.at("ram")).message(),
            "Quota limit -1 for ram must be less than or equal to 2048.");
  EXPECT_TRUE(check_settable("instances", -1, carol.at("instances")).ok());

  auto dave = user_settable_ranges(project, handed_out, {}, {{"cores", 3}});
  EXPECT_EQ(check_settable("cores", 2, dave.at("cores")).message(),
            "Quota limit 2 for cores must be greater than or equal to already used and reserved 3.");

  // More handed out than the project has (after a forced update): nothing
  // left for newcomers, a holder keeps at most their own; an unlimited own
  // limit may stay unlimited.
  auto over = user_settable_ranges({{"ram", 1000}}, {{"ram", 1500}}, {{"ram", 700}}, {});
  EXPECT_EQ(over.at("ram").maximum, 700);
  EXPECT_EQ(user_settable_ranges({{"ram", 1000}}, {{"ram", 1500}}, {}, {}).at("ram").maximum, 0);
  EXPECT_EQ(user_settable_ranges({{"ram", 1000}}, {}, {{"ram", -1}}, {}).at("ram").maximum, -1);
}

}  // namespace
}  // namespace stratus::core::api
