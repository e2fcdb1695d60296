// PeriodicTimer: one thread that runs the periodic work of many clients.
//
// A compute host's periodic tasks (heartbeat, resource report, power sync,
// reclaim) used to have a thread each; the fake hosts of one process (10,000
// of them under `stratus aio --fake-hosts 10000`) share one timer instead,
// so the process has one periodic thread whatever the host count. A client
// is a function that runs whatever of its work is due and says when it
// wants to run next; the timer keeps the clients ordered by that time, so
// an idle timer sleeps until the earliest one (no polling, no timer per
// client).
//
// Clients run one at a time on the timer's thread, in order of their due
// times; a slow client delays the others (the periodic tasks are short or
// bounded by their RPC timeouts).
//
// Thread-safety: every method may be called from any thread, and from a
// client's own function (remove() then does not wait for itself).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

namespace stratus::core::compute {

class PeriodicTimer {
 public:
  using Clock = std::chrono::steady_clock;
  // Runs the client's due work at `now`; returns when it wants to run next
  // (a time not after `now` runs it again at once, after the others due).
  using Task = std::function<Clock::time_point(Clock::time_point now)>;
  using Id = std::uint64_t;

  // `name` names the thread in logs. Starts no thread.
  explicit PeriodicTimer(std::string name);
  // stop().
  ~PeriodicTimer();
  PeriodicTimer(const PeriodicTimer&) = delete;
  PeriodicTimer& operator=(const PeriodicTimer&) = delete;

  // Adds a client that first runs at `first`; starts the thread on the
  // first add. Returns its id (never 0). After stop(): 0, nothing added.
  Id add(Task task, Clock::time_point first);
  // Runs the client as soon as the thread is free (earlier than planned);
  // nothing for an unknown id.
  void wake(Id id);
  // Removes the client; once this returns its task is not running and never
  // runs again (unless called from that task itself, which then finishes).
  void remove(Id id);
  // Removes every client and joins the thread. Idempotent.
  void stop();

  std::size_t size() const;

 private:
  struct Client {
    Task task;
    Clock::time_point next;
  };
  void run();

  const std::string name_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;       // the schedule changed, or stop
  std::condition_variable idle_cv_;  // a task returned
  std::map<Id, Client> clients_;
  std::set<std::pair<Clock::time_point, Id>> due_;  // (next, id) of every client not running
  Id next_id_ = 1;
  Id running_ = 0;  // the client whose task runs now (it is not in due_)
  bool running_woken_ = false;  // wake() came while it ran: run it again at once
  bool stopped_ = false;
  std::thread thread_;
  std::thread::id thread_id_;
};

}  // namespace stratus::core::compute
