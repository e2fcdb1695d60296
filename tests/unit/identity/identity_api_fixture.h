// The fixture of the Keystone v3 API tests over real HTTP on loopback: a
// seeded database with users root (admin on project admin) and alice (member
// on project demo), the identity routes and the flavors API behind the
// keystone authenticator, and a client; root_ and alice_ are their tokens.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>

#include "core/compute/api/flavors_controller.h"
#include "core/db/seed.h"
#include "core/http/api_server.h"
#include "core/identity/api/identity_controller.h"
#include "core/identity/identity_admin.h"
#include "core/identity/keystone_authenticator.h"
#include "core/identity/token_service.h"
#include "identity_test_support.h"

namespace stratus::core::identity {

using nlohmann::json;

class IdentityAdminApiTest : public testing::IdentityDbTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db::seed_defaults(*db_).ok());
    IdentityAdmin admin(*db_);
    ASSERT_TRUE(admin.create_user("alice", "alice-pw").ok());
    ASSERT_TRUE(admin.create_user("root", "root-pw").ok());
    ASSERT_TRUE(admin.create_project("demo").ok());
    ASSERT_TRUE(admin.create_project("admin").ok());
    ASSERT_TRUE(admin.add_role("alice", "demo", "member").ok());
    ASSERT_TRUE(admin.add_role("root", "admin", "admin").ok());
    demo_id_ = admin.find_project("demo")->id;
    admin_project_id_ = admin.find_project("admin")->id;
    alice_id_ = admin.find_user("alice")->id;
    root_id_ = admin.find_user("root")->id;
    auto roles = admin.list_roles();
    ASSERT_TRUE(roles.ok());
    for (const auto& r : *roles) role_ids_[r.name] = r.id;

    tokens_ = std::make_unique<TokenService>(*db_, IdentityOptions{3600});
    server_ = std::make_unique<api::ApiServer>(make_keystone_authenticator(*tokens_));
    add_identity_routes(*server_, *tokens_, *db_);
    api::add_flavor_routes(*server_, *db_);
    auto port = server_->start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    base_ = "http://127.0.0.1:" + std::to_string(*port);
    root_ = login("root", "root-pw", "admin");
    alice_ = login("alice", "alice-pw", "demo");
    ASSERT_FALSE(root_.empty());
    ASSERT_FALSE(alice_.empty());
  }

  void TearDown() override {
    client_.reset();
    server_.reset();
    tokens_.reset();
  }

  std::string login(const std::string& user, const std::string& password, const std::string& project) {
    json body = {{"auth",
                  {{"identity",
                    {{"methods", {"password"}},
                     {"password",
                      {{"user", {{"name", user}, {"domain", {{"id", "default"}}}, {"password", password}}}}}}}}}};
    if (!project.empty()) body["auth"]["scope"] = {{"project", {{"name", project}, {"domain", {{"id", "default"}}}}}};
    auto r = client_->Post("/identity/v3/auth/tokens", body.dump(), "application/json");
    if (!r || r->status != 201) return "";
    return r->get_header_value("X-Subject-Token");
  }

  // The reply to METHOD path with `token`; `body` sent as JSON if not null.
  httplib::Result call(const std::string& method, const std::string& path, const std::string& token,
                       const json& body = nullptr) {
    httplib::Headers h;
    if (!token.empty()) h.emplace("X-Auth-Token", token);
    const std::string text = body.is_null() ? "" : body.dump();
    if (method == "GET") return client_->Get(path, h);
    if (method == "HEAD") return client_->Head(path, h);
    if (method == "DELETE") return client_->Delete(path, h);
    if (method == "POST") return client_->Post(path, h, text, "application/json");
    if (method == "PUT") return client_->Put(path, h, text, "application/json");
    return client_->Patch(path, h, text, "application/json");
  }

  static json body(const httplib::Result& r) { return json::parse(r->body); }
  static std::string message(const httplib::Result& r) { return body(r)["error"]["message"].get<std::string>(); }

  bool compute_accepts(const std::string& token) {
    return client_->Get("/v2.1/flavors", {{"X-Auth-Token", token}})->status == 200;
  }

  std::unique_ptr<TokenService> tokens_;
  std::unique_ptr<api::ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::string base_, root_, alice_;
  std::string demo_id_, admin_project_id_, alice_id_, root_id_;
  std::map<std::string, std::string> role_ids_;
};

}  // namespace stratus::core::identity
