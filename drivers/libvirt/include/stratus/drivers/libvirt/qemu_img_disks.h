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
// DirectoryImageFetcher reads `<dir>/<image id>`: the layout the image
// service will write; until then an operator can drop files there.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

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

class QemuImgDisks final : public DiskBackend {
 public:
  QemuImgDisks(std::filesystem::path cache_dir, std::shared_ptr<ImageFetcher> fetcher,
               std::string qemu_img = "qemu-img");

  sdk::Result<CachedImage> cache_image(const sdk::RequestContext& ctx, const sdk::ImageMeta& image) override;
  sdk::Status create_overlay(const sdk::RequestContext& ctx, const CachedImage& base,
                             const std::filesystem::path& dest, std::int64_t size_bytes) override;
  sdk::Status create_blank(const sdk::RequestContext& ctx, const std::filesystem::path& dest,
                           std::int64_t size_bytes) override;

 private:
  std::shared_ptr<std::mutex> lock_for(const std::string& key);
  sdk::Result<CachedImage> inspect(const std::filesystem::path& path, const std::string& format);

  const std::filesystem::path cache_dir_;
  const std::shared_ptr<ImageFetcher> fetcher_;
  const std::string qemu_img_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<std::mutex>> fetch_locks_;  // guarded by mu_
};

}  // namespace stratus::drivers::libvirt
