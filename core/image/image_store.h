// ImageStore: image data on local disk, one file per image id under one
// directory (<data-dir>/images by default): the image service's backend.
//
// Writes go to "<id>.partial" (created with O_EXCL), are hashed (md5 for
// Glance's "checksum", sha512 for "os_hash_value") as they stream in,
// fsync'd, and renamed to "<id>" only when complete; a writer dropped before
// commit() removes its partial file, so a half file is never served. Ids are
// checked to be UUIDs before they become file names. Thread-safe: distinct
// ids touch distinct files; the image service lets one upload per id run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

#include "core/common/digest.h"
#include "core/common/ids.h"
#include "stratus/sdk/result.h"

namespace stratus::core::image {

// The store turns only canonical UUIDs into paths (common::is_uuid).
using common::is_uuid;

// What a finished upload wrote.
struct StoredImage {
  std::uint64_t size = 0;
  std::string md5_hex;
  std::string sha512_hex;
};

// One upload in progress. Not thread-safe; movable. Destroying it without a
// successful commit() removes the partial file.
class ImageWriter {
 public:
  ImageWriter(ImageWriter&& other) noexcept;
  ImageWriter& operator=(ImageWriter&&) = delete;
  ImageWriter(const ImageWriter&) = delete;
  ImageWriter& operator=(const ImageWriter&) = delete;
  ~ImageWriter();

  // Appends `chunk`. kInvalidArgument (and nothing written) when it would
  // take the image over the store's size limit: see over_limit();
  // kInternal on a write error (disk full), naming the file.
  sdk::Status write(std::string_view chunk);
  bool over_limit() const { return over_limit_; }
  std::uint64_t size() const { return size_; }

  // fsyncs, closes and renames the partial file into place. After a
  // failure the partial is gone and nothing is in place.
  sdk::Result<StoredImage> commit();

 private:
  friend class ImageStore;
  ImageWriter(int fd, std::filesystem::path partial, std::filesystem::path final_path, std::uint64_t limit);
  void discard();

  int fd_ = -1;
  std::filesystem::path partial_;
  std::filesystem::path final_;
  std::uint64_t limit_ = 0;
  std::uint64_t size_ = 0;
  bool over_limit_ = false;
  common::Digest md5_{common::DigestAlgorithm::kMd5};
  common::Digest sha512_{common::DigestAlgorithm::kSha512};
};

class ImageStore {
 public:
  // `directory` is created on first use; `max_image_size` bounds each image.
  ImageStore(std::filesystem::path directory, std::uint64_t max_image_size);

  const std::filesystem::path& directory() const { return directory_; }
  std::uint64_t max_image_size() const { return max_image_size_; }

  // Starts writing image `id`'s data. kInvalidArgument for an id that is not
  // a UUID; kAlreadyExists when the image already has data; kInternal when
  // the file cannot be created (naming it and why). A partial file left by a
  // crashed upload is replaced.
  sdk::Result<ImageWriter> begin(const std::string& id);

  // Opens image `id`'s data for reading, with its size. kNotFound when it
  // has none; kInvalidArgument for an id that is not a UUID.
  struct Opened {
    std::shared_ptr<std::istream> stream;
    std::uint64_t size = 0;
  };
  sdk::Result<Opened> open(const std::string& id) const;

  // Removes image `id`'s data (and any partial). OK when there was none.
  sdk::Status remove(const std::string& id);

 private:
  std::filesystem::path directory_;
  std::uint64_t max_image_size_;
};

}  // namespace stratus::core::image
