#include "core/compute/periodic_timer.h"

#include <exception>

#include <spdlog/spdlog.h>

namespace stratus::core::compute {

PeriodicTimer::PeriodicTimer(std::string name) : name_(std::move(name)) {}

PeriodicTimer::~PeriodicTimer() { stop(); }

PeriodicTimer::Id PeriodicTimer::add(Task task, Clock::time_point first) {
  std::lock_guard lock(mutex_);
  if (stopped_) return 0;
  const Id id = next_id_++;
  clients_.emplace(id, Client{std::move(task), first});
  due_.emplace(first, id);
  if (!thread_.joinable()) {
    thread_ = std::thread([this] { run(); });
    thread_id_ = thread_.get_id();
  }
  cv_.notify_all();
  return id;
}

void PeriodicTimer::wake(Id id) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  if (running_ == id) {
    running_woken_ = true;
    return;
  }
  const auto now = Clock::now();
  if (it->second.next <= now) return;
  due_.erase({it->second.next, id});
  it->second.next = now;
  due_.emplace(now, id);
  cv_.notify_all();
}

void PeriodicTimer::remove(Id id) {
  std::unique_lock lock(mutex_);
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  if (running_ != id) due_.erase({it->second.next, id});
  clients_.erase(it);
  if (std::this_thread::get_id() == thread_id_) return;  // from its own task: it finishes
  idle_cv_.wait(lock, [&] { return running_ != id; });
}

void PeriodicTimer::stop() {
  std::thread thread;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    clients_.clear();
    due_.clear();
    thread.swap(thread_);
  }
  cv_.notify_all();
  if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
}

std::size_t PeriodicTimer::size() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

void PeriodicTimer::run() {
  std::unique_lock lock(mutex_);
  while (!stopped_) {
    if (due_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const auto [when, id] = *due_.begin();
    if (Clock::now() < when) {
      cv_.wait_until(lock, when);
      continue;
    }
    due_.erase(due_.begin());
    running_ = id;
    running_woken_ = false;
    Task task = clients_.at(id).task;  // a copy: remove() may erase the client meanwhile
    lock.unlock();
    const auto now = Clock::now();
    Clock::time_point next = now;
    try {
      next = task(now);
    } catch (const std::exception& e) {
      spdlog::error("periodic timer {}: a task threw: {}", name_, e.what());
    } catch (...) {
      spdlog::error("periodic timer {}: a task threw", name_);
    }
    task = nullptr;
    lock.lock();
    running_ = 0;
    if (auto it = clients_.find(id); it != clients_.end()) {
      if (running_woken_) next = Clock::now();
      it->second.next = next;
      due_.emplace(next, id);
    }
    idle_cv_.notify_all();
  }
}

}  // namespace stratus::core::compute
