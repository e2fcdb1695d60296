#include "core/compute/image_uploader.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <tuple>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace stratus::core::compute {

namespace {

using sdk::Status;

// Bounds of a listing: the page asked for, and how many pages are followed.
constexpr int kListPageSize = 1000;
constexpr int kMaxListPages = 100;

struct Connection {
  std::string base;
  std::string prefix;
  httplib::Headers headers;
};

Connection connect_to(const ImageFetcherOptions& o, const sdk::RequestContext& ctx) {
  Connection c;
  std::tie(c.base, c.prefix) = split_service_url(o.image_api_url ? o.image_api_url() : std::string());
  c.headers.emplace("X-OpenStack-Request-Id", ctx.request_id);
  if (o.token) {
    if (auto token = o.token()) c.headers.emplace("X-Auth-Token", *token);
  }
  return c;
}

std::unique_ptr<httplib::Client> client_for(const Connection& c, const ImageFetcherOptions& o) {
  auto client = std::make_unique<httplib::Client>(c.base);
  client->set_connection_timeout(10);
  client->set_read_timeout(static_cast<time_t>(o.timeout.count()));
  client->set_write_timeout(static_cast<time_t>(o.timeout.count()));
  return client;
}

}  // namespace

ImageUploader::ImageUploader(ImageFetcherOptions options) : options_(std::move(options)) {}

Status ImageUploader::upload(const sdk::RequestContext& ctx, const std::string& image_id,
                             const std::filesystem::path& file) const {
  const auto failed = [&](const std::string& why) {
    return Status::Unavailable("Image " + image_id + " could not be uploaded: " + why);
  };
  const Connection c = connect_to(options_, ctx);
  if (c.base.empty()) return failed("no image service URL ([compute] image_api_url)");
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return failed("cannot read " + file.string() + ": " + ec.message());
  auto in = std::make_shared<std::ifstream>(file, std::ios::binary);
  if (!*in) return failed("cannot open " + file.string());
  auto client = client_for(c, options_);
  auto res = client->Put(
      c.prefix + "/v2/images/" + image_id + "/file", c.headers, static_cast<std::size_t>(size),
      [in](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        (void)offset;  // the stream is read in order
        std::vector<char> buf(std::min<std::size_t>(length, 64 * 1024));
        in->read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto got = in->gcount();
        if (got <= 0) return false;
        return sink.write(buf.data(), static_cast<std::size_t>(got));
      },
      "application/octet-stream");
  if (!res) return failed("the image service at " + c.base + " did not answer (" + httplib::to_string(res.error()) + ")");
  if (res->status != 204 && res->status != 200) {
    return failed("the image service answered " + std::to_string(res->status) + ": " + res->body.substr(0, 200));
  }
  spdlog::info("[{}] image {}: {} bytes uploaded from {}", ctx.request_id, image_id, size, file.string());
  return Status::OK();
}

Status ImageUploader::remove(const sdk::RequestContext& ctx, const std::string& image_id) const {
  const Connection c = connect_to(options_, ctx);
  if (c.base.empty()) return Status::Unavailable("Image " + image_id + " could not be deleted: no image service URL");
  auto client = client_for(c, options_);
  auto res = client->Delete(c.prefix + "/v2/images/" + image_id, c.headers);
  if (!res) {
    return Status::Unavailable("Image " + image_id + " could not be deleted: the image service did not answer (" +
                               httplib::to_string(res.error()) + ")");
  }
  if (res->status == 204 || res->status == 200 || res->status == 404) {
    spdlog::info("[{}] image {} deleted", ctx.request_id, image_id);
    return Status::OK();
  }
  return Status::Unavailable("Image " + image_id + " could not be deleted: the image service answered " +
                             std::to_string(res->status));
}

sdk::Result<std::vector<std::string>> ImageUploader::list_ids(
    const sdk::RequestContext& ctx, const std::map<std::string, std::string>& properties) const {
  const auto failed = [](const std::string& why) { return Status::Unavailable("Images could not be listed: " + why); };
  const Connection c = connect_to(options_, ctx);
  if (c.base.empty()) return failed("no image service URL ([compute] image_api_url)");
  auto client = client_for(c, options_);
  std::vector<std::string> ids;
  std::string marker;
  for (int page = 0; page < kMaxListPages; ++page) {
    httplib::Params params(properties.begin(), properties.end());
    params.emplace("sort_key", "created_at");
    params.emplace("sort_dir", "desc");
    params.emplace("limit", std::to_string(kListPageSize));
    if (!marker.empty()) params.emplace("marker", marker);
    auto res = client->Get(c.prefix + "/v2/images", params, c.headers);
    if (!res) return failed("the image service at " + c.base + " did not answer (" + httplib::to_string(res.error()) + ")");
    if (res->status != 200) {
      return failed("the image service answered " + std::to_string(res->status) + ": " + res->body.substr(0, 200));
    }
    const auto body = nlohmann::json::parse(res->body, nullptr, false);
    if (!body.is_object() || !body.contains("images") || !body["images"].is_array()) {
      return failed("the image service's answer has no image list");
    }
    for (const auto& image : body["images"]) {
      if (!image.is_object() || !image.contains("id") || !image["id"].is_string()) {
        return failed("the image service listed an image without an id");
      }
      ids.push_back(image["id"].get<std::string>());
    }
    if (!body.contains("next") || body["images"].empty()) return ids;
    marker = ids.back();
  }
  return failed("more than " + std::to_string(kMaxListPages * kListPageSize) + " images match");
}

}  // namespace stratus::core::compute
