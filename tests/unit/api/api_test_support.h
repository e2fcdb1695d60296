// Shared set-up for the API tests: a seeded database in a temporary
// directory, an ApiServer on 127.0.0.1 (port 0) serving the routes a test
// registers, a two-user authenticator double, and an HTTP client.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>

#include "core/http/api_server.h"
#include "core/db/database.h"
#include "core/db/seed.h"

namespace stratus::core::api::test_support {

// A test double: the token "admin" is the admin of project p-admin, "member"
// a non-admin of p-member, "reader" a reader of p-member; anything else is
// refused.
class TwoUserAuthenticator final : public Authenticator {
 public:
  sdk::Result<AuthContext> authenticate(const std::optional<std::string>& token) const override {
    if (token == std::string("admin")) return AuthContext{"u-admin", "p-admin", {"admin"}, true};
    if (token == std::string("member")) return AuthContext{"u-member", "p-member", {"member"}, false};
    if (token == std::string("reader")) return AuthContext{"u-reader", "p-member", {"reader"}, false};
    return sdk::Status::NotFound("no");
  }
  std::string describe() const override { return "test double"; }
};

class ApiTest : public ::testing::Test {
 protected:
  // Opens and seeds a database in a fresh temporary directory.
  void open_database() {
    dir_ = std::filesystem::temp_directory_path() /
           ("stratus-api-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto db = db::Database::open(dir_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db.value());
    ASSERT_TRUE(db::seed_defaults(*db_).ok());
  }

  // Starts a server with the routes `add_routes` registers, and a client to it.
  void start_server(const std::function<void(ApiServer&, db::Database&)>& add_routes, ApiServerOptions options = {}) {
    server_ = std::make_unique<ApiServer>(std::make_shared<TwoUserAuthenticator>(), options);
    add_routes(*server_, *db_);
    auto port = server_->start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    base_ = "http://127.0.0.1:" + std::to_string(*port);
  }

  void TearDown() override {
    client_.reset();
    server_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static httplib::Headers as(const std::string& token, const std::string& version = "") {
    httplib::Headers h{{"X-Auth-Token", token}};
    if (!version.empty()) h.emplace("OpenStack-API-Version", "compute " + version);
    return h;
  }
  static nlohmann::json body(const httplib::Result& r) { return nlohmann::json::parse(r->body); }
  static std::set<std::string> keys(const nlohmann::json& j) {
    std::set<std::string> out;
    for (const auto& [k, v] : j.items()) out.insert(k);
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::string base_;
};

}  // namespace stratus::core::api::test_support
