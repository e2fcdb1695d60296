// CoalescingSecurityGroupRefresh: a SecurityGroupRefresh that returns at
// once and passes the changes on to another (the RPC one) from a thread of its
// own, every change asked while a pass runs or pauses merged into the next.
//
// Why: a new server in the default group changes the rules of every other
// member (the group admits its members' addresses), so each refresh sends
// every member its rules, which name every member: N casts of N addresses.
// Done inside each POST /servers, a storm of N creates cost N^3 addresses
// read and sent, and the POST waited for all of it (docs/performance.md,
// "Security group refreshes off the create path"). Coalesced, a storm costs
// a pass per `pause`, whatever its size, and the POST none.
//
// The first change after a quiet spell is passed on at once; after each pass
// the thread waits `pause` before the next, gathering what comes meanwhile
// (Neutron's agents likewise apply member updates once per polling loop).
// Stopping (the destructor) passes on what is still queued, then joins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/network/security_group_refresh.h"

namespace stratus::core::network {

class CoalescingSecurityGroupRefresh final : public SecurityGroupRefresh {
 public:
  static constexpr std::chrono::milliseconds kDefaultPause{500};

  explicit CoalescingSecurityGroupRefresh(SecurityGroupRefresh& inner, std::chrono::milliseconds pause = kDefaultPause);
  ~CoalescingSecurityGroupRefresh() override;
  CoalescingSecurityGroupRefresh(const CoalescingSecurityGroupRefresh&) = delete;
  CoalescingSecurityGroupRefresh& operator=(const CoalescingSecurityGroupRefresh&) = delete;

  using SecurityGroupRefresh::refresh;
  // Queues the change and returns; the thread starts with the first.
  void refresh(const std::string& request_id, const SecurityGroupChange& change) override;

  // Waits until every change queued before the call has been passed on;
  // false if `limit` passed first.
  bool flush(std::chrono::milliseconds limit);
  // Passes made to the inner refresh so far.
  std::uint64_t passes() const;

 private:
  void run();

  SecurityGroupRefresh& inner_;
  const std::chrono::milliseconds pause_;
  mutable std::mutex mu_;
  std::condition_variable wake_;    // the thread: a change queued, or stopping
  std::condition_variable passed_;  // flush(): a pass ended
  std::set<std::string> rules_changed_, members_changed_, instances_;
  std::vector<std::string> request_ids_;  // of the queued changes, in order
  std::uint64_t queued_ = 0;   // changes queued so far
  std::uint64_t covered_ = 0;  // of those, how many a finished pass covered
  std::uint64_t passes_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace stratus::core::network
