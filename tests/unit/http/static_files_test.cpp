// StaticSite: MIME types, cache validation, CSP, the SPA's deep links, 404s
// and path traversal, directly and through the API server over HTTP.
#include "core/http/static_files.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>

#include "core/http/api_server.h"

namespace stratus::core::http {
namespace {

namespace fs = std::filesystem;

class NoAuth final : public api::Authenticator {
 public:
  sdk::Result<api::AuthContext> authenticate(const std::optional<std::string>&) const override {
    return sdk::Status::NotFound("no tokens here");  // the site must not need one
  }
  std::string describe() const override { return "refuses all"; }
};

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("stratus-static-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    root_ = base_ / "web";
    write(root_ / "index.html", "<!doctype html><title>index</title>");
    write(root_ / "js" / "app.js", "export const x = 1;\n");
    write(root_ / "css" / "site.css", "body{}\n");
    write(root_ / "img" / "logo.svg", "<svg/>");
    write(root_ / "data.bin", "\x01\x02");
    write(base_ / "secret.txt", "top secret");
    site_ = std::make_shared<StaticSite>(root_);
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path base_, root_;
  std::shared_ptr<StaticSite> site_;
};

TEST_F(StaticFilesTest, ServesFilesWithTheirMimeTypes) {
  auto js = site_->serve("/js/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body, "export const x = 1;\n");
  EXPECT_EQ(site_->serve("/css/site.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(site_->serve("/img/logo.svg").content_type, "image/svg+xml");
  EXPECT_EQ(site_->serve("/data.bin").content_type, "application/octet-stream");
  EXPECT_EQ(site_->serve("/index.html").content_type, "text/html; charset=utf-8");
  EXPECT_EQ(StaticSite::mime_type("A.PNG"), "image/png");
}

TEST_F(StaticFilesTest, EveryReplyForbidsInlineScriptAndSniffing) {
  for (const char* path : {"", "/js/app.js", "/nope.js", "/instances"}) {
    auto reply = site_->serve(path);
    const std::string csp = reply.headers["Content-Security-Policy"];
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << path;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << path;
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << path;
    EXPECT_EQ(reply.headers["X-Content-Type-Options"], "nosniff") << path;
  }
}

TEST_F(StaticFilesTest, FilesAreRevalidatedByETag) {
  auto first = site_->serve("/js/app.js");
  EXPECT_EQ(first.headers["Cache-Control"], "no-cache");
  const std::string tag = first.headers["ETag"];
  ASSERT_FALSE(tag.empty());
  auto again = site_->serve("/js/app.js", tag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(site_->serve("/js/app.js", std::string("\"other\"")).status, 200);
  // A changed file gets a new tag.
  write(root_ / "js" / "app.js", "export const x = 22;\n");
  EXPECT_NE(site_->serve("/js/app.js").headers["ETag"], tag);
}

TEST_F(StaticFilesTest, DeepLinksGetTheIndexPage) {
  for (const char* path : {"", "/", "/instances", "/instances/filter/active", "/instances/1234-abcd/"}) {
    auto reply = site_->serve(path);
    EXPECT_EQ(reply.status, 200) << path;
    EXPECT_EQ(reply.content_type, "text/html; charset=utf-8") << path;
    EXPECT_EQ(reply.body, "<!doctype html><title>index</title>") << path;
  }
}

TEST_F(StaticFilesTest, MissingFilesAre404) {
  EXPECT_EQ(site_->serve("/js/missing.js").status, 404);
  EXPECT_EQ(site_->serve("/js").status, 200);  // no extension: a deep link
  EXPECT_EQ(site_->serve("/js.d/x.css").status, 404);
  // A directory named like a file is not a file.
  fs::create_directories(root_ / "dir.js");
  EXPECT_EQ(site_->serve("/dir.js").status, 404);
}

TEST_F(StaticFilesTest, TraversalIsRefused) {
  for (const char* path : {"/../secret.txt", "/js/../../secret.txt", "/./index.html", "/..", "/js/..\\..\\secret.txt",
                           "/..%2fsecret.txt"}) {
    auto reply = site_->serve(path);
    EXPECT_EQ(reply.status, 404) << path;
    EXPECT_EQ(reply.body.find("top secret"), std::string::npos) << path;
  }
  EXPECT_EQ(site_->serve(std::string_view("/index.html\0.js", 15)).status, 404);
  // A link inside the root that points out of it is not followed.
  fs::create_symlink(base_ / "secret.txt", root_ / "leak.txt");
  EXPECT_EQ(site_->serve("/leak.txt").status, 404);
  // One that stays inside is.
  fs::create_symlink(root_ / "js" / "app.js", root_ / "alias.js");
  EXPECT_EQ(site_->serve("/alias.js").status, 200);
}

TEST_F(StaticFilesTest, FindsTheConfiguredFolderOnlyWithAnIndex) {
  EXPECT_EQ(find_dashboard_root(root_.string()), root_);
  EXPECT_EQ(find_dashboard_root((base_ / "nowhere").string()), std::nullopt);
}

TEST_F(StaticFilesTest, ServedThroughTheApiServerWithoutAToken) {
  api::ApiServer server(std::make_shared<NoAuth>());
  add_static_site_routes(server, "/dashboard", site_);
  server.route("GET", "/v2.1/servers", [](const api::ApiRequest&) -> sdk::Result<api::ApiResponse> {
    return api::ApiResponse{200, {{"servers", nlohmann::json::array()}}, {}};
  });
  auto port = server.start("127.0.0.1", 0);
  ASSERT_TRUE(port.ok()) << port.status();
  httplib::Client client("127.0.0.1", *port);

  auto index = client.Get("/dashboard/instances/filter/active");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(index->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(index->body, "<!doctype html><title>index</title>");

  auto js = client.Get("/dashboard/js/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  auto cached = client.Get("/dashboard/js/app.js", {{"If-None-Match", js->get_header_value("ETag")}});
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->status, 304);
  EXPECT_TRUE(cached->body.empty());

  for (const char* path : {"/dashboard/../secret.txt", "/dashboard/%2e%2e/secret.txt", "/dashboard/js/%2e%2e/%2e%2e/secret.txt",
                           "/dashboard/missing.js"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 404) << path;
    EXPECT_EQ(res->body.find("top secret"), std::string::npos) << path;
  }
  // Only the prefix itself and what is under it: not /dashboardx, and the APIs still need a token.
  auto other = client.Get("/dashboardx/index.html");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  auto api = client.Get("/v2.1/servers");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 401);
  server.stop();
}

}  // namespace
}  // namespace stratus::core::http
