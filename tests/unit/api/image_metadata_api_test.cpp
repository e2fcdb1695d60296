// /v2.1/images/{id}/metadata and the image list filters over HTTP against a
// real database: Nova's bodies, owner-or-admin changes, the metadata_items
// quota, 404 from 2.39 (metadata) and 2.36 (the proxy).
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>

#include "api_test_support.h"

#include "core/compute/api/images_controller.h"
#include "core/db/image_repository.h"
#include "core/db/quota_repository.h"

namespace stratus::core::api {
namespace {

using nlohmann::json;

constexpr const char* kMine = "22222222-2222-4222-8222-222222222222";
constexpr const char* kPublic = "33333333-3333-4333-8333-333333333333";

class ImageMetadataApi : public test_support::ApiTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open_database());
    db::ImageRecord mine;
    mine.id = kMine;
    mine.name = "mine";
    mine.visibility = "private";
    mine.owner = "p-member";
    mine.min_ram = 512;
    mine.properties = {{"os_distro", "cirros"}, {"instance_uuid", "srv-1"}, {"image_type", "snapshot"}};
    ASSERT_TRUE(db::ImageRepository(*db_).create(mine).ok());
    db::ImageRecord pub;
    pub.id = kPublic;
    pub.name = "shared";
    pub.owner = "p-admin";
    pub.properties = {{"k", "v"}};
    ASSERT_TRUE(db::ImageRepository(*db_).create(pub).ok());
    ASSERT_NO_FATAL_FAILURE(start_server([](ApiServer& s, db::Database& db) { add_image_routes(s, db); }));
  }

  std::map<std::string, std::string> stored(const std::string& id) { return db::ImageRepository(*db_).get(id)->properties; }
  std::string path(const std::string& id, const std::string& rest = "") { return "/v2.1/images/" + id + "/metadata" + rest; }
};

TEST_F(ImageMetadataApi, ListShowMergeReplaceDelete) {
  auto list = client_->Get(path(kMine), as("member"));
  ASSERT_EQ(list->status, 200) << list->body;
  EXPECT_EQ(body(list)["metadata"]["os_distro"], "cirros");
  auto one = client_->Get(path(kMine, "/os_distro"), as("member"));
  EXPECT_EQ(body(one), (json{{"meta", {{"os_distro", "cirros"}}}}));
  EXPECT_EQ(client_->Get(path(kMine, "/nokey"), as("member"))->status, 404);

  auto merged = client_->Post(path(kMine), as("member"), json{{"metadata", {{"a", "1"}}}}.dump(), "application/json");
  ASSERT_EQ(merged->status, 200) << merged->body;
  EXPECT_EQ(body(merged)["metadata"]["a"], "1");
  EXPECT_EQ(stored(kMine).at("os_distro"), "cirros");

  auto item = client_->Put(path(kMine, "/a"), as("member"), json{{"meta", {{"a", "2"}}}}.dump(), "application/json");
  ASSERT_EQ(item->status, 200);
  EXPECT_EQ(body(item), (json{{"meta", {{"a", "2"}}}}));
  auto mismatch = client_->Put(path(kMine, "/a"), as("member"), json{{"meta", {{"b", "2"}}}}.dump(), "application/json");
  EXPECT_EQ(mismatch->status, 400);
  EXPECT_EQ(body(mismatch)["badRequest"]["message"], "Request body and URI mismatch");
  EXPECT_EQ(client_->Put(path(kMine, "/a"), as("member"), json{{"meta", {{"a", "1"}, {"b", "2"}}}}.dump(),
                         "application/json")->status,
            400);

  auto replaced = client_->Put(path(kMine), as("member"), json{{"metadata", {{"only", "x"}}}}.dump(), "application/json");
  ASSERT_EQ(replaced->status, 200);
  EXPECT_EQ(stored(kMine), (std::map<std::string, std::string>{{"only", "x"}}));

  EXPECT_EQ(client_->Delete(path(kMine, "/only"), as("member"))->status, 204);
  EXPECT_TRUE(stored(kMine).empty());
  auto gone = client_->Delete(path(kMine, "/only"), as("member"));
  EXPECT_EQ(gone->status, 404);
  EXPECT_EQ(body(gone)["itemNotFound"]["message"], "Invalid metadata key");
}

