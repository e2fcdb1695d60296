#include "core/compute/instance_locks.h"

#include <utility>

namespace stratus::core::compute {

std::shared_ptr<InstanceLocks::Entry> InstanceLocks::acquire_entry(const std::string& uuid) {
  std::lock_guard lock(mutex_);
  auto& entry = entries_[uuid];
  if (!entry) entry = std::make_shared<Entry>();
  ++entry->users;
  return entry;
}

void InstanceLocks::release_entry(const std::string& uuid) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(uuid);
  if (it != entries_.end() && --it->second->users == 0) entries_.erase(it);
}

InstanceLocks::Guard InstanceLocks::lock(const std::string& uuid) {
  auto entry = acquire_entry(uuid);
  entry->mutex.lock();
  return Guard(this, uuid, std::move(entry));
}

std::optional<InstanceLocks::Guard> InstanceLocks::try_lock(const std::string& uuid) {
  auto entry = acquire_entry(uuid);
  if (!entry->mutex.try_lock()) {
    release_entry(uuid);
    return std::nullopt;
  }
  return Guard(this, uuid, std::move(entry));
}

std::size_t InstanceLocks::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

InstanceLocks::Guard::Guard(InstanceLocks* owner, std::string uuid, std::shared_ptr<Entry> entry)
    : owner_(owner), uuid_(std::move(uuid)), entry_(std::move(entry)) {}

InstanceLocks::Guard::Guard(Guard&& other) noexcept
    : owner_(other.owner_), uuid_(std::move(other.uuid_)), entry_(std::move(other.entry_)) {}

InstanceLocks::Guard::~Guard() {
  if (!entry_) return;
  entry_->mutex.unlock();
  owner_->release_entry(uuid_);
}

}  // namespace stratus::core::compute
