#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "core/db/instance_repository.h"
#include "core/db/quota_repository.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

using sdk::StatusCode;

class DbQuota : public testing::DbTest {
 protected:
  static InstanceRecord inst(const std::string& project, int vcpus = 1, std::int64_t ram = 512,
                             const std::string& user = "u") {
    InstanceRecord r;
    r.project_id = project;
    r.user_id = user;
    r.flavor.vcpus = vcpus;
    r.flavor.memory_mb = ram;
    return r;
  }
  InstanceRepository instances_{*db_};
  QuotaRepository quotas_{*db_};
};

TEST_F(DbQuota, DefaultsAreNovas) {
  auto l = quotas_.limits("p");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->at("instances"), 10);
  EXPECT_EQ(l->at("cores"), 20);
  EXPECT_EQ(l->at("ram"), 51200);
  EXPECT_EQ(l->at("key_pairs"), 100);
}

TEST_F(DbQuota, InstancesLimitInNovasWords) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(instances_.create({inst("p")}).ok()) << i;
  auto over = instances_.create({inst("p")});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kConflict);
  EXPECT_EQ(over.status().message(), "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances");
  EXPECT_TRUE(instances_.create({inst("other")}).ok());  // per project
  auto u = quotas_.usage("p");
  EXPECT_EQ(u->instances, 10);
  EXPECT_EQ(u->cores, 10);
  EXPECT_EQ(u->ram, 5120);
}

TEST_F(DbQuota, CoresAndRamAndABatchCountsAsAWhole) {
  ASSERT_TRUE(instances_.create({inst("p", 8, 1024), inst("p", 8, 1024)}).ok());
  auto cores = instances_.create({inst("p", 8, 1024)});
  EXPECT_NE(cores.status().message().find("Quota exceeded for cores: Requested 8, but already used 16 of 20"),
            std::string::npos)
      << cores.status();
  auto ram = instances_.create({inst("q", 1, 30000), inst("q", 1, 30000)});
  EXPECT_NE(ram.status().message().find("Quota exceeded for ram: Requested 60000"), std::string::npos) << ram.status();
  EXPECT_EQ(quotas_.usage("q")->instances, 0);  // nothing of the batch was written
}

