// StateFile: the file a fake host keeps its guests in ([driver.fake]
// state_file), held by one fake host at a time.
//
// The lock is flock(2) on PATH.lock (not on PATH itself: every save renames
// a new file over PATH, and a lock on the old inode would guard nothing). It
// is held while the StateFile lives and is released by the kernel when the
// process dies, kill -9 included, so a restarted compute takes it again. The
// lock file holds the pid of its holder, for the message of a refused open.
//
// Saves are atomic: the text goes to PATH.tmp in the same directory, is
// fsync'ed and renamed over PATH, so a reader (or a process killed mid-save)
// sees the old file or the new one, never half of one. Not thread-safe: the
// driver's mutex guards it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::drivers::fake {

class StateFile {
 public:
  // Takes the lock. Errors: kAlreadyExists (another fake host holds it,
  // naming its pid), kUnavailable (the lock file cannot be created: no such
  // directory, no permission), each naming the file.
  static sdk::Result<std::unique_ptr<StateFile>> open(const std::string& path);
  ~StateFile();
  StateFile(const StateFile&) = delete;
  StateFile& operator=(const StateFile&) = delete;

  const std::string& path() const { return path_; }

  // The file's text, or nullopt when there is no file yet (a first start).
  // Errors: kUnavailable (it exists but cannot be read), naming the file.
  sdk::Result<std::optional<std::string>> read() const;

  // Replaces the file's text atomically. Errors: kUnavailable, naming the file.
  sdk::Status write(const std::string& text) const;

 private:
  StateFile(std::string path, int lock_fd) : path_(std::move(path)), lock_fd_(lock_fd) {}

  std::string path_;
  int lock_fd_;
};

}  // namespace stratus::drivers::fake
