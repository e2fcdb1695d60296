// The qemu-img disk backend and the directory image fetcher (contracts in
// qemu_img_disks.h).
#include "stratus/drivers/libvirt/qemu_img_disks.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <optional>
#include <system_error>

#include "image_cache.h"
#include "process.h"

namespace stratus::drivers::libvirt {
namespace {

namespace fs = std::filesystem;
using sdk::Status;

constexpr fs::perms kReadable = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                fs::perms::others_read;

bool is_hex(const std::string& s) {
  if (s.size() < 32 || s.size() > 128) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// An image id becomes a file name: nothing that could climb out of a directory.
bool is_safe_name(const std::string& s) {
  if (s.empty() || s.size() > 200 || s == "." || s == "..") return false;
  for (char c : s) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// The format qemu-img is told for a Glance disk format, or "" if unsupported.
std::string qemu_format(const std::string& disk_format) {
  if (disk_format == "qcow2") return "qcow2";
  // ami/aki/ari are raw disks, kernels and ramdisks; an unset format is taken
  // as raw rather than probed (probing lets an image choose its own format).
  if (disk_format == "raw" || disk_format == "ami" || disk_format == "aki" || disk_format == "ari" ||
      disk_format.empty()) {
    return "raw";
  }
  return "";
}

bool is_kernel_or_ramdisk(const std::string& disk_format) { return disk_format == "aki" || disk_format == "ari"; }

// The integer after `"key":` in qemu-img's JSON, if any.
std::optional<std::int64_t> json_int(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  auto pos = json.find(needle);
  if (pos == std::string::npos) return std::nullopt;
  pos += needle.size();
  while (pos < json.size() && std::isspace(static_cast<unsigned char>(json[pos]))) ++pos;
  std::int64_t value = 0;
  bool any = false;
  while (pos < json.size() && std::isdigit(static_cast<unsigned char>(json[pos]))) {
    value = value * 10 + (json[pos] - '0');
    any = true;
    ++pos;
  }
  return any ? std::optional<std::int64_t>(value) : std::nullopt;
}

std::string unique_suffix() {
  static std::atomic<std::uint64_t> counter{0};
  return ".part-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

}  // namespace

Status DirectoryImageFetcher::fetch(const sdk::RequestContext& ctx, const sdk::ImageMeta& image,
                                    const fs::path& dest) {
  if (!is_safe_name(image.id)) return Status::InvalidArgument("image id '" + image.id + "' is not a valid file name");
  const fs::path source = dir_ / image.id;
  std::error_code ec;
  if (!fs::is_regular_file(source, ec)) {
    return Status::NotFound("image " + image.id + ": no data at " + source.string());
  }
  spdlog::info("[{}] fetching image {} from {}", ctx.request_id, image.id, source.string());
  if (!fs::copy_file(source, dest, fs::copy_options::overwrite_existing, ec)) {
    return Status::Internal("image " + image.id + ": cannot copy " + source.string() + " to " + dest.string() + ": " +
                            ec.message());
  }
  return Status::OK();
}

QemuImgDisks::QemuImgDisks(fs::path cache_dir, std::shared_ptr<ImageFetcher> fetcher, std::string qemu_img)
    : cache_dir_(std::move(cache_dir)), fetcher_(std::move(fetcher)), qemu_img_(std::move(qemu_img)) {}

QemuImgDisks::~QemuImgDisks() { cache_manager_.reset(); }

std::shared_ptr<std::mutex> QemuImgDisks::lock_for(const std::string& key) {
  std::lock_guard lock(mu_);
  auto& slot = fetch_locks_[key];
  if (!slot) slot = std::make_shared<std::mutex>();
  return slot;
}

sdk::Result<CachedImage> QemuImgDisks::inspect(const fs::path& path, const std::string& format) {
  CachedImage out{path, format, 0};
  auto info = run_program({qemu_img_, "info", "--output=json", "-f", format, path.string()});
  if (!info.ok()) return info.status();
  if (info->find("\"backing-filename\"") != std::string::npos) {
    // A backing file inside an image could point QEMU at any file on the host.
    return Status::InvalidArgument("image file " + path.string() + " names a backing file; refusing it");
  }
  auto size = json_int(*info, "virtual-size");
  if (!size) return Status::Internal("qemu-img info of " + path.string() + " reported no virtual size");
  out.virtual_size = *size;
  return out;
}

sdk::Result<CachedImage> QemuImgDisks::cache_image(const sdk::RequestContext& ctx, const sdk::ImageMeta& image) {
  try {
    const std::string format = qemu_format(image.disk_format);
    if (format.empty()) {
      return Status::NotSupported("image " + image.id + ": disk format '" + image.disk_format +
                                  "' is not supported by the libvirt driver (qcow2, raw, ami, aki, ari)");
    }
    std::string key;
    if (is_hex(image.checksum)) {
      key = image.checksum;
    } else if (is_safe_name(image.id)) {
      key = "id-" + image.id;
    } else {
      return Status::InvalidArgument("image id '" + image.id + "' is not a valid file name");
    }
    const fs::path path = cache_dir_ / key;
    auto key_lock = lock_for(key);
    std::lock_guard guard(*key_lock);

    std::error_code ec;
    if (!fs::exists(path, ec)) {
      fs::create_directories(cache_dir_, ec);
      if (ec) return Status::Internal("cannot create image cache " + cache_dir_.string() + ": " + ec.message());
      const fs::path part = path.string() + unique_suffix();
      Status fetched = fetcher_->fetch(ctx, image, part);
      if (fetched.ok() && !is_kernel_or_ramdisk(image.disk_format)) {
        auto checked = inspect(part, format);
        if (!checked.ok()) fetched = checked.status();
      }
      if (fetched.ok()) {
        fs::permissions(part, kReadable, ec);
        fs::rename(part, path, ec);
        if (ec) fetched = Status::Internal("cannot move " + part.string() + " into the cache: " + ec.message());
      }
      if (!fetched.ok()) {
        fs::remove(part, ec);
        return fetched;
      }
      spdlog::info("[{}] image {} cached as {}", ctx.request_id, image.id, path.string());
    } else {
      // A use: the cache manager keeps a base for its minimum age after it.
      fs::last_write_time(path, fs::file_time_type::clock::now(), ec);
    }
    if (is_kernel_or_ramdisk(image.disk_format)) return CachedImage{path, format, 0};
    return inspect(path, format);
  } catch (const std::exception& e) {
    return Status::Internal("caching image " + image.id + ": " + e.what());
  }
}

Status QemuImgDisks::create_overlay(const sdk::RequestContext& ctx, const CachedImage& base, const fs::path& dest,
                                    std::int64_t size_bytes) {
  if (size_bytes != 0 && size_bytes < base.virtual_size) {
    return Status::InvalidArgument("disk " + dest.string() + ": " + std::to_string(size_bytes) +
                                   " bytes is smaller than its image (" + std::to_string(base.virtual_size) +
                                   " bytes)");
  }
  std::vector<std::string> argv = {qemu_img_, "create", "-q", "-f", "qcow2", "-F", base.format,
                                   "-b", base.path.string(), dest.string()};
  if (size_bytes != 0) argv.push_back(std::to_string(size_bytes));
  auto ran = run_program(argv);
  if (!ran.ok()) return ran.status();
  std::error_code ec;
  fs::permissions(dest, kReadable, ec);
  spdlog::debug("[{}] created overlay {} on {}", ctx.request_id, dest.string(), base.path.string());
  return Status::OK();
}

Status QemuImgDisks::create_blank(const sdk::RequestContext& ctx, const fs::path& dest, std::int64_t size_bytes) {
  if (size_bytes <= 0) return Status::InvalidArgument("disk " + dest.string() + ": size must be positive");
  auto ran = run_program({qemu_img_, "create", "-q", "-f", "qcow2", dest.string(), std::to_string(size_bytes)});
  if (!ran.ok()) return ran.status();
  std::error_code ec;
  fs::permissions(dest, kReadable, ec);
  spdlog::debug("[{}] created blank disk {} ({} bytes)", ctx.request_id, dest.string(), size_bytes);
  return Status::OK();
}

Status QemuImgDisks::export_disk(const sdk::RequestContext& ctx, const fs::path& disk, const std::string& disk_format,
                                 const fs::path& dest) {
  if (disk_format != "qcow2" && disk_format != "raw") {
    return Status::InvalidArgument("cannot write a disk as '" + disk_format + "' (qcow2 or raw)");
  }
  std::error_code ec;
  if (!fs::is_regular_file(disk, ec)) return Status::NotFound("no disk at " + disk.string());
  auto ran = run_program({qemu_img_, "convert", "-U", "-q", "-f", "qcow2", "-O", disk_format, disk.string(),
                          dest.string()});
  if (!ran.ok()) {
    fs::remove(dest, ec);
    return ran.status();
  }
  fs::permissions(dest, kReadable, ec);
  spdlog::info("[{}] disk {} written as {} image {}", ctx.request_id, disk.string(), disk_format, dest.string());
  return Status::OK();
}

sdk::Result<CacheSweep> QemuImgDisks::remove_unused_bases(const fs::path& instances_path,
                                                          std::chrono::seconds min_age) {
  try {
    CacheSweep out;
    std::error_code ec;
    if (!fs::exists(cache_dir_, ec)) return out;
    auto used = bases_in_use(instances_path, cache_dir_);
    if (!used.ok()) return used.status();
    std::vector<fs::path> files;
    for (auto it = fs::directory_iterator(cache_dir_, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::error_code regular;
      const std::string name = it->path().filename().string();
      if (it->is_regular_file(regular) && name.find(".part-") == std::string::npos) files.push_back(it->path());
    }
    if (ec) return Status::Internal("cannot list the image cache " + cache_dir_.string() + ": " + ec.message());
    for (const fs::path& file : files) {
      // Under the key's lock: a spawn fetching or touching it is done first.
      auto key_lock = lock_for(file.filename().string());
      std::lock_guard guard(*key_lock);
      std::error_code canon;
      if (used->count(fs::weakly_canonical(file, canon)) != 0) {
        ++out.in_use;
        continue;
      }
      std::error_code when;
      const auto last_use = fs::last_write_time(file, when);
      if (when) continue;  // gone meanwhile
      if (fs::file_time_type::clock::now() - last_use < min_age) {
        ++out.recent;
        continue;
      }
      std::error_code removed;
      if (fs::remove(file, removed)) out.removed.push_back(file);
    }
    return out;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("image cache sweep: ") + e.what());
  }
}

void QemuImgDisks::start_cache_manager(fs::path instances_path, std::chrono::seconds min_age,
                                       std::chrono::seconds interval) {
  cache_manager_ = std::make_unique<PeriodicTask>(interval, [this, instances_path, min_age] {
    auto sweep = remove_unused_bases(instances_path, min_age);
    if (!sweep.ok()) {
      spdlog::warn("image cache {}: no base removed this time: {}", cache_dir_.string(), sweep.status().to_string());
      return;
    }
    for (const fs::path& f : sweep->removed) {
      spdlog::info("image cache: removed unused base image {} (unused for at least {} s)", f.string(),
                   min_age.count());
    }
    spdlog::debug("image cache {}: {} removed, {} in use, {} used recently", cache_dir_.string(),
                  sweep->removed.size(), sweep->in_use, sweep->recent);
  });
  spdlog::info("image cache {}: unused base images are removed after {} s (checked every {} s)", cache_dir_.string(),
               min_age.count(), interval.count());
}

}  // namespace stratus::drivers::libvirt