TEST_F(DbQuota, OverridesDefaultsUnlimitedAndDeletedInstancesFreeQuota) {
  ASSERT_TRUE(quotas_.set_default("instances", 2).ok());
  ASSERT_TRUE(instances_.create({inst("p"), inst("p")}).ok());
  EXPECT_EQ(instances_.create({inst("p")}).status().code(), StatusCode::kConflict);
  ASSERT_TRUE(quotas_.set_limit("p", "instances", -1).ok());
  auto third = instances_.create({inst("p")});
  ASSERT_TRUE(third.ok());
  ASSERT_TRUE(quotas_.set_limit("p", "instances", 3).ok());
  EXPECT_EQ(instances_.create({inst("p")}).status().code(), StatusCode::kConflict);
  ASSERT_TRUE(instances_.destroy(third->front().uuid).ok());
  EXPECT_TRUE(instances_.create({inst("p")}).ok());
  ASSERT_TRUE(quotas_.reset_limits("p").ok());
  EXPECT_EQ(quotas_.limits("p")->at("instances"), 2);
  EXPECT_EQ(quotas_.set_limit("p", "gpus", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(quotas_.set_limit("p", "cores", -2).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(instances_.create({inst("p"), inst("p"), inst("p")}, {.enforce = false}).ok());
}

TEST_F(DbQuota, AUsersLimitsFallBackToTheProjectsAndCanBeReset) {
  ASSERT_TRUE(quotas_.set_limits("p", {{"ram", 5120}, {"key_pairs", 4}}).ok());
  ASSERT_TRUE(quotas_.set_user_limits("p", "alice", {{"ram", 2048}, {"instances", -1}}).ok());
  auto alice = quotas_.user_limits("p", "alice");
  ASSERT_TRUE(alice.ok()) << alice.status();
  EXPECT_EQ(alice->at("ram"), 2048);          // her own
  EXPECT_EQ(alice->at("instances"), -1);      // her own
  EXPECT_EQ(alice->at("key_pairs"), 4);       // the project's
  EXPECT_EQ(alice->at("cores"), 20);          // the default
  EXPECT_EQ(alice->size(), builtin_quota_defaults().size());
  EXPECT_EQ(*quotas_.user_overrides("p", "alice"), (std::map<std::string, std::int64_t>{{"ram", 2048}, {"instances", -1}}));
  EXPECT_EQ(quotas_.user_limits("p", "bob")->at("ram"), 5120);
  EXPECT_EQ(quotas_.user_limits("q", "alice")->at("ram"), 51200);  // per project
  EXPECT_EQ(quotas_.limits("p")->at("ram"), 5120);                  // the project's own is untouched

  // What the project has handed out: finite own limits only.
  ASSERT_TRUE(quotas_.set_user_limits("p", "bob", {{"ram", 1024}, {"instances", 3}}).ok());
  EXPECT_EQ(*quotas_.users_limits_total("p"), (std::map<std::string, std::int64_t>{{"ram", 3072}, {"instances", 3}}));

  // The lower of the two where both apply; -1 only when both are.
  ASSERT_TRUE(quotas_.set_user_limits("p", "bob", {{"key_pairs", 9}, {"metadata_items", 3}}).ok());
  auto enforced = quotas_.enforced_limits("p", "bob");
  EXPECT_EQ(enforced->at("key_pairs"), 4);
  EXPECT_EQ(enforced->at("metadata_items"), 3);
  EXPECT_EQ(quotas_.enforced_limits("p", "alice")->at("instances"), 10);

  EXPECT_EQ(quotas_.set_user_limits("p", "alice", {{"ram", 1}, {"gpus", 1}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(quotas_.set_user_limits("p", "alice", {{"ram", -2}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(quotas_.user_limits("p", "alice")->at("ram"), 2048);  // nothing of the refused set was written

  ASSERT_TRUE(quotas_.reset_user_limits("p", "alice").ok());
  EXPECT_TRUE(quotas_.user_overrides("p", "alice")->empty());
  EXPECT_EQ(quotas_.user_limits("p", "alice")->at("ram"), 5120);
  EXPECT_FALSE(quotas_.user_overrides("p", "bob")->empty());
  // The project's reset takes its users' limits with it, as Nova's does.
  ASSERT_TRUE(quotas_.reset_limits("p").ok());
  EXPECT_TRUE(quotas_.user_overrides("p", "bob")->empty());
  EXPECT_EQ(quotas_.user_limits("p", "bob")->at("ram"), 51200);
}

TEST_F(DbQuota, CreateCountsAUserWithOwnLimitsAgainstThem) {
  ASSERT_TRUE(quotas_.set_user_limits("p", "alice", {{"ram", 2048}}).ok());
  ASSERT_TRUE(instances_.create({inst("p", 1, 1024, "bob"), inst("p", 1, 1024, "bob")}).ok());
  ASSERT_TRUE(instances_.create({inst("p", 1, 1024, "alice")}).ok());
  auto over = instances_.create({inst("p", 1, 2048, "alice")});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kConflict);
  // The figures are hers, not the project's (3072 used).
  EXPECT_EQ(over.status().message(), "Quota exceeded for ram: Requested 2048, but already used 1024 of 2048 ram");
  EXPECT_TRUE(instances_.create({inst("p", 1, 1024, "alice")}).ok());
  EXPECT_EQ(instances_.create({inst("p", 1, 1, "alice")}).status().code(), StatusCode::kConflict);
  EXPECT_TRUE(instances_.create({inst("p", 1, 4096, "bob")}).ok());  // bob has the project's
  auto used = quotas_.user_usage("p", "alice");
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(used->instances, 2);
  EXPECT_EQ(used->ram, 2048);
  EXPECT_EQ(quotas_.usage("p")->ram, 8192);

  // The project's limit still holds for a user whose own is higher or unlimited.
  ASSERT_TRUE(quotas_.set_limit("p", "instances", 6).ok());
  ASSERT_TRUE(quotas_.set_user_limits("p", "carol", {{"instances", -1}}).ok());
  ASSERT_TRUE(instances_.create({inst("p", 1, 1, "carol")}).ok());
  auto project_over = instances_.create({inst("p", 1, 1, "carol")});
  EXPECT_EQ(project_over.status().message(), "Quota exceeded for instances: Requested 1, but already used 6 of 6 instances");

  // A batch of one request belongs to one user.
  EXPECT_EQ(instances_.create({inst("q", 1, 1, "alice"), inst("q", 1, 1, "bob")}).status().code(),
            StatusCode::kInvalidArgument);
}

// A project with instances, cores and ram all unlimited is not counted (the
// create's shortcut), but a user's own limit in it still is.
TEST_F(DbQuota, AnUnlimitedProjectStillCountsAUserWithALimit) {
  ASSERT_TRUE(quotas_.set_limits("p", {{"instances", -1}, {"cores", -1}, {"ram", -1}}).ok());
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(instances_.create({inst("p", 1, 1, "bob")}).ok()) << i;
  ASSERT_TRUE(quotas_.set_user_limits("p", "alice", {{"cores", 3}}).ok());
  ASSERT_TRUE(instances_.create({inst("p", 2, 1, "alice")}).ok());
  auto over = instances_.create({inst("p", 2, 1, "alice")});
  EXPECT_EQ(over.status().message(), "Quota exceeded for cores: Requested 2, but already used 2 of 3 cores");
  EXPECT_TRUE(instances_.create({inst("p", 1, 1, "alice")}).ok());
  // Her limit lifted: nothing bounds her either.
  ASSERT_TRUE(quotas_.set_user_limits("p", "alice", {{"cores", -1}}).ok());
  EXPECT_TRUE(instances_.create({inst("p", 8, 1, "alice")}).ok());
}

void race(const std::vector<Database*>& dbs, std::atomic<int>& ok) {
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      InstanceRepository repo(*dbs[t % dbs.size()]);
      for (int i = 0; i < 6; ++i) {
        InstanceRecord r;
        r.project_id = "p";
        r.user_id = "u";
        r.flavor.vcpus = 1;
        r.flavor.memory_mb = 64;
        auto c = repo.create({r});
        if (c.ok()) {
          ++ok;
        } else {
          EXPECT_EQ(c.status().code(), StatusCode::kConflict) << c.status();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
}

TEST_F(DbQuota, ConcurrentCreatesNeverExceedTheQuota) {
  std::atomic<int> ok{0};
  race({db_.get()}, ok);
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(quotas_.usage("p")->instances, 10);
}

TEST_F(DbQuota, ConcurrentCreatesOnTwoConnectionsNeverExceedTheQuota) {
  auto other = open_again();
  ASSERT_NE(other, nullptr);
  std::atomic<int> ok{0};
  race({db_.get(), other.get()}, ok);
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(quotas_.usage("p")->instances, 10);
}

}  // namespace
}  // namespace stratus::core::db