TEST_F(ImageMetadataApi, OwnerOrAdminChangesQuotaAndVersions) {
  // A member sees the public image but may not change it.
  EXPECT_EQ(client_->Get(path(kPublic), as("member"))->status, 200);
  auto refused = client_->Post(path(kPublic), as("member"), json{{"metadata", {{"a", "1"}}}}.dump(), "application/json");
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(stored(kPublic), (std::map<std::string, std::string>{{"k", "v"}}));
  EXPECT_EQ(client_->Post(path(kPublic), as("admin"), json{{"metadata", {{"a", "1"}}}}.dump(), "application/json")->status,
            200);
  EXPECT_EQ(client_->Get(path("44444444-4444-4444-8444-444444444444"), as("member"))->status, 404);

  ASSERT_TRUE(db::QuotaRepository(*db_).set_limit("p-member", "metadata_items", 3).ok());
  auto over = client_->Post(path(kMine), as("member"), json{{"metadata", {{"a", "1"}}}}.dump(), "application/json");
  EXPECT_EQ(over->status, 403);
  EXPECT_EQ(body(over)["forbidden"]["message"], "Image metadata limit exceeded");
  EXPECT_EQ(stored(kMine).size(), 3u);

  EXPECT_EQ(client_->Get(path(kMine), as("member", "2.38"))->status, 200);
  EXPECT_EQ(client_->Get(path(kMine), as("member", "2.39"))->status, 404);
}

TEST_F(ImageMetadataApi, ListFiltersAndPaging) {
  auto ids = [&](const std::string& query, const std::string& version = "") {
    auto r = client_->Get("/v2.1/images" + query, as("member", version));
    std::set<std::string> out;
    if (!r || r->status != 200) return std::set<std::string>{"status " + std::to_string(r ? r->status : 0)};
    const json images = body(r)["images"];  // a copy: body(r) is a temporary
    for (const auto& i : images) out.insert(i["id"].get<std::string>());
    return out;
  };
  EXPECT_EQ(ids("?name=mine"), (std::set<std::string>{kMine}));
  EXPECT_EQ(ids("?server=srv-1"), (std::set<std::string>{kMine}));
  EXPECT_EQ(ids("?server=http://h/v2.1/servers/srv-1"), (std::set<std::string>{kMine}));
  EXPECT_EQ(ids("?type=snapshot"), (std::set<std::string>{kMine}));
  EXPECT_EQ(ids("?minRam=256&name=mine"), (std::set<std::string>{kMine}));
  EXPECT_EQ(ids("?minRam=1024&name=mine"), (std::set<std::string>{}));
  EXPECT_EQ(ids("?status=ACTIVE&name=shared"), (std::set<std::string>{kPublic}));
  EXPECT_EQ(ids("?status=SAVING&name=shared"), (std::set<std::string>{}));
  EXPECT_EQ(ids("?changes-since=2000-01-01T00:00:00Z&name=shared"), (std::set<std::string>{kPublic}));
  EXPECT_EQ(ids("?changes-since=2999-01-01T00:00:00Z"), (std::set<std::string>{}));
  EXPECT_EQ(ids("?property-image_type=snapshot&property-instance_uuid=srv-1"), (std::set<std::string>{kMine}));
  EXPECT_EQ(ids("?minRam=x"), (std::set<std::string>{"status 400"}));

  auto page = client_->Get("/v2.1/images/detail?limit=1", as("member"));
  ASSERT_EQ(page->status, 200);
  json first = body(page);
  ASSERT_EQ(first["images"].size(), 1u);
  ASSERT_TRUE(first.contains("images_links"));
  const std::string marker = first["images"][0]["id"];
  json second = body(client_->Get("/v2.1/images/detail?limit=1&marker=" + marker, as("member")));
  ASSERT_EQ(second["images"].size(), 1u);
  EXPECT_NE(second["images"][0]["id"], marker);
  EXPECT_EQ(client_->Get("/v2.1/images?marker=nope", as("member"))->status, 400);
  EXPECT_EQ(client_->Get("/v2.1/images?limit=-1", as("member"))->status, 400);
  EXPECT_EQ(ids("", "2.36"), (std::set<std::string>{"status 404"}));
}

}  // namespace
}  // namespace stratus::core::api
