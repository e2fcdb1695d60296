// The base image cache's bookkeeping (Nova's imagecache manager): which
// base files the instances of this host still use, and the periodic task
// that removes the others once they have not been used for a while
// (QemuImgDisks::remove_unused_bases does the removing).
//
// "In use" is read from the disks themselves: every qcow2 file in an
// instance directory names its base as its backing file, so a guest that
// is shut off, suspended or only defined keeps its base as surely as a
// running one, and nothing has to be remembered across restarts.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "stratus/sdk/result.h"

namespace stratus::drivers::libvirt {

// The backing file named in a qcow2 header, as written there (maybe
// relative to the file's directory); "" for a qcow2 file without one and
// for a file that is not qcow2. Errors: kInternal (unreadable, or a header
// that names a backing file it does not hold).
sdk::Result<std::string> qcow2_backing_file(const std::filesystem::path& file);

// The backing files (absolute, canonical) of every qcow2 file in the
// directories directly under `instances_path`, `skip` (the cache itself
// when it lives there) excepted. A missing `instances_path` uses nothing.
// Errors: kInternal when any directory or disk cannot be read: the caller
// then must not conclude that a base is unused.
sdk::Result<std::set<std::filesystem::path>> bases_in_use(const std::filesystem::path& instances_path,
                                                          const std::filesystem::path& skip);

// Runs `task` every `interval` on a thread of its own until destroyed (the
// destructor wakes the thread and joins it; a task in progress finishes).
class PeriodicTask {
 public:
  PeriodicTask(std::chrono::milliseconds interval, std::function<void()> task);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  void run();

  const std::chrono::milliseconds interval_;
  const std::function<void()> task_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: started once everything above exists
};

}  // namespace stratus::drivers::libvirt
