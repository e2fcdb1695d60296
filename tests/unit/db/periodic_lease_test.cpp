// Periodic task leases (migration 18): one holder at a time, renewal, hand
// over on expiry and on release; two holders on separate connections (as two
// controllers would be) racing for the lease round after round, exactly one
// winning each round. Runs on SQLite (db_test) and PostgreSQL (db_pg_test).
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/common/time_util.h"
#include "core/db/periodic_lease.h"
#include "core/db/periodic_lease_repository.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

class PeriodicLeaseTest : public testing::DbTest {
 protected:
  const Clock::time_point t0_ = Clock::now();
};

TEST_F(PeriodicLeaseTest, FreeLeaseIsTakenRenewedByItsHolderAndRefusedToOthers) {
  PeriodicLeaseRepository leases(*db_);
  auto a = leases.try_hold("sweep", "ctl1:1", 10s, t0_);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->held);
  EXPECT_FALSE(a->before.has_value());
  EXPECT_EQ(a->current.holder, "ctl1:1");
  EXPECT_EQ(a->current.expires_at, common::utc_at(t0_ + 10s));

  auto b = leases.try_hold("sweep", "ctl2:2", 10s, t0_ + 5s);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_FALSE(b->held);
  EXPECT_EQ(b->current.holder, "ctl1:1");
  EXPECT_EQ(b->current.expires_at, common::utc_at(t0_ + 10s)) << "a refused try changes nothing";

  auto renewed = leases.try_hold("sweep", "ctl1:1", 10s, t0_ + 6s);
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_TRUE(renewed->held);
  EXPECT_EQ(renewed->current.expires_at, common::utc_at(t0_ + 16s));
  EXPECT_EQ(renewed->current.acquired_at, common::utc_at(t0_)) << "a renewal keeps when it was taken";
  EXPECT_EQ(renewed->current.renewed_at, common::utc_at(t0_ + 6s));

  // Another lease is independent.
  auto other = leases.try_hold("reclaim", "ctl2:2", 10s, t0_ + 6s);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_TRUE(other->held);
}

TEST_F(PeriodicLeaseTest, ExpiryHandsTheLeaseOver) {
  PeriodicLeaseRepository leases(*db_);
  ASSERT_TRUE(leases.try_hold("sweep", "ctl1:1", 10s, t0_)->held);
  EXPECT_FALSE(leases.try_hold("sweep", "ctl2:2", 10s, t0_ + 9999ms)->held) << "not yet expired";
  auto taken = leases.try_hold("sweep", "ctl2:2", 10s, t0_ + 10s);
  ASSERT_TRUE(taken.ok()) << taken.status();
  EXPECT_TRUE(taken->held) << "expired at its expires_at";
  ASSERT_TRUE(taken->before.has_value());
  EXPECT_EQ(taken->before->holder, "ctl1:1");
  EXPECT_EQ(taken->current.holder, "ctl2:2");
  EXPECT_EQ(taken->current.acquired_at, common::utc_at(t0_ + 10s));
  // The former holder, back late, is refused: it lost the lease.
  auto late = leases.try_hold("sweep", "ctl1:1", 10s, t0_ + 11s);
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_FALSE(late->held);
  EXPECT_EQ(late->current.holder, "ctl2:2");
}

TEST_F(PeriodicLeaseTest, ReleaseHandsItOverAtOnceAndOnlyByItsHolder) {
  PeriodicLeaseRepository leases(*db_);
  ASSERT_TRUE(leases.try_hold("sweep", "ctl1:1", 1h, t0_)->held);
  ASSERT_TRUE(leases.release("sweep", "ctl2:2").ok());
  auto row = leases.get("sweep");
  ASSERT_TRUE(row.ok()) << row.status();
  ASSERT_TRUE(row->has_value()) << "another holder's release changes nothing";
  EXPECT_EQ((*row)->holder, "ctl1:1");
  ASSERT_TRUE(leases.release("sweep", "ctl1:1").ok());
  EXPECT_FALSE(leases.get("sweep")->has_value());
  EXPECT_TRUE(leases.try_hold("sweep", "ctl2:2", 1h, t0_ + 1s)->held);
}

