// BuildPool: the threads that run builds, at most N at once; more wait in a
// FIFO queue (Nova's max_concurrent_builds semaphore).
//
// A build takes as long as the hypervisor takes to spawn a guest, so it must
// not hold one of the RPC endpoint's workers: the build_and_run_instance
// handler only queues a job here and returns.
//
// Threads are made as jobs need them (a job queued while no thread is idle
// makes one, up to N), so an idle pool shared by many hosts holds few.
//
// Lifecycle: jobs may be submitted before start() (they wait until the
// threads exist, so nothing is built before the host is initialised).
// close() refuses new jobs and hands every job that has not started to its
// `cancel` function; wait_idle() bounds the wait for the running ones;
// join() joins the threads. The destructor does close() and join().
//
// Thread-safety: every method may be called from any thread, except that
// start() and join() are not called concurrently with each other.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace stratus::core::compute {

class BuildPool {
 public:
  struct Job {
    std::function<void()> run;     // on a pool thread
    std::function<void()> cancel;  // if the pool closes before `run` starts; may be empty
  };
  struct Stats {
    std::size_t running = 0;  // jobs whose run() is in progress
    std::size_t queued = 0;   // jobs waiting for a thread
  };

  // `threads` below 1 act as 1. Starts no thread.
  explicit BuildPool(std::size_t threads);
  ~BuildPool();
  BuildPool(const BuildPool&) = delete;
  BuildPool& operator=(const BuildPool&) = delete;

  // Lets jobs run: makes the threads the queued jobs need (once; later
  // calls do nothing).
  void start();

  // Queues a job; false (the job is dropped, not cancelled) after close().
  bool submit(Job job);

  // Refuses new jobs and calls `cancel` of every queued job, in order, on the
  // calling thread and without the pool's lock held. Idempotent.
  void close();

  // Waits until no job runs, or until `deadline`; true if none runs.
  bool wait_idle(std::chrono::steady_clock::time_point deadline) const;

  // Closes, then joins the threads once their current jobs return.
  void join();

  Stats stats() const;

 private:
  void work();
  // Makes a thread if a queued job has none idle to take it. Caller holds mutex_.
  void grow_locked();

  const std::size_t threads_;
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;  // queue changes, running changes, close
  std::deque<Job> queue_;
  std::size_t running_ = 0;
  std::size_t idle_ = 0;  // threads waiting for a job
  bool closed_ = false;
  bool started_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace stratus::core::compute
