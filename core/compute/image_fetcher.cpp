#include "core/compute/image_fetcher.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/common/digest.h"
#include "core/common/ids.h"

namespace stratus::core::compute {

namespace {

using sdk::Status;

Status not_available(const std::string& id, const std::string& why) {
  return Status::Unavailable("Image " + id + " is not available: " + why);
}

}  // namespace

std::pair<std::string, std::string> split_service_url(const std::string& url) {
  const auto scheme = url.find("://");
  const auto path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos) return {url, ""};
  std::string prefix = url.substr(path);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return {url.substr(0, path), prefix};
}

ImageFetcher::ImageFetcher(ImageFetcherOptions options) : options_(std::move(options)) {}

Status ImageFetcher::fetch(const sdk::RequestContext& ctx, const sdk::ImageMeta& image) const {
  if (Status s = fetch_one(ctx, image.id); !s.ok()) return s;
  for (const char* key : {"kernel_id", "ramdisk_id"}) {
    const std::string id = image.property(key);
    if (id.empty()) continue;
    if (Status s = fetch_one(ctx, id); !s.ok()) return s;
  }
  return Status::OK();
}

Status ImageFetcher::fetch_one(const sdk::RequestContext& ctx, const std::string& id) const {
  if (!common::is_uuid(id)) return not_available(id, "the id is not a UUID");
  const auto final_path = options_.download_path / id;
  // Only a verified download is ever renamed to this name: present means
  // complete (image data never changes once active).
  if (std::error_code ignored; std::filesystem::exists(final_path, ignored)) {
    spdlog::debug("[{}] image {} already in {}", ctx.request_id, id, options_.download_path.string());
    return Status::OK();
  }
  const auto [base, prefix] = split_service_url(options_.image_api_url ? options_.image_api_url() : std::string());
  if (base.empty()) return not_available(id, "no image service URL ([compute] image_api_url)");
  httplib::Client client(base);
  client.set_connection_timeout(10);
  client.set_read_timeout(static_cast<time_t>(options_.timeout.count()));
  httplib::Headers headers{{"X-OpenStack-Request-Id", ctx.request_id}};
  if (options_.token) {
    if (auto token = options_.token()) headers.emplace("X-Auth-Token", *token);
  }

  auto record = client.Get(prefix + "/v2/images/" + id, headers);
  if (!record) return not_available(id, "the image service at " + base + " did not answer (" + httplib::to_string(record.error()) + ")");
  if (record->status != 200) return not_available(id, "the image service answered " + std::to_string(record->status));
  const auto meta = nlohmann::json::parse(record->body, nullptr, false);
  if (!meta.is_object()) return not_available(id, "the image service sent a malformed record");
  if (meta.value("status", "") != "active") return not_available(id, "its status is " + meta.value("status", "unknown"));
  const std::string checksum = meta["checksum"].is_string() ? meta["checksum"].get<std::string>() : "";
  if (checksum.empty()) return not_available(id, "it has no data");

  std::error_code ec;
  std::filesystem::create_directories(options_.download_path, ec);
  if (ec) return not_available(id, "cannot create " + options_.download_path.string() + ": " + ec.message());

  const auto temp = options_.download_path / ("." + id + "." + common::random_uuid() + ".part");
  struct TempFile {
    std::filesystem::path path;
    bool keep = false;
    ~TempFile() {
      std::error_code ignored;
      if (!keep) std::filesystem::remove(path, ignored);
    }
  } guard{temp};
  std::ofstream out(temp, std::ios::binary | std::ios::trunc);
  if (!out) return not_available(id, "cannot write " + temp.string());
  common::Digest md5(common::DigestAlgorithm::kMd5);
  std::int64_t received = 0;
  int status = 0;
  auto got = client.Get(
      prefix + "/v2/images/" + id + "/file", headers,
      [&status](const httplib::Response& response) {
        status = response.status;
        return response.status == 200;
      },
      [&](const char* data, std::size_t length) {
        out.write(data, static_cast<std::streamsize>(length));
        md5.update(std::string_view(data, length));
        received += static_cast<std::int64_t>(length);
        return static_cast<bool>(out);
      });
  if (status != 200 && status != 0) return not_available(id, "download answered " + std::to_string(status));
  if (!got) return not_available(id, "download failed (" + httplib::to_string(got.error()) + ")");
  out.flush();
  out.close();
  if (!out) return not_available(id, "cannot write " + temp.string());
  const std::string actual = md5.hex();
  if (actual != checksum) {
    return not_available(id, "checksum mismatch (expected " + checksum + ", got " + actual + " over " +
                                 std::to_string(received) + " bytes)");
  }
  std::filesystem::rename(temp, final_path, ec);
  if (ec) return not_available(id, "cannot move the download into " + final_path.string() + ": " + ec.message());
  guard.keep = true;
  spdlog::info("[{}] image {}: {} bytes downloaded into {}", ctx.request_id, id, received,
               options_.download_path.string());
  return Status::OK();
}

}  // namespace stratus::core::compute