TEST_F(PeriodicLeaseTest, BadArgumentsAreRefusedAndChangeNothing) {
  PeriodicLeaseRepository leases(*db_);
  EXPECT_EQ(leases.try_hold("", "ctl1:1", 1s, t0_).status().code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_EQ(leases.try_hold("sweep", "", 1s, t0_).status().code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_EQ(leases.try_hold("sweep", "ctl1:1", 0s, t0_).status().code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_FALSE(leases.get("sweep")->has_value());
}

// Two controllers on their own connections try at the same instant, round
// after round; each round starts after the previous round's lease expired
// (and the first with no row at all), so each round is a fresh race.
TEST_F(PeriodicLeaseTest, TwoHoldersRacingManyTimesOnlyOneWinsEachRound) {
  constexpr int kRounds = 60;
  std::array<std::unique_ptr<Database>, 2> conns{open_again(), open_again()};
  ASSERT_NE(conns[0], nullptr);
  ASSERT_NE(conns[1], nullptr);
  const std::array<std::string, 2> holders{"ctl1:100", "ctl2:200"};
  std::array<int, 2> wins{0, 0};
  for (int round = 0; round < kRounds; ++round) {
    const Clock::time_point now = t0_ + std::chrono::hours(round);
    std::atomic<int> ready{0};
    std::array<sdk::Result<LeaseAttempt>, 2> got{sdk::Status::Internal("not run"), sdk::Status::Internal("not run")};
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        ready.fetch_add(1);
        while (ready.load() < 2) std::this_thread::yield();  // start together
        got[i] = PeriodicLeaseRepository(*conns[i]).try_hold("sweep", holders[i], 30min, now);
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_TRUE(got[0].ok()) << got[0].status();
    ASSERT_TRUE(got[1].ok()) << got[1].status();
    ASSERT_NE(got[0]->held, got[1]->held) << "round " << round << ": exactly one holder";
    const std::size_t winner = got[0]->held ? 0 : 1;
    ++wins[winner];
    EXPECT_EQ(got[0]->current.holder, holders[winner]) << "round " << round;
    EXPECT_EQ(got[1]->current.holder, holders[winner]) << "round " << round;
    auto row = PeriodicLeaseRepository(*db_).get("sweep");
    ASSERT_TRUE(row.ok() && row->has_value());
    EXPECT_EQ((*row)->holder, holders[winner]);
    EXPECT_EQ((*row)->expires_at, common::utc_at(now + 30min));
  }
  EXPECT_EQ(wins[0] + wins[1], kRounds);
}

TEST_F(PeriodicLeaseTest, KeeperTracksTakingAndLosing) {
  auto other_conn = open_again();
  ASSERT_NE(other_conn, nullptr);
  PeriodicLease mine(*db_, "sweep", "ctl1:1", 10s);
  PeriodicLease theirs(*other_conn, "sweep", "ctl2:2", 10s);
  EXPECT_TRUE(mine.hold("req-1", t0_));
  EXPECT_TRUE(mine.held());
  EXPECT_FALSE(theirs.hold("req-2", t0_ + 1s));
  EXPECT_TRUE(mine.hold("req-3", t0_ + 5s)) << "renewed: now until t0 + 15 s";
  EXPECT_FALSE(theirs.hold("req-4", t0_ + 14s));
  // mine stops renewing (a controller killed or stalled): handed over.
  EXPECT_TRUE(theirs.hold("req-5", t0_ + 15s));
  EXPECT_FALSE(mine.hold("req-6", t0_ + 16s));
  EXPECT_FALSE(mine.held());
  // A clean stop gives it up: the other takes it before the expiry.
  theirs.release("req-7");
  EXPECT_FALSE(theirs.held());
  EXPECT_TRUE(mine.hold("req-8", t0_ + 17s));
}

// keep(), on the real clock: a long run renews its lease once half its time
// has passed, and learns it lost it once another holder took it over.
TEST_F(PeriodicLeaseTest, KeepRenewsPastHalfItsTimeAndStopsOnceTakenOver) {
  auto other_conn = open_again();
  ASSERT_NE(other_conn, nullptr);
  PeriodicLease mine(*db_, "sweep", "ctl1:1", 600ms);
  ASSERT_TRUE(mine.hold("req-1"));
  std::this_thread::sleep_for(400ms);  // past half of 600 ms
  EXPECT_TRUE(mine.keep("req-2"));
  auto row = PeriodicLeaseRepository(*db_).get("sweep");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_NE((*row)->renewed_at, (*row)->acquired_at) << "keep() renewed it";
  std::this_thread::sleep_for(700ms);  // mine lapses (nobody renews it)
  PeriodicLease theirs(*other_conn, "sweep", "ctl2:2", 10s);
  ASSERT_TRUE(theirs.hold("req-3"));
  EXPECT_FALSE(mine.keep("req-4"));
  EXPECT_FALSE(mine.held());
  EXPECT_FALSE(mine.keep("req-5")) << "and stays lost until hold() takes it again";
}

TEST(PeriodicLeaseHolder, NamesHostAndProcess) {
  const std::string name = lease_holder_name("ctl1");
  EXPECT_EQ(name.rfind("ctl1:", 0), 0u) << name;
  EXPECT_GT(name.size(), 5u);
}

}  // namespace
}  // namespace stratus::core::db
