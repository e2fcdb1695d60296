// The image service's routes over real HTTP on loopback: create, upload,
// download, list, patch, delete, and what happens to bad, oversized or
// broken-off requests.
#include <set>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "api_test_support.h"
#include "core/common/digest.h"
#include "core/db/image_repository.h"
#include "core/image/api/images_v2_controller.h"

namespace stratus::core::image {
namespace {

using api::test_support::ApiTest;
using nlohmann::json;

constexpr const char* kPatchType = "application/openstack-images-v2.1-json-patch";
constexpr std::uint64_t kLimit = 64 * 1024;

class ImageServiceApi : public ApiTest {
 protected:
  void SetUp() override {
    open_database();
    store_ = std::make_unique<ImageStore>(dir_ / "images", kLimit);
    api::ApiServerOptions options;
    options.max_upload_bytes = kLimit;
    start_server([this](api::ApiServer& s, db::Database& db) { add_image_service_routes(s, db, *store_); }, options);
  }
  void TearDown() override {
    ApiTest::TearDown();
    store_.reset();
  }

  json create(const std::string& token, const json& body, int expect = 201) {
    auto r = client_->Post("/image/v2/images", as(token), body.dump(), "application/json");
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, expect) << r->body;
    return json::parse(r->body);
  }
  httplib::Result upload(const std::string& token, const std::string& id, const std::string& data) {
    return client_->Put("/image/v2/images/" + id + "/file", as(token), data, "application/octet-stream");
  }
  json show(const std::string& token, const std::string& id) {
    auto r = client_->Get("/image/v2/images/" + id, as(token));
    EXPECT_TRUE(r && r->status == 200);
    return r ? json::parse(r->body) : json();
  }
  httplib::Result patch(const std::string& token, const std::string& id, const json& ops) {
    return client_->Patch("/image/v2/images/" + id, as(token), ops.dump(), kPatchType);
  }
  int port() const { return std::stoi(base_.substr(base_.rfind(':') + 1)); }
  std::string status_of(const std::string& id) { return db::ImageRepository(*db_).get(id)->status; }
  bool has_file(const std::string& id) {
    return std::filesystem::exists(dir_ / "images" / id) || std::filesystem::exists(dir_ / "images" / (id + ".partial"));
  }

  std::unique_ptr<ImageStore> store_;
};

TEST_F(ImageServiceApi, VersionsDocumentIsPublic) {
  auto r = client_->Get("/image");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 300);
  auto doc = body(r);
  ASSERT_FALSE(doc["versions"].empty());
  EXPECT_EQ(doc["versions"][0]["status"], "CURRENT");
  EXPECT_EQ(doc["versions"][0]["links"][0]["href"], base_ + "/image/v2/");
  EXPECT_EQ(client_->Get("/image/v2/images")->status, 401);
}

TEST_F(ImageServiceApi, CreateUploadDownloadRoundTrip) {
  auto img = create("member", {{"name", "round trip"},
                               {"disk_format", "raw"},
                               {"container_format", "bare"},
                               {"tags", {"b", "a", "b"}},
                               {"min_ram", 64},
                               {"os_distro", "cirros"},
                               {"kernel_id", "0b8a4f2e-5a36-4a0e-9d2c-7f1f6b0e9a11"}});
  const std::string id = img["id"];
  EXPECT_EQ(img["status"], "queued");
  EXPECT_EQ(img["visibility"], "shared");
  EXPECT_EQ(img["owner"], "p-member");
  EXPECT_EQ(img["tags"], json({"a", "b"}));
  EXPECT_TRUE(img["size"].is_null());
  EXPECT_TRUE(img["checksum"].is_null());
  EXPECT_TRUE(img["virtual_size"].is_null());
  EXPECT_EQ(img["os_distro"], "cirros");
  EXPECT_EQ(img["self"], "/v2/images/" + id);
  EXPECT_EQ(img["file"], "/v2/images/" + id + "/file");

  // No data yet: Glance answers 204.
  EXPECT_EQ(client_->Get("/image/v2/images/" + id + "/file", as("member"))->status, 204);

  std::string data;
  for (int i = 0; i < 40000; ++i) data.push_back(static_cast<char>(i * 7 % 256));
  auto up = upload("member", id, data);
  ASSERT_TRUE(up);
  EXPECT_EQ(up->status, 204) << up->body;

  auto shown = show("member", id);
  EXPECT_EQ(shown["status"], "active");
  EXPECT_EQ(shown["size"], data.size());
  EXPECT_EQ(shown["checksum"], common::md5_hex(data));
  EXPECT_EQ(shown["os_hash_algo"], "sha512");
  EXPECT_EQ(shown["os_hash_value"], common::sha512_hex(data));

  auto down = client_->Get("/image/v2/images/" + id + "/file", as("member"));
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 200);
  EXPECT_EQ(down->get_header_value("Content-Type"), "application/octet-stream");
  EXPECT_EQ(down->get_header_value("Content-MD5"), common::md5_hex(data));
  EXPECT_EQ(down->body, data);

  // A second upload to an active image conflicts and changes nothing.
  auto again = upload("member", id, "other");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(show("member", id)["checksum"], common::md5_hex(data));
}

