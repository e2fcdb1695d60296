// Base image cache bookkeeping (contracts in image_cache.h).
#include "image_cache.h"

#include <array>
#include <cstdint>
#include <fstream>
#include <system_error>

namespace stratus::drivers::libvirt {

namespace fs = std::filesystem;
using sdk::Status;

namespace {

std::uint64_t big_endian(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

// QEMU refuses backing file names longer than this (qcow2 spec: < 1024).
constexpr std::uint64_t kMaxBackingName = 1023;

}  // namespace

sdk::Result<std::string> qcow2_backing_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::Internal("cannot read " + file.string());
  // qcow2 header: magic "QFI\xfb", version (4), backing_file_offset (8),
  // backing_file_size (4), all big-endian.
  std::array<unsigned char, 20> header{};
  in.read(reinterpret_cast<char*>(header.data()), header.size());
  if (in.gcount() < static_cast<std::streamsize>(header.size())) return std::string();  // too short for qcow2
  if (!(header[0] == 'Q' && header[1] == 'F' && header[2] == 'I' && header[3] == 0xfb)) return std::string();
  const std::uint64_t offset = big_endian(&header[8], 8);
  const std::uint64_t size = big_endian(&header[16], 4);
  if (offset == 0 || size == 0) return std::string();
  if (size > kMaxBackingName) return Status::Internal(file.string() + ": backing file name of " +
                                                      std::to_string(size) + " bytes");
  std::string name(size, '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(name.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) {
    return Status::Internal(file.string() + ": its header names a backing file past its end");
  }
  return name;
}

sdk::Result<std::set<fs::path>> bases_in_use(const fs::path& instances_path, const fs::path& skip) {
  std::set<fs::path> used;
  std::error_code ec;
  if (!fs::exists(instances_path, ec)) {
    if (ec) return Status::Internal("cannot look at " + instances_path.string() + ": " + ec.message());
    return used;
  }
  const fs::path skipped = fs::weakly_canonical(skip, ec);
  for (auto dir = fs::directory_iterator(instances_path, ec); !ec && dir != fs::directory_iterator();
       dir.increment(ec)) {
    std::error_code kind;
    if (!dir->is_directory(kind)) continue;
    std::error_code same;
    if (!skipped.empty() && fs::weakly_canonical(dir->path(), same) == skipped) continue;
    std::error_code inner;
    for (auto f = fs::directory_iterator(dir->path(), inner); !inner && f != fs::directory_iterator();
         f.increment(inner)) {
      std::error_code regular;
      if (!f->is_regular_file(regular)) continue;
      auto backing = qcow2_backing_file(f->path());
      if (!backing.ok()) return backing.status();
      if (backing->empty()) continue;
      fs::path base(*backing);
      if (base.is_relative()) base = dir->path() / base;
      std::error_code canon;
      used.insert(fs::weakly_canonical(base, canon));
    }
    if (inner) return Status::Internal("cannot list " + dir->path().string() + ": " + inner.message());
  }
  if (ec) return Status::Internal("cannot list " + instances_path.string() + ": " + ec.message());
  return used;
}

PeriodicTask::PeriodicTask(std::chrono::milliseconds interval, std::function<void()> task)
    : interval_(interval), task_(std::move(task)), thread_([this] { run(); }) {}

PeriodicTask::~PeriodicTask() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicTask::run() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    task_();
    lock.lock();
  }
}

}  // namespace stratus::drivers::libvirt
