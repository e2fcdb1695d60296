#include "core/compute/build_pool.h"

#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

namespace stratus::core::compute {

BuildPool::BuildPool(std::size_t threads) : threads_(threads < 1 ? 1 : threads) {}

BuildPool::~BuildPool() { join(); }

void BuildPool::start() {
  std::lock_guard lock(mutex_);
  if (started_ || closed_) return;
  started_ = true;
  grow_locked();
}

void BuildPool::grow_locked() {
  if (!started_ || closed_) return;
  // The queued jobs beyond what idle threads will take, up to the bound.
  while (queue_.size() > idle_ && workers_.size() < threads_) {
    workers_.emplace_back([this] { work(); });
    ++idle_;  // counted idle from now: it takes a job as soon as it runs
  }
}

bool BuildPool::submit(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    queue_.push_back(std::move(job));
    grow_locked();
  }
  cv_.notify_all();
  return true;
}

void BuildPool::close() {
  std::deque<Job> cancelled;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    cancelled.swap(queue_);
  }
  cv_.notify_all();
  for (Job& job : cancelled) {
    if (!job.cancel) continue;
    try {
      job.cancel();
    } catch (const std::exception& e) {
      spdlog::error("a cancelled build's clean-up threw: {}", e.what());
    } catch (...) {
      spdlog::error("a cancelled build's clean-up threw");
    }
  }
}

bool BuildPool::wait_idle(std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(mutex_);
  return cv_.wait_until(lock, deadline, [this] { return running_ == 0; });
}

void BuildPool::join() {
  close();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
}

BuildPool::Stats BuildPool::stats() const {
  std::lock_guard lock(mutex_);
  return Stats{running_, queue_.size()};
}

void BuildPool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
    if (queue_.empty()) {  // closed, and close() took what was queued
      --idle_;
      return;
    }
    Job job = std::move(queue_.front());
    queue_.pop_front();
    --idle_;
    ++running_;
    lock.unlock();
    try {
      job.run();
    } catch (const std::exception& e) {
      spdlog::error("a build job threw: {}", e.what());
    } catch (...) {
      spdlog::error("a build job threw");
    }
    job = Job{};  // release what the job captured before the pool counts it done
    lock.lock();
    --running_;
    ++idle_;
    cv_.notify_all();
  }
}

}  // namespace stratus::core::compute
