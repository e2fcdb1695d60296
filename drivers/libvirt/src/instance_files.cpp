// Instance file helpers (contract in instance_files.h).
#include "instance_files.h"

#include "config_drive.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <system_error>

namespace stratus::drivers::libvirt {

namespace fs = std::filesystem;
using sdk::Status;

InstanceFilesGuard::~InstanceFilesGuard() {
  if (keep_) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void remove_instance_disks(const fs::path& dir, bool keep_ephemeral) {
  std::error_code ec;
  for (const char* file : {kRootDiskFile, kSwapDiskFile, kKernelFile, kRamdiskFile, kConfigDriveFile}) fs::remove(dir / file, ec);
  if (keep_ephemeral) return;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().rfind(kEphemeralDiskPrefix, 0) == 0) {
      std::error_code ignored;
      fs::remove(it->path(), ignored);
    }
  }
}

sdk::Result<std::string> read_tail(const fs::path& file, std::int64_t max_bytes) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::string();
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::Internal("cannot read " + file.string());
  in.seekg(0, std::ios::end);
  const std::int64_t size = in.tellg();
  const std::int64_t start = size > max_bytes ? size - max_bytes : 0;
  in.seekg(start);
  std::string out(static_cast<std::size_t>(size - start), '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

sdk::Result<DiskUsage> disk_usage(const fs::path& path) {
  fs::path probe = path;
  std::error_code ec;
  // Before init_host creates it, instances_path may not exist yet: its
  // filesystem is the one of the nearest parent that does.
  while (!probe.empty() && !fs::exists(probe, ec) && probe != probe.root_path()) probe = probe.parent_path();
  struct statvfs st{};
  if (::statvfs(probe.c_str(), &st) != 0) {
    return Status::Internal("statvfs " + probe.string() + ": " + std::strerror(errno));
  }
  const auto unit = static_cast<std::int64_t>(st.f_frsize);
  DiskUsage out;
  out.total_bytes = static_cast<std::int64_t>(st.f_blocks) * unit;
  out.used_bytes = static_cast<std::int64_t>(st.f_blocks - st.f_bfree) * unit;
  out.available_bytes = static_cast<std::int64_t>(st.f_bavail) * unit;
  return out;
}

namespace {
std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}
}  // namespace

std::string cpu_info_json(const NodeInfo& node) {
  return "{\"arch\": " + json_string(node.model) + ", \"model\": " + json_string(node.model) +
         ", \"vendor\": \"\", \"topology\": {\"cells\": " + std::to_string(node.numa_nodes) +
         ", \"sockets\": " + std::to_string(node.sockets) + ", \"cores\": " + std::to_string(node.cores) +
         ", \"threads\": " + std::to_string(node.threads) + "}, \"features\": []}";
}

}  // namespace stratus::drivers::libvirt
