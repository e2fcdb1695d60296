// ImageFetcher: puts an image's data on this compute host before a spawn, so
// a driver that reads images from a directory (libvirt's image_source_path)
// finds them there. Nova's compute does this through glance.download.
//
// For the image (and the kernel_id / ramdisk_id images it names) it asks the
// image service for the record (GET <api>/v2/images/<id>), then downloads the
// data (GET .../file) with X-Auth-Token into "<download_path>/<id>": written
// to a temporary file, its md5 checked against the record's checksum, then
// renamed into place, so a file under its final name is always complete and
// is not fetched again (the service is not even asked). The compute host never opens the database.
//
// Thread-safe: concurrent builds may fetch the same image; each writes its
// own temporary file and the renames are atomic.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "stratus/sdk/image_meta.h"
#include "stratus/sdk/request_context.h"
#include "stratus/sdk/result.h"

namespace stratus::core::compute {

// The token a compute host presents to the image service; nullopt: none
// (auth_strategy "noauth"). Called once per fetch. The identity service
// wires this to the host's service credentials.
using TokenSource = std::function<std::optional<std::string>()>;

struct ImageFetcherOptions {
  // The image service's base URL, e.g. "http://127.0.0.1:8774/image";
  // called per fetch, since an aio API binds after the compute hosts start.
  std::function<std::string()> image_api_url;
  std::filesystem::path download_path;
  TokenSource token;
  std::chrono::seconds timeout{300};  // per request, on each read
};

// "http://host:port/prefix" -> ("http://host:port", "/prefix"): the base
// an HTTP client connects to and the path prefix of the image API.
std::pair<std::string, std::string> split_service_url(const std::string& url);

class ImageFetcher {
 public:
  explicit ImageFetcher(ImageFetcherOptions options);

  // Makes sure `image`'s data and its kernel_id / ramdisk_id images are in
  // download_path. Blocks for the downloads. kUnavailable "Image <id> is not
  // available: <why>" when one cannot be had (not found, not active, no
  // data, checksum mismatch, service unreachable); nothing partial is left.
  sdk::Status fetch(const sdk::RequestContext& ctx, const sdk::ImageMeta& image) const;

  const std::filesystem::path& download_path() const { return options_.download_path; }

 private:
  sdk::Status fetch_one(const sdk::RequestContext& ctx, const std::string& id) const;

  ImageFetcherOptions options_;
};

}  // namespace stratus::core::compute
