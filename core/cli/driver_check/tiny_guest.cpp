// The tiny guest's initramfs, written as a newc cpio archive (see tiny_guest.h).
#include "core/cli/driver_check/tiny_guest.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

namespace stratus::core::driver_check {

namespace fs = std::filesystem;
using sdk::Status;

namespace {

// One member of a newc archive: "070701", thirteen 8-digit hex fields, the
// name with its NUL padded to 4 bytes, then the data padded to 4 bytes.
class CpioWriter {
 public:
  explicit CpioWriter(std::ofstream& out) : out_(out) {}

  void add(const std::string& name, std::uint32_t mode, const std::string& data = {}, std::uint32_t rdev_major = 0,
           std::uint32_t rdev_minor = 0) {
    char header[111];
    std::snprintf(header, sizeof header, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", next_inode_++,
                  mode, 0u, 0u, 1u, 0u, static_cast<unsigned>(data.size()), 0u, 0u, rdev_major, rdev_minor,
                  static_cast<unsigned>(name.size() + 1), 0u);
    write(header, 110);
    write(name.c_str(), name.size() + 1);
    pad();
    write(data.data(), data.size());
    pad();
  }
  void finish() { add("TRAILER!!!", 0); }

 private:
  void write(const char* p, std::size_t n) {
    out_.write(p, static_cast<std::streamsize>(n));
    written_ += n;
  }
  void pad() {
    static const char zeros[4] = {0, 0, 0, 0};
    write(zeros, (4 - written_ % 4) % 4);
  }
  std::ofstream& out_;
  std::size_t written_ = 0;
  std::uint32_t next_inode_ = 1;
};

std::string init_script(const std::string& marker) {
  // Every command through /bin/busybox: the archive has no applet links.
  return "#!/bin/busybox sh\n"
         "/bin/busybox mount -t proc proc /proc\n"
         "/bin/busybox mount -t sysfs sysfs /sys\n"
         "/bin/busybox mount -t devtmpfs devtmpfs /dev\n"
         "exec 0</dev/console 1>/dev/console 2>&1\n"
         "echo\n"
         "echo " + marker + "\n"
         "while true; do /bin/busybox sleep 3600; done\n";
}

// Compares the digit runs of two names as numbers: vmlinuz-6.10 after 6.9.
bool version_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      const std::string na = a.substr(i, ie - i), nb = b.substr(j, je - j);
      const std::string ta = na.substr(std::min(na.find_first_not_of('0'), na.size()));
      const std::string tb = nb.substr(std::min(nb.find_first_not_of('0'), nb.size()));
      if (ta.size() != tb.size()) return ta.size() < tb.size();
      if (ta != tb) return ta < tb;
      i = ie, j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i, ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

}  // namespace

sdk::Result<fs::path> find_host_kernel(const fs::path& boot_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(boot_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("vmlinuz-", 0) != 0 || !it->is_regular_file(ec)) continue;
    if (::access(it->path().c_str(), R_OK) != 0) continue;
    names.push_back(name);
  }
  if (names.empty()) {
    return Status::NotFound("no readable kernel " + (boot_dir / "vmlinuz-*").string() +
                            " (install linux-image-amd64, or give --kernel)");
  }
  std::sort(names.begin(), names.end(), version_less);
  return boot_dir / names.back();
}

Status write_tiny_initramfs(const fs::path& out, const fs::path& busybox, const std::string& marker) {
  const bool marker_ok = !marker.empty() && std::all_of(marker.begin(), marker.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_';
  });
  if (!marker_ok) {
    return Status::InvalidArgument("marker '" + marker + "' must be letters, digits, '-' or '_'");
  }
  std::ifstream in(busybox, std::ios::binary);
  if (!in) return Status::NotFound("no busybox at " + busybox.string() + " (install busybox-static)");
  const std::string busybox_data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (busybox_data.size() < 4 || busybox_data.compare(0, 4, "\x7f" "ELF") != 0) {
    return Status::InvalidArgument(busybox.string() + " is not an ELF program");
  }

  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  if (!file) return Status::Internal("cannot write " + out.string());
  CpioWriter cpio(file);
  for (const char* dir : {"bin", "dev", "proc", "sys", "tmp"}) cpio.add(dir, S_IFDIR | 0755);
  cpio.add("dev/console", S_IFCHR | 0600, {}, 5, 1);  // init's first stdout, before devtmpfs
  cpio.add("bin/busybox", S_IFREG | 0755, busybox_data);
  cpio.add("init", S_IFREG | 0755, init_script(marker));
  cpio.finish();
  file.close();
  if (!file) return Status::Internal("cannot write " + out.string());
  std::error_code ec;
  fs::permissions(out, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                           fs::perms::others_read, ec);
  return Status::OK();
}

}  // namespace stratus::core::driver_check
