// A compute host's ImageFetcher against a real image service on loopback:
// downloads land whole and verified, kernel/ramdisk images come along, and
// an image that cannot be had leaves nothing behind.
#include <fstream>
#include <sstream>

#include "api_test_support.h"
#include "core/compute/image_fetcher.h"
#include "core/image/api/images_v2_controller.h"

namespace stratus::core::compute {
namespace {

using api::test_support::ApiTest;
using nlohmann::json;

class ImageFetcherTest : public ApiTest {
 protected:
  void SetUp() override {
    open_database();
    store_ = std::make_unique<image::ImageStore>(dir_ / "images", 1 << 20);
    api::ApiServerOptions options;
    options.max_upload_bytes = 1 << 20;
    start_server([this](api::ApiServer& s, db::Database& db) { image::add_image_service_routes(s, db, *store_); },
                 options);
  }
  void TearDown() override {
    ApiTest::TearDown();
    store_.reset();
  }
  std::string image_with(const std::string& data, const json& extra = json::object()) {
    json body = {{"name", "img"}, {"disk_format", "raw"}, {"container_format", "bare"}};
    body.update(extra);
    auto r = client_->Post("/image/v2/images", as("member"), body.dump(), "application/json");
    const std::string id = json::parse(r->body)["id"];
    if (!data.empty()) {
      EXPECT_EQ(client_->Put("/image/v2/images/" + id + "/file", as("member"), data, "application/octet-stream")->status, 204);
    }
    return id;
  }
  ImageFetcher fetcher(std::optional<std::string> token = std::string("member")) {
    ImageFetcherOptions o;
    o.image_api_url = [url = base_ + "/image"] { return url; };
    o.download_path = dir_ / "downloads";
    o.token = [token] { return token; };
    return ImageFetcher(o);
  }
  std::string read(const std::string& id) {
    std::ifstream in(dir_ / "downloads" / id, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::size_t downloads() {
    if (!std::filesystem::exists(dir_ / "downloads")) return 0;
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir_ / "downloads"), {}));
  }
  static sdk::ImageMeta meta(const std::string& id, std::map<std::string, std::string> properties = {}) {
    sdk::ImageMeta m;
    m.id = id;
    m.properties = std::move(properties);
    return m;
  }
  std::unique_ptr<image::ImageStore> store_;
};

TEST_F(ImageFetcherTest, DownloadsTheImageWithItsKernelAndRamdisk) {
  const std::string data(300000, 'q');
  const std::string kernel = image_with("kernel bytes");
  const std::string ramdisk = image_with("ramdisk bytes");
  const std::string id = image_with(data, {{"kernel_id", kernel}, {"ramdisk_id", ramdisk}});
  auto f = fetcher();
  sdk::RequestContext ctx;
  ctx.request_id = "req-test";
  ASSERT_TRUE(f.fetch(ctx, meta(id, {{"kernel_id", kernel}, {"ramdisk_id", ramdisk}})).ok());
  EXPECT_EQ(read(id), data);
  EXPECT_EQ(read(kernel), "kernel bytes");
  EXPECT_EQ(read(ramdisk), "ramdisk bytes");
  EXPECT_EQ(downloads(), 3u) << "no temporary files left";

  // Present and complete: not fetched again, even with the service gone.
  server_->stop();
  EXPECT_TRUE(f.fetch(ctx, meta(id)).ok());
}

TEST_F(ImageFetcherTest, AnImageThatCannotBeHadFailsClearlyAndLeavesNothing) {
  sdk::RequestContext ctx;
  const std::string queued = image_with("");
  auto s = fetcher().fetch(ctx, meta(queued));
  EXPECT_TRUE(s.is(sdk::StatusCode::kUnavailable));
  EXPECT_NE(s.message().find("Image " + queued + " is not available"), std::string::npos) << s;

  // Someone else's private image: the service answers 404.
  auto r = client_->Post("/image/v2/images", as("admin"), json{{"visibility", "private"}}.dump(), "application/json");
  const std::string hidden = json::parse(r->body)["id"];
  EXPECT_TRUE(fetcher().fetch(ctx, meta(hidden)).is(sdk::StatusCode::kUnavailable));
  // No token at all: 401.
  const std::string id = image_with("data");
  EXPECT_TRUE(fetcher(std::nullopt).fetch(ctx, meta(id)).is(sdk::StatusCode::kUnavailable));

  // Data changed behind the service's back: the checksum does not match.
  std::ofstream(dir_ / "images" / id, std::ios::binary | std::ios::trunc) << "DATA";
  s = fetcher().fetch(ctx, meta(id));
  EXPECT_TRUE(s.is(sdk::StatusCode::kUnavailable));
  EXPECT_NE(s.message().find("checksum mismatch"), std::string::npos) << s;
  EXPECT_EQ(downloads(), 0u);
}

}  // namespace
}  // namespace stratus::core::compute
