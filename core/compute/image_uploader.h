// ImageUploader: sends a snapshot's data from this compute host to the image
// service (Nova's compute does it through glance.upload), deletes the
// image of a shelved server once it is unshelved, and lists an instance's
// backups for their rotation (createBackup).
//
// It speaks the image API like any client: PUT <api>/v2/images/<id>/file
// (the image goes queued -> saving -> active; the service hashes the data),
// DELETE <api>/v2/images/<id> and GET <api>/v2/images?<filters>, with
// X-Auth-Token from the same source as the ImageFetcher. The compute host
// never opens the database.
//
// Thread-safe: each call uses its own HTTP client.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/compute/image_fetcher.h"
#include "stratus/sdk/request_context.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::core::compute {

class ImageUploader {
 public:
  // Uses the options' image_api_url, token and timeout (download_path is not used).
  explicit ImageUploader(ImageFetcherOptions options);

  // Streams `file` as the data of queued image `image_id`. kUnavailable
  // "Image <id> could not be uploaded: <why>" when the service is
  // unreachable or answers anything but 204 (the image then stays queued).
  sdk::Status upload(const sdk::RequestContext& ctx, const std::string& image_id,
                     const std::filesystem::path& file) const;

  // Deletes the image (record and data). OK when it is already gone (404).
  sdk::Status remove(const sdk::RequestContext& ctx, const std::string& image_id) const;

  // The ids of the images whose properties match `properties` (Glance's
  // property filters), newest first (sort_key created_at, desc), following
  // the service's pages. kUnavailable "Images could not be listed: <why>".
  sdk::Result<std::vector<std::string>> list_ids(const sdk::RequestContext& ctx,
                                                 const std::map<std::string, std::string>& properties) const;

 private:
  ImageFetcherOptions options_;
};

}  // namespace stratus::core::compute
