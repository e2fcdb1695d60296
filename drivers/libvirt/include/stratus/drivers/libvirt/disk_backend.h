// DiskBackend: how the libvirt driver gets local disks for a guest, behind an
// interface so unit tests can record calls or break a step on purpose, and a
// later backend (libvirt storage pools, RBD) can replace qemu-img.
//
// ImageFetcher: where image data comes from (a directory now; the image
// service once it exists).
//
// Thread-safety: implementations are called concurrently for different
// instances, and for the same image from several spawns at once.
// Blocking: all of it (downloads and qemu-img).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "stratus/sdk/image_meta.h"
#include "stratus/sdk/request_context.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::drivers::libvirt {

// A base image in the local cache. Never written to after it is complete:
// overlays use it as their read-only backing file.
struct CachedImage {
  std::filesystem::path path;
  std::string format;              // "qcow2", "raw" (what qemu-img must be told)
  std::int64_t virtual_size = 0;   // bytes the guest sees; 0 for kernels/ramdisks
};

class ImageFetcher {
 public:
  virtual ~ImageFetcher() = default;
  // Writes the image's data to `dest` (a new file). On failure `dest` may be
  // left partial; the caller removes it. Errors: kNotFound (no such image),
  // kUnavailable, kInternal.
  virtual sdk::Status fetch(const sdk::RequestContext& ctx, const sdk::ImageMeta& image,
                            const std::filesystem::path& dest) = 0;
};

class DiskBackend {
 public:
  virtual ~DiskBackend() = default;

  // The image in the local cache, fetched on first use: one file per checksum
  // (or per image id when the image has no checksum), so each image is fetched
  // once however many guests use it; concurrent callers of one image wait for
  // a single fetch. A failed fetch leaves no file in the cache.
  // Errors: kNotFound, kNotSupported (format), kInvalidArgument (an image
  // that names a backing file of its own), kUnavailable, kInternal.
  virtual sdk::Result<CachedImage> cache_image(const sdk::RequestContext& ctx, const sdk::ImageMeta& image) = 0;

  // Creates `dest`, a qcow2 overlay backed by `base`, of `size_bytes` (0: the
  // base's own size). Errors: kInvalidArgument (size below the base's), kInternal.
  virtual sdk::Status create_overlay(const sdk::RequestContext& ctx, const CachedImage& base,
                                     const std::filesystem::path& dest, std::int64_t size_bytes) = 0;

  // Creates `dest`, an empty qcow2 disk of `size_bytes` (ephemeral, swap).
  virtual sdk::Status create_blank(const sdk::RequestContext& ctx, const std::filesystem::path& dest,
                                   std::int64_t size_bytes) = 0;

  // Writes the whole content of `disk` (an overlay made by create_overlay,
  // read through its base) to `dest`, a new stand-alone image of
  // `disk_format` ("qcow2" or "raw") with no backing file: a snapshot's data.
  // `disk` may be open in a paused guest (its data flushed). On failure no
  // `dest` is left. Errors: kInvalidArgument (format), kNotFound (no disk),
  // kInternal.
  virtual sdk::Status export_disk(const sdk::RequestContext& ctx, const std::filesystem::path& disk,
                                  const std::string& disk_format, const std::filesystem::path& dest) = 0;
};

}  // namespace stratus::drivers::libvirt
