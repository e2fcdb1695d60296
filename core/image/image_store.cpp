#include "core/image/image_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace stratus::core::image {

using sdk::Result;
using sdk::Status;

namespace {

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

Status not_a_uuid(std::string_view id) {
  return Status::InvalidArgument("image id '" + std::string(id) + "' is not a UUID");
}

}  // namespace


ImageWriter::ImageWriter(int fd, std::filesystem::path partial, std::filesystem::path final_path, std::uint64_t limit)
    : fd_(fd), partial_(std::move(partial)), final_(std::move(final_path)), limit_(limit) {}

ImageWriter::ImageWriter(ImageWriter&& other) noexcept
    : fd_(other.fd_),
      partial_(std::move(other.partial_)),
      final_(std::move(other.final_)),
      limit_(other.limit_),
      size_(other.size_),
      over_limit_(other.over_limit_),
      md5_(std::move(other.md5_)),
      sha512_(std::move(other.sha512_)) {
  other.fd_ = -1;
  other.partial_.clear();
}

ImageWriter::~ImageWriter() { discard(); }

void ImageWriter::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!partial_.empty()) {
    std::error_code ignored;
    std::filesystem::remove(partial_, ignored);
    partial_.clear();
  }
}

Status ImageWriter::write(std::string_view chunk) {
  if (fd_ < 0) return Status::InvalidState("image file " + partial_.string() + " is closed");
  if (chunk.size() > limit_ - size_) {
    over_limit_ = true;
    return Status::InvalidArgument("image data is larger than the limit of " + std::to_string(limit_) + " bytes");
  }
  const char* data = chunk.data();
  std::size_t left = chunk.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Internal("cannot write " + partial_.string() + ": " + errno_text(errno));
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  md5_.update(chunk);
  sha512_.update(chunk);
  size_ += chunk.size();
  return Status::OK();
}

Result<StoredImage> ImageWriter::commit() {
  if (fd_ < 0) return Status::InvalidState("image file " + partial_.string() + " is closed");
  if (::fsync(fd_) != 0) {
    const int err = errno;
    discard();
    return Status::Internal("cannot sync " + final_.string() + ".partial: " + errno_text(err));
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    const int err = errno;
    discard();
    return Status::Internal("cannot close " + final_.string() + ".partial: " + errno_text(err));
  }
  std::error_code ec;
  std::filesystem::rename(partial_, final_, ec);
  if (ec) {
    discard();
    return Status::Internal("cannot move image data into " + final_.string() + ": " + ec.message());
  }
  partial_.clear();
  return StoredImage{size_, md5_.hex(), sha512_.hex()};
}

ImageStore::ImageStore(std::filesystem::path directory, std::uint64_t max_image_size)
    : directory_(std::move(directory)), max_image_size_(max_image_size) {}

Result<ImageWriter> ImageStore::begin(const std::string& id) {
  if (!is_uuid(id)) return not_a_uuid(id);
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  if (ec) return Status::Internal("cannot create the image directory " + directory_.string() + ": " + ec.message());
  const auto final_path = directory_ / id;
  if (std::filesystem::exists(final_path, ec)) return Status::AlreadyExists("image " + id + " already has data");
  const auto partial = directory_ / (id + ".partial");
  // Only a crashed upload leaves one: the service runs one upload per id.
  std::filesystem::remove(partial, ec);
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) return Status::Internal("cannot create " + partial.string() + ": " + errno_text(errno));
  return ImageWriter(fd, partial, final_path, max_image_size_);
}

Result<ImageStore::Opened> ImageStore::open(const std::string& id) const {
  if (!is_uuid(id)) return not_a_uuid(id);
  const auto path = directory_ / id;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::NotFound("image " + id + " has no data");
  auto stream = std::make_shared<std::ifstream>(path, std::ios::binary);
  if (!*stream) return Status::NotFound("image " + id + " has no data");
  return Opened{std::move(stream), size};
}

Status ImageStore::remove(const std::string& id) {
  if (!is_uuid(id)) return not_a_uuid(id);
  std::error_code ec;
  std::filesystem::remove(directory_ / (id + ".partial"), ec);
  std::filesystem::remove(directory_ / id, ec);
  if (ec) return Status::Internal("cannot remove " + (directory_ / id).string() + ": " + ec.message());
  return Status::OK();
}

}  // namespace stratus::core::image
