// StateFile: flock on PATH.lock, read, and write-temp-fsync-rename (state_file.h).
#include "state_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <utility>

namespace stratus::drivers::fake {
namespace {

std::string describe(const std::string& path) { return "fake host state file " + path; }

std::string errno_text(int err) { return std::strerror(err); }

// Writes all of `data` to `fd`, retrying short writes and EINTR.
bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

sdk::Result<std::unique_ptr<StateFile>> StateFile::open(const std::string& path) {
  const std::string lock_path = path + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    return sdk::Status::Unavailable(describe(path) + ": cannot open its lock file " + lock_path + ": " +
                                    errno_text(err));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char holder[32] = {};
    const ssize_t n = ::pread(fd, holder, sizeof holder - 1, 0);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      const std::string pid = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : std::string("?");
      return sdk::Status::AlreadyExists(describe(path) + " is in use by another fake host (process " + pid +
                                        " holds " + lock_path + "); each compute needs its own state_file");
    }
    return sdk::Status::Unavailable(describe(path) + ": cannot lock " + lock_path + ": " + errno_text(err));
  }
  // Who holds it, for the message another process gets; best effort.
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd, 0) == 0) (void)::pwrite(fd, pid.data(), pid.size(), 0);
  return std::unique_ptr<StateFile>(new StateFile(path, fd));
}

StateFile::~StateFile() { ::close(lock_fd_); }  // closing releases the flock

sdk::Result<std::optional<std::string>> StateFile::read() const {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return std::optional<std::string>{};
    return sdk::Status::Unavailable(describe(path_) + ": cannot open it: " + errno_text(err));
  }
  std::string text;
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return sdk::Status::Unavailable(describe(path_) + ": cannot read it: " + errno_text(err));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return std::optional<std::string>(std::move(text));
}

sdk::Status StateFile::write(const std::string& text) const {
  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    return sdk::Status::Unavailable(describe(path_) + ": cannot create " + tmp + ": " + errno_text(err));
  }
  // fsync before the rename, so after a power loss the name points at the
  // whole text, not at an empty file. (A process kill alone never sees half
  // a file: rename is atomic.)
  const bool written = write_all(fd, text.data(), text.size()) && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!written) {
    ::unlink(tmp.c_str());
    return sdk::Status::Unavailable(describe(path_) + ": cannot write " + tmp + ": " + errno_text(err));
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    const int rename_err = errno;
    ::unlink(tmp.c_str());
    return sdk::Status::Unavailable(describe(path_) + ": cannot rename " + tmp + " over it: " +
                                    errno_text(rename_err));
  }
  return sdk::Status::OK();
}

}  // namespace stratus::drivers::fake
