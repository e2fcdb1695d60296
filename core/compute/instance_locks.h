// InstanceLocks: one mutex per instance uuid, so that two operations never
// change the same guest at once (Nova's @utils.synchronized(instance.uuid);
// the VirtDriver contract relies on it). A delete that arrives while the
// build holds the lock waits for the build, which then sees the delete.
//
// Entries exist only while someone holds or waits for them. Thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace stratus::core::compute {

class InstanceLocks {
 public:
  class Guard;

  // Blocks until the instance's lock is free, and holds it for the Guard's life.
  Guard lock(const std::string& uuid);
  // The lock if it is free now, else nullopt (the periodic tasks skip an
  // instance an operation is busy with rather than wait behind it).
  std::optional<Guard> try_lock(const std::string& uuid);

  // Instances locked or waited for now (for tests).
  std::size_t size() const;

 private:
  struct Entry {
    std::mutex mutex;
    std::size_t users = 0;  // holders and waiters; guarded by InstanceLocks::mutex_
  };
  std::shared_ptr<Entry> acquire_entry(const std::string& uuid);
  void release_entry(const std::string& uuid);

  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Entry>> entries_;
};

class InstanceLocks::Guard {
 public:
  Guard(Guard&& other) noexcept;
  Guard& operator=(Guard&&) = delete;
  Guard(const Guard&) = delete;
  ~Guard();

 private:
  friend class InstanceLocks;
  Guard(InstanceLocks* owner, std::string uuid, std::shared_ptr<Entry> entry);

  InstanceLocks* owner_;
  std::string uuid_;
  std::shared_ptr<Entry> entry_;  // null once moved from
};

}  // namespace stratus::core::compute