TEST_F(ImageServiceApi, BadBodiesAreRefusedAndCreateNothing) {
  const auto before = db::ImageRepository(*db_).list()->size();
  create("member", {{"disk_format", "floppy"}}, 400);
  create("member", {{"min_ram", -1}}, 400);
  create("member", {{"protected", "yes"}}, 400);
  create("member", {{"hw_disk_bus", 3}}, 400);
  create("member", {{"id", "../../etc/passwd"}}, 400);
  auto ro = create("member", {{"status", "active"}}, 403);
  EXPECT_EQ(ro["code"], 403);
  EXPECT_EQ(ro["title"], "Forbidden");
  EXPECT_NE(ro["message"].get<std::string>().find("status"), std::string::npos);
  create("member", {{"visibility", "public"}}, 403);  // publicize_image
  EXPECT_EQ(db::ImageRepository(*db_).list()->size(), before);
  create("admin", {{"visibility", "public"}, {"name", "pub"}});
}

TEST_F(ImageServiceApi, BadIdsAre404AndNeverBecomePaths) {
  for (const char* path : {"/image/v2/images/not-a-uuid", "/image/v2/images/..%2F..%2Fetc%2Fpasswd",
                           "/image/v2/images/..%2F..%2Fetc%2Fpasswd/file"}) {
    auto r = client_->Get(path, as("admin"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path;
  }
  auto r = upload("admin", "..%2F..%2Fstratus.db", "x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "stratus.db"));
}

TEST_F(ImageServiceApi, OthersPrivateImagesAreNotFound) {
  const std::string id = create("admin", {{"name", "secret"}, {"visibility", "private"}})["id"];
  EXPECT_EQ(client_->Get("/image/v2/images/" + id, as("member"))->status, 404);
  EXPECT_EQ(client_->Get("/image/v2/images/" + id + "/file", as("member"))->status, 404);
  EXPECT_EQ(client_->Delete("/image/v2/images/" + id, as("member"))->status, 404);
  EXPECT_EQ(upload("member", id, "x")->status, 404);
  EXPECT_EQ(patch("member", id, json::array({{{"op", "replace"}, {"path", "/name"}, {"value", "x"}}}))->status, 404);
  auto list = body(client_->Get("/image/v2/images", as("member")));
  for (const auto& i : list["images"]) EXPECT_NE(i["id"], id);

  // A public image is seen but not changed by a member.
  const std::string pub = create("admin", {{"name", "pub"}, {"visibility", "public"}})["id"];
  EXPECT_EQ(show("member", pub)["name"], "pub");
  EXPECT_EQ(client_->Delete("/image/v2/images/" + pub, as("member"))->status, 403);
  EXPECT_EQ(upload("member", pub, "x")->status, 403);
  EXPECT_EQ(status_of(pub), "queued");
}

TEST_F(ImageServiceApi, ListFiltersAndPages) {
  for (int i = 0; i < 5; ++i) create("member", {{"name", "page-" + std::to_string(i)}, {"visibility", "private"}});
  create("member", {{"name", "community-one"}, {"visibility", "community"}});
  auto all = body(client_->Get("/image/v2/images?sort_key=name&sort_dir=asc&limit=100", as("member")));
  std::vector<std::string> names;
  for (const auto& i : all["images"]) names.push_back(i["name"]);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_FALSE(all.contains("next"));

  auto by_name = body(client_->Get("/image/v2/images?name=page-3", as("member")));
  ASSERT_EQ(by_name["images"].size(), 1u);
  EXPECT_EQ(by_name["images"][0]["name"], "page-3");
  EXPECT_EQ(body(client_->Get("/image/v2/images?visibility=community", as("member")))["images"].size(), 1u);
  EXPECT_EQ(body(client_->Get("/image/v2/images?status=queued&visibility=private", as("member")))["images"].size(), 5u);
  EXPECT_EQ(body(client_->Get("/image/v2/images?owner=nobody", as("member")))["images"].size(), 0u);
  EXPECT_EQ(client_->Get("/image/v2/images?visibility=secret", as("member"))->status, 400);
  EXPECT_EQ(client_->Get("/image/v2/images?limit=-1", as("member"))->status, 400);
  EXPECT_EQ(client_->Get("/image/v2/images?sort_key=password", as("member"))->status, 400);

  // Pages of two over the private ones, following next links to the end.
  std::vector<std::string> paged;
  std::string next = "/v2/images?visibility=private&sort_key=name&sort_dir=asc&limit=2";
  for (int pages = 0; pages < 10 && !next.empty(); ++pages) {
    auto page = body(client_->Get("/image" + next, as("member")));
    for (const auto& i : page["images"]) paged.push_back(i["name"]);
    next = page.value("next", "");
  }
  EXPECT_EQ(paged, (std::vector<std::string>{"page-0", "page-1", "page-2", "page-3", "page-4"}));
  EXPECT_EQ(client_->Get("/image/v2/images?marker=0b8a4f2e-5a36-4a0e-9d2c-7f1f6b0e9a11", as("member"))->status, 400);
}

// Glance's property filters (Nova's backup rotation lists an instance's
// backups this way): every other query parameter must equal the property;
// an image without it does not match; formats filter too.
TEST_F(ImageServiceApi, ListFiltersOnPropertiesAndFormats) {
  create("member", {{"name", "d1"}, {"image_type", "backup"}, {"backup_type", "daily"}, {"disk_format", "raw"}});
  create("member", {{"name", "w1"}, {"image_type", "backup"}, {"backup_type", "weekly"}, {"disk_format", "qcow2"}});
  create("member", {{"name", "s1"}, {"image_type", "snapshot"}, {"disk_format", "raw"}});
  create("member", {{"name", "plain"}, {"disk_format", "raw"}});
  const auto names = [&](const std::string& query) {
    std::set<std::string> out;
    const json listed = body(client_->Get("/image/v2/images?" + query, as("member")));
    for (const auto& i : listed["images"]) {
      out.insert(i["name"].get<std::string>());
    }
    return out;
  };
  EXPECT_EQ(names("image_type=backup"), (std::set<std::string>{"d1", "w1"}));
  EXPECT_EQ(names("image_type=backup&backup_type=daily&sort_key=created_at&sort_dir=desc"),
            std::set<std::string>{"d1"});
  EXPECT_EQ(names("backup_type=monthly"), std::set<std::string>{});
  EXPECT_EQ(names("image_type=backup&disk_format=qcow2"), std::set<std::string>{"w1"});
  EXPECT_EQ(names("image_type=snapshot&disk_format=raw"), std::set<std::string>{"s1"});
  // Reserved names are not property filters (the seeded image is listed too).
  const auto all = names("limit=100&tag=x");
  for (const char* n : {"d1", "w1", "s1", "plain"}) EXPECT_EQ(all.count(n), 1u) << n;
}

TEST_F(ImageServiceApi, PatchAddsReplacesAndRemoves) {
  const std::string id = create("member", {{"name", "before"}, {"hw_rng_model", "virtio"}})["id"];
  auto r = patch("member", id,
                 json::array({{{"op", "replace"}, {"path", "/name"}, {"value", "after"}},
                              {{"op", "add"}, {"path", "/os_distro"}, {"value", "debian"}},
                              {{"op", "remove"}, {"path", "/hw_rng_model"}},
                              {{"op", "replace"}, {"path", "/min_disk"}, {"value", 2}},
                              {{"op", "add"}, {"path", "/tags"}, {"value", {"x"}}},
                              {{"op", "replace"}, {"path", "/visibility"}, {"value", "private"}}}));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto img = body(r);
  EXPECT_EQ(img["name"], "after");
  EXPECT_EQ(img["os_distro"], "debian");
  EXPECT_FALSE(img.contains("hw_rng_model"));
  EXPECT_EQ(img["min_disk"], 2);
  EXPECT_EQ(img["tags"], json({"x"}));
  EXPECT_EQ(img["visibility"], "private");

  // Each bad patch is refused whole: the first op would apply, the second fails.
  auto bad = [&](const json& op, int status) {
    auto res = patch("member", id, json::array({{{"op", "replace"}, {"path", "/name"}, {"value", "changed"}}, op}));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, status) << op.dump() << " " << res->body;
    EXPECT_EQ(show("member", id)["name"], "after");
  };
  bad({{"op", "replace"}, {"path", "/status"}, {"value", "active"}}, 403);
  bad({{"op", "replace"}, {"path", "/nope"}, {"value", "x"}}, 409);
  bad({{"op", "remove"}, {"path", "/nope"}}, 409);
  bad({{"op", "replace"}, {"path", "/min_ram"}, {"value", "lots"}}, 400);
  bad({{"op", "move"}, {"path", "/name"}}, 400);
  bad({{"op", "replace"}, {"path", "/visibility"}, {"value", "public"}}, 403);
  // One tag at a time, as `openstack image set --tag` does.
  EXPECT_EQ(client_->Put("/image/v2/images/" + id + "/tags/blue", as("member"), "", "application/json")->status, 204);
  EXPECT_EQ(show("member", id)["tags"], json({"blue", "x"}));
  EXPECT_EQ(client_->Delete("/image/v2/images/" + id + "/tags/x", as("member"))->status, 204);
  EXPECT_EQ(client_->Delete("/image/v2/images/" + id + "/tags/x", as("member"))->status, 404);
  EXPECT_EQ(show("member", id)["tags"], json({"blue"}));
  EXPECT_EQ(client_->Put("/image/v2/images/" + id + "/tags/red", as("admin"), "", "application/json")->status, 204);
  auto wrong_type = client_->Patch("/image/v2/images/" + id, as("member"), "[]", "application/json");
  EXPECT_EQ(wrong_type->status, 415);
}

TEST_F(ImageServiceApi, DeleteRemovesDataAndProtectedImagesStay) {
  const std::string id = create("member", {{"name", "gone"}, {"protected", true}})["id"];
  ASSERT_EQ(upload("member", id, "some data")->status, 204);
  EXPECT_TRUE(has_file(id));
  EXPECT_EQ(client_->Delete("/image/v2/images/" + id, as("member"))->status, 403);
  EXPECT_TRUE(has_file(id));
  ASSERT_EQ(patch("member", id, json::array({{{"op", "replace"}, {"path", "/protected"}, {"value", false}}}))->status, 200);
  EXPECT_EQ(client_->Delete("/image/v2/images/" + id, as("member"))->status, 204);
  EXPECT_FALSE(has_file(id));
  EXPECT_EQ(client_->Get("/image/v2/images/" + id, as("member"))->status, 404);
}

TEST_F(ImageServiceApi, OversizedUploadIs413AndTheImageStaysQueued) {
  const std::string id = create("member", {{"name", "big"}})["id"];
  auto r = upload("member", id, std::string(kLimit + 1, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(status_of(id), "queued");
  EXPECT_FALSE(has_file(id));

  // Without a Content-Length (chunked), the limit is found while streaming.
  httplib::Client chunked("127.0.0.1", port());
  std::size_t sent = 0;
  auto c = chunked.Put(
      "/image/v2/images/" + id + "/file", as("member"),
      [&sent](std::size_t, httplib::DataSink& sink) {
        if (sent > 2 * kLimit) {
          sink.done();
          return true;
        }
        std::string block(8192, 'y');
        sent += block.size();
        return sink.write(block.data(), block.size());
      },
      "application/octet-stream");
  // The server answers before the body ends and then closes lingering: the
  // client, still sending, reads the 413 (no broken pipe).
  ASSERT_TRUE(c) << httplib::to_string(c.error());
  EXPECT_EQ(c->status, 413);
  EXPECT_EQ(status_of(id), "queued");
  EXPECT_FALSE(has_file(id));

  // The image still takes a proper upload afterwards.
  EXPECT_EQ(upload("member", id, "fits")->status, 204);
  EXPECT_EQ(status_of(id), "active");
}

TEST_F(ImageServiceApi, TruncatedUploadLeavesTheImageQueuedWithoutData) {
  const std::string id = create("member", {{"name", "cut"}})["id"];
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string request = "PUT /image/v2/images/" + id +
                              "/file HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: member\r\n"
                              "Content-Type: application/octet-stream\r\nContent-Length: 10000\r\n\r\n" +
                              std::string(4000, 'z');
  ASSERT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  // End the body early, then read until the server answers and closes: its
  // handler has finished (and put the image back) before it replies. Reading
  // the status right after close() raced the server, which may not have begun.
  ::shutdown(fd, SHUT_WR);
  timeval wait{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  char reply[512];
  for (int i = 0; i < 100 && ::read(fd, reply, sizeof reply) > 0; ++i) {
  }
  ::close(fd);

  // The server notices the close while reading; wait (bounded) for the image
  // to be back in queued.
  for (int i = 0; i < 500 && status_of(id) != "queued"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (int i = 0; i < 500 && has_file(id); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(status_of(id), "queued");
  EXPECT_FALSE(has_file(id));
  EXPECT_EQ(client_->Get("/image/v2/images/" + id + "/file", as("member"))->status, 204);
  EXPECT_EQ(upload("member", id, "whole")->status, 204);
}

TEST_F(ImageServiceApi, UploadNeedsOctetStream) {
  const std::string id = create("member", {{"name", "typed"}})["id"];
  auto r = client_->Put("/image/v2/images/" + id + "/file", as("member"), "data", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(status_of(id), "queued");
}

}  // namespace
}  // namespace stratus::core::image
