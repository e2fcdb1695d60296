// QemuImgDisks: the DiskBackend over files and the qemu-img program
// (Debian: qemu-utils), as Nova's Qcow2 image backend does it:
//
//   <cache_dir>/<checksum>            base image, fetched once
//   qemu-img create -f qcow2 -F <base format> -b <base> <dest> [size]
//
// Base formats are passed explicitly (-F) so qemu never probes a raw image's
// contents as a format, and an image that names a backing file of its own is
// refused (it could make QEMU read any file of the host).
//
// The cache is shared by every instance of an image on the host (one base,
// many overlays). remove_unused_bases is Nova's image cache manager: a base
// no disk of an instance directory has as its backing file, and that was
// last used (fetched, or handed to a spawn: each use touches its mtime) at
// least the minimum age ago, is removed; start_cache_manager runs it
// periodically ([driver.libvirt] remove_unused_base_images and friends).
// The minimum age also covers a spawn between cache_image and
// create_overlay, which holds the base without an overlay for milliseconds.
//
// DirectoryImageFetcher reads `<dir>/<image id>`: the layout the image
// service will write; until then an operator can drop files there.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "stratus/drivers/libvirt/disk_backend.h"

namespace stratus::drivers::libvirt {

class DirectoryImageFetcher final : public ImageFetcher {
 public:
  explicit DirectoryImageFetcher(std::filesystem::path dir) : dir_(std::move(dir)) {}
  sdk::Status fetch(const sdk::RequestContext& ctx, const sdk::ImageMeta& image,
                    const std::filesystem::path& dest) override;

 private:
  std::filesystem::path dir_;
};

class PeriodicTask;

// What one pass of remove_unused_bases did.
struct CacheSweep {
  std::vector<std::filesystem::path> removed;
  std::size_t in_use = 0;  // kept: an instance's disk is backed by it
  std::size_t recent = 0;  // kept: unused, but used within the minimum age
};

class QemuImgDisks final : public DiskBackend {
 public:
  QemuImgDisks(std::filesystem::path cache_dir, std::shared_ptr<ImageFetcher> fetcher,
               std::string qemu_img = "qemu-img");
  ~QemuImgDisks() override;

  sdk::Result<CachedImage> cache_image(const sdk::RequestContext& ctx, const sdk::ImageMeta& image) override;
  sdk::Status create_overlay(const sdk::RequestContext& ctx, const CachedImage& base,
                             const std::filesystem::path& dest, std::int64_t size_bytes) override;
  sdk::Status create_blank(const sdk::RequestContext& ctx, const std::filesystem::path& dest,
                           std::int64_t size_bytes) override;
  // qemu-img convert -U -f qcow2 -O <format>: -U reads the disk of a paused
  // guest, whose QEMU holds its lock (a pause flushes QEMU's caches first).
  sdk::Status export_disk(const sdk::RequestContext& ctx, const std::filesystem::path& disk,
                          const std::string& disk_format, const std::filesystem::path& dest) override;

  // One pass of the cache manager over the files of the cache (a fetch in
  // progress is never touched). Errors: kInternal when the instances'
  // disks cannot all be read (then nothing is removed).
  sdk::Result<CacheSweep> remove_unused_bases(const std::filesystem::path& instances_path,
                                              std::chrono::seconds min_age);
  // Runs remove_unused_bases every `interval` until destroyed, logging what
  // it removes. Call at most once.
  void start_cache_manager(std::filesystem::path instances_path, std::chrono::seconds min_age,
                           std::chrono::seconds interval);

 private:
  std::shared_ptr<std::mutex> lock_for(const std::string& key);
  sdk::Result<CachedImage> inspect(const std::filesystem::path& path, const std::string& format);

  const std::filesystem::path cache_dir_;
  const std::shared_ptr<ImageFetcher> fetcher_;
  const std::string qemu_img_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<std::mutex>> fetch_locks_;  // guarded by mu_
  std::unique_ptr<PeriodicTask> cache_manager_;  // last: stopped before the rest goes
};

}  // namespace stratus::drivers::libvirt
