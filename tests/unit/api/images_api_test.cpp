// Nova's image proxy (/v2.1/images) over real HTTP on loopback against a real
// database: Nova's shapes at 2.1, visibility per project, 404s in Nova's
// words, delete by the owner or an admin only.
#include <unistd.h>

#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "api_test_support.h"
#include <httplib.h>

#include "core/http/api_server.h"
#include "core/compute/api/images_controller.h"
#include "core/db/database.h"
#include "core/db/image_repository.h"
#include "core/db/seed.h"

namespace stratus::core::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ImagesApi : public test_support::ApiTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open_database());
    // A private image of another project and one of the member's project.
    db::ImageRecord other;
    other.id = "11111111-1111-4111-8111-111111111111";
    other.name = "secret";
    other.visibility = "private";
    other.owner = "p-other";
    ASSERT_TRUE(db::ImageRepository(*db_).create(other).ok());
    db::ImageRecord mine;
    mine.id = "22222222-2222-4222-8222-222222222222";
    mine.name = "mine";
    mine.visibility = "private";
    mine.owner = "p-member";
    mine.status = "saving";
    mine.properties = {{"os_distro", "cirros"}};
    ASSERT_TRUE(db::ImageRepository(*db_).create(mine).ok());

    ASSERT_NO_FATAL_FAILURE(start_server([this](ApiServer& s, db::Database& db) {
      add_image_routes(s, db, [this](const std::string& id) {
        data_removed_.push_back(id);
        return sdk::Status::OK();
      });
    }));
  }
  static std::set<std::string> names(const json& images) {
    std::set<std::string> out;
    for (const auto& i : images) out.insert(i["name"].get<std::string>());
    return out;
  }
  size_t image_count() { return db::ImageRepository(*db_).list()->size(); }
  std::vector<std::string> data_removed_;

};

TEST_F(ImagesApi, ListAndDetailHaveNovasShapes) {
  auto list = client_->Get("/v2.1/images", as("member"));
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  json images = body(list)["images"];
  EXPECT_EQ(names(images), (std::set<std::string>{"cirros-0.6.2-x86_64-disk", "mine"}));
  EXPECT_EQ(keys(images[0]), (std::set<std::string>{"id", "links", "name"}));
  EXPECT_EQ(images[0]["links"].size(), 2u);

  auto detail = client_->Get("/v2.1/images/detail", as("member"));
  ASSERT_TRUE(detail);
  ASSERT_EQ(detail->status, 200);
  // Held in a variable: a range-for over body(detail)["images"] would iterate
  // a member of a temporary that is already destroyed.
  const json detail_images = body(detail)["images"];
  for (const auto& image : detail_images) {
    EXPECT_EQ(keys(image), (std::set<std::string>{"OS-EXT-IMG-SIZE:size", "created", "id", "links", "metadata",
                                                  "minDisk", "minRam", "name", "progress", "status", "updated"}));
    ASSERT_EQ(image["links"].size(), 3u);
    EXPECT_EQ(image["links"][0]["href"], base_ + "/v2.1/images/" + image["id"].get<std::string>());
    EXPECT_EQ(image["links"][2]["rel"], "alternate");
    EXPECT_EQ(image["links"][2]["type"], "application/vnd.openstack.image");
    EXPECT_EQ(image["created"].get<std::string>().back(), 'Z');
    if (image["name"] == "mine") {
      EXPECT_EQ(image["status"], "SAVING");
      EXPECT_EQ(image["progress"], 50);
      EXPECT_EQ(image["metadata"], (json{{"os_distro", "cirros"}}));
    } else {
      EXPECT_EQ(image["status"], "ACTIVE");
      EXPECT_EQ(image["progress"], 100);
    }
  }
  // The admin sees every project's images.
  EXPECT_EQ(body(client_->Get("/v2.1/images", as("admin")))["images"].size(), 3u);
}

TEST_F(ImagesApi, ShowAndNotFound) {
  auto show = client_->Get(std::string("/v2.1/images/") + db::kDefaultImageUuid, as("member"));
  ASSERT_TRUE(show);
  ASSERT_EQ(show->status, 200);
  EXPECT_EQ(body(show)["image"]["id"], db::kDefaultImageUuid);
  EXPECT_EQ(body(show)["image"]["status"], "ACTIVE");

  for (const char* id : {"nope", "11111111-1111-4111-8111-111111111111"}) {  // missing; another project's
    auto r = client_->Get(std::string("/v2.1/images/") + id, as("member"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(body(r)["itemNotFound"]["message"], "Image not found.");
  }
  EXPECT_EQ(client_->Get("/v2.1/images/11111111-1111-4111-8111-111111111111", as("admin"))->status, 200);
}

TEST_F(ImagesApi, DeleteByOwnerOrAdminOnly) {
  // Public but not the member's: forbidden; another project's private: not found.
  auto public_image = client_->Delete(std::string("/v2.1/images/") + db::kDefaultImageUuid, as("member"));
  ASSERT_TRUE(public_image);
  EXPECT_EQ(public_image->status, 403);
  EXPECT_EQ(client_->Delete("/v2.1/images/11111111-1111-4111-8111-111111111111", as("member"))->status, 404);
  EXPECT_EQ(image_count(), 3u);

  auto own = client_->Delete("/v2.1/images/22222222-2222-4222-8222-222222222222", as("member"));
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 204);
  EXPECT_TRUE(own->body.empty());
  EXPECT_EQ(client_->Delete("/v2.1/images/11111111-1111-4111-8111-111111111111", as("admin"))->status, 204);
  EXPECT_EQ(image_count(), 1u);
  EXPECT_EQ(client_->Get("/v2.1/images/22222222-2222-4222-8222-222222222222", as("member"))->status, 404);
  // The image service's data went with the records.
  EXPECT_EQ(data_removed_, (std::vector<std::string>{"22222222-2222-4222-8222-222222222222",
                                                     "11111111-1111-4111-8111-111111111111"}));
}

TEST_F(ImagesApi, ProtectedImagesAreNotDeleted) {
  auto mine = *db::ImageRepository(*db_).get("22222222-2222-4222-8222-222222222222");
  mine.is_protected = true;
  ASSERT_TRUE(db::ImageRepository(*db_).update(mine).ok());
  auto r = client_->Delete("/v2.1/images/22222222-2222-4222-8222-222222222222", as("admin"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("protected"), std::string::npos);
  EXPECT_EQ(image_count(), 3u);
  EXPECT_TRUE(data_removed_.empty());
}

}  // namespace
}  // namespace stratus::core::api
