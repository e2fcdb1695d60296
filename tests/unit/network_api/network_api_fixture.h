// The Network API test fixture: a real ApiServer with the /network routes
// on loopback over a fresh database, three callers (admin of p-admin, alice
// of p-alice, bob of p-bob) and helpers that speak JSON.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>

#include "core/http/api_server.h"
#include "core/network/api/network_routes.h"
#include "core/db/database.h"
#include "core/db/instance_repository.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/db/seed.h"

namespace stratus::core::api {

using nlohmann::json;

// "admin" is the admin of p-admin; "alice" and "bob" are members of p-alice
// and p-bob; anything else is refused.
class ThreeUserAuthenticator final : public Authenticator {
 public:
  sdk::Result<AuthContext> authenticate(const std::optional<std::string>& token) const override {
    if (token == std::string("admin")) return AuthContext{"u-admin", "p-admin", {"admin", "member"}, true};
    if (token == std::string("alice")) return AuthContext{"u-alice", "p-alice", {"member"}, false};
    if (token == std::string("bob")) return AuthContext{"u-bob", "p-bob", {"member"}, false};
    return sdk::Status::NotFound("no");
  }
  std::string describe() const override { return "test double"; }
};

class NetworkApi : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("stratus-netapi-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto db = db::Database::open(dir_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db.value());
    // The seed without its external network "public" (security_groups_api_test
    // covers that one), so the lists here hold only what each test made.
    for (auto* seed : {&db::seed_default_flavors, &db::seed_default_network, &db::seed_default_image}) {
      ASSERT_TRUE(seed(*db_).ok());
    }
    server_ = std::make_unique<ApiServer>(std::make_shared<ThreeUserAuthenticator>());
    add_network_routes(*server_, *db_);
    auto port = server_->start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    base_ = "http://127.0.0.1:" + std::to_string(*port);
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  struct Reply {
    int status = 0;
    json body;
  };
  Reply get(const std::string& path, const std::string& token = "admin") {
    auto r = client_->Get(path, httplib::Headers{{"X-Auth-Token", token}});
    if (!r) return {};
    return {r->status, r->body.empty() ? json() : json::parse(r->body, nullptr, false)};
  }
  Reply post(const std::string& path, const json& body, const std::string& token = "admin") {
    auto r = client_->Post(path, httplib::Headers{{"X-Auth-Token", token}}, body.dump(), "application/json");
    if (!r) return {};
    return {r->status, r->body.empty() ? json() : json::parse(r->body, nullptr, false)};
  }
  Reply put(const std::string& path, const json& body, const std::string& token = "admin") {
    auto r = client_->Put(path, httplib::Headers{{"X-Auth-Token", token}}, body.dump(), "application/json");
    if (!r) return {};
    return {r->status, r->body.empty() ? json() : json::parse(r->body, nullptr, false)};
  }
  Reply del(const std::string& path, const std::string& token = "admin") {
    auto r = client_->Delete(path, httplib::Headers{{"X-Auth-Token", token}});
    if (!r) return {};
    return {r->status, r->body.empty() ? json() : json::parse(r->body, nullptr, false)};
  }
  // Creates a network with one subnet as `token`; returns {network id, subnet id}.
  std::pair<std::string, std::string> network_with_subnet(const std::string& name, const std::string& cidr,
                                                          const std::string& token) {
    auto net = post("/network/v2.0/networks", {{"network", {{"name", name}}}}, token);
    EXPECT_EQ(net.status, 201) << net.body;
    const std::string id = net.body["network"].value("id", "");
    auto sub = post("/network/v2.0/subnets",
                    {{"subnet", {{"network_id", id}, {"cidr", cidr}, {"ip_version", 4}, {"name", name + "-sub"}}}},
                    token);
    EXPECT_EQ(sub.status, 201) << sub.body;
    return {id, sub.body["subnet"].value("id", "")};
  }
  // An instance of `project` with a port on `network`; returns the instance uuid.
  std::string server_on(const std::string& network, const std::string& project, const std::string& host = "h1") {
    db::InstanceRecord r;
    r.project_id = project;
    r.user_id = "u";
    r.host = host;
    r.display_name = "vm";
    auto created = db::InstanceRepository(*db_).create({r});
    EXPECT_TRUE(created.ok()) << created.status();
    const std::string uuid = created.ok() ? created->front().uuid : "";
    auto port = db::PortRepository(*db_).create(network, uuid);
    EXPECT_TRUE(port.ok()) << port.status();
    return uuid;
  }
  static std::set<std::string> names(const json& list) {
    std::set<std::string> out;
    for (const auto& item : list) out.insert(item.value("name", ""));
    return out;
  }
  static void expect_neutron_error(const Reply& r, int status, const std::string& type, const std::string& message) {
    EXPECT_EQ(r.status, status) << r.body;
    ASSERT_TRUE(r.body.contains("NeutronError")) << r.body;
    EXPECT_EQ(r.body["NeutronError"]["type"], type) << r.body;
    EXPECT_NE(r.body["NeutronError"]["message"].get<std::string>().find(message), std::string::npos) << r.body;
    EXPECT_EQ(r.body["NeutronError"]["detail"], "");
  }

  std::filesystem::path dir_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::string base_;
};

}  // namespace stratus::core::api
