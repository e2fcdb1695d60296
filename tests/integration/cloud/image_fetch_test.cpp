// Compute hosts with an image download path fetch image data from the image
// service before they spawn: an uploaded image lands in the directory whole;
// an image without data fails the build with "not available".
#include <fstream>
#include <sstream>

#include "cloud_fixture.h"

namespace stratus::test {
namespace {

class ImageFetchCloud : public CloudTest {
 protected:
  void tweak(core::Config& config) override {
    config.compute.image_download_path = (data_dir_ / "downloads").string();
  }
  int host_count() const override { return 1; }

  std::string upload_image(const std::string& data) {
    auto r = client_->Post("/image/v2/images",
                           json{{"name", "fetched"}, {"disk_format", "raw"}, {"container_format", "bare"},
                                {"visibility", "public"}}.dump(),
                           "application/json");
    EXPECT_TRUE(r && r->status == 201);
    if (!r || r->status != 201) return "";
    const std::string id = json::parse(r->body)["id"];
    auto up = client_->Put("/image/v2/images/" + id + "/file", data, "application/octet-stream");
    EXPECT_TRUE(up && up->status == 204);
    return id;
  }
};

TEST_F(ImageFetchCloud, TheImageIsDownloadedBeforeTheSpawn) {
  const std::string data(200000, 'd');
  const std::string image = upload_image(data);
  ASSERT_FALSE(image.empty());
  const std::string id = create_server("with-data", {{"imageRef", image}});
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(wait_for_status(id, "ACTIVE"));
  std::ifstream in(data_dir_ / "downloads" / image, std::ios::binary);
  std::stringstream got;
  got << in.rdbuf();
  EXPECT_EQ(got.str(), data);
}

TEST_F(ImageFetchCloud, AnImageWithoutDataFailsTheBuildWithAClearFault) {
  // The seeded cirros record is active but has no data in this cloud.
  const std::string id = create_server("no-data");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(wait_for_status(id, "ERROR"));
  auto s = show(id);
  ASSERT_TRUE(s.contains("fault")) << s.dump();
  EXPECT_NE(s["fault"].value("message", "").find("is not available"), std::string::npos) << s.dump();
}

}  // namespace
}  // namespace stratus::test
