// The /identity routes over real HTTP on loopback (httplib client against an
// ApiServer on port 0) with the "keystone" authenticator in front of a
// compute route: what keystoneauth and openstackclient see.
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "core/http/api_server.h"
#include "core/compute/api/flavors_controller.h"
#include "core/db/seed.h"
#include "core/identity/identity_admin.h"
#include "core/identity/api/identity_controller.h"
#include "core/identity/keystone_authenticator.h"
#include "core/identity/token_service.h"
#include "identity_test_support.h"

namespace stratus::core::identity {
namespace {

using nlohmann::json;

json password_auth(const std::string& user, const std::string& password, const json& scope = nullptr) {
  json body = {{"auth",
                {{"identity",
                  {{"methods", {"password"}},
                   {"password", {{"user", {{"name", user}, {"domain", {{"name", "Default"}}}, {"password", password}}}}}}}}}};
  if (!scope.is_null()) body["auth"]["scope"] = scope;
  return body;
}

json project_by_name(const std::string& name) {
  return {{"project", {{"name", name}, {"domain", {{"id", "default"}}}}}};
}

class IdentityApiTest : public testing::IdentityDbTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db::seed_defaults(*db_).ok());
    IdentityAdmin admin(*db_);
    ASSERT_TRUE(admin.create_user("alice", "alice-pw").ok());
    ASSERT_TRUE(admin.create_user("bob", "bob-pw").ok());
    ASSERT_TRUE(admin.create_user("root", "root-pw").ok());
    ASSERT_TRUE(admin.create_project("demo").ok());
    ASSERT_TRUE(admin.create_project("other").ok());
    ASSERT_TRUE(admin.create_project("admin").ok());
    ASSERT_TRUE(admin.add_role("alice", "demo", "member").ok());
    ASSERT_TRUE(admin.add_role("alice", "other", "reader").ok());
    ASSERT_TRUE(admin.add_role("bob", "other", "member").ok());
    ASSERT_TRUE(admin.add_role("root", "admin", "admin").ok());
    demo_id_ = admin.find_project("demo")->id;
    other_id_ = admin.find_project("other")->id;
    alice_id_ = admin.find_user("alice")->id;
    bob_id_ = admin.find_user("bob")->id;
  }

  void start(std::int64_t token_expiration = 3600, std::string public_url = "") {
    tokens_ = std::make_unique<TokenService>(*db_, IdentityOptions{token_expiration});
    server_ = std::make_unique<api::ApiServer>(make_keystone_authenticator(*tokens_));
    add_identity_routes(*server_, *tokens_, *db_, IdentityRoutesOptions{std::move(public_url)});
    api::add_flavor_routes(*server_, *db_);
    auto port = server_->start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    base_ = "http://127.0.0.1:" + std::to_string(*port);
  }

  void TearDown() override {
    client_.reset();
    server_.reset();
    tokens_.reset();
  }

  httplib::Result post_tokens(const json& body) {
    return client_->Post("/identity/v3/auth/tokens", body.dump(), "application/json");
  }

  // A token (X-Subject-Token) for user on the named project; "" on failure.
  std::string login(const std::string& user, const std::string& password, const std::string& project) {
    auto r = post_tokens(password_auth(user, password, project.empty() ? json(nullptr) : project_by_name(project)));
    if (!r || r->status != 201) return "";
    return r->get_header_value("X-Subject-Token");
  }

  static json body(const httplib::Result& r) { return json::parse(r->body); }

  std::unique_ptr<TokenService> tokens_;
  std::unique_ptr<api::ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::string base_;
  std::string demo_id_, other_id_, alice_id_, bob_id_;
};

TEST_F(IdentityApiTest, VersionDocumentsAsKeystoneServesThem) {
  start();
  auto root = client_->Get("/identity");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 300);
  json values = body(root)["versions"]["values"];
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0]["id"], "v3.14");
  EXPECT_EQ(values[0]["status"], "stable");
  EXPECT_EQ(values[0]["links"][0]["href"], base_ + "/identity/v3/");
  EXPECT_EQ(values[0]["media-types"][0]["type"], "application/vnd.openstack.identity-v3+json");

  for (const char* path : {"/identity/v3", "/identity/v3/"}) {
    auto v3 = client_->Get(path);
    ASSERT_TRUE(v3);
    EXPECT_EQ(v3->status, 200) << path;
    EXPECT_EQ(body(v3)["version"]["id"], "v3.14");
    EXPECT_EQ(body(v3)["version"]["links"][0]["href"], base_ + "/identity/v3/");
  }
}

TEST_F(IdentityApiTest, PasswordAuthScopedByNameGivesTheKeystoneTokenBody) {
  start();
  auto r = post_tokens(password_auth("alice", "alice-pw", project_by_name("demo")));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  const std::string token = r->get_header_value("X-Subject-Token");
  EXPECT_EQ(token.size(), 43u);
  EXPECT_FALSE(r->get_header_value("X-OpenStack-Request-Id").empty());
  EXPECT_EQ(r->body.find(token), std::string::npos);  // the secret travels in the header only

  json t = body(r)["token"];
  EXPECT_EQ(t["methods"], json::array({"password"}));
  EXPECT_EQ(t["user"]["id"], alice_id_);
  EXPECT_EQ(t["user"]["name"], "alice");
  EXPECT_EQ(t["user"]["domain"], (json{{"id", "default"}, {"name", "Default"}}));
  EXPECT_EQ(t["project"]["id"], demo_id_);
  EXPECT_EQ(t["project"]["name"], "demo");
  EXPECT_EQ(t["project"]["domain"]["id"], "default");
  std::set<std::string> roles;
  for (const auto& role : t["roles"]) {
    EXPECT_EQ(role["id"].get<std::string>().size(), 32u);
    roles.insert(role["name"].get<std::string>());
  }
  EXPECT_EQ(roles, (std::set<std::string>{"member", "reader"}));
  const std::string expires = t["expires_at"], issued = t["issued_at"];
  EXPECT_EQ(expires.back(), 'Z');
  EXPECT_EQ(issued.back(), 'Z');
  EXPECT_LT(issued, expires);
  EXPECT_EQ(t["audit_ids"].size(), 1u);
}

TEST_F(IdentityApiTest, TheCatalogPointsAtThisDeployment) {
  start();
  auto r = post_tokens(password_auth("alice", "alice-pw", project_by_name("demo")));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201);
  json catalog = body(r)["token"]["catalog"];
  ASSERT_EQ(catalog.size(), 4u);
  std::map<std::string, std::string> want = {{"compute", base_ + "/v2.1"},
                                             {"image", base_ + "/image"},
                                             {"network", base_ + "/network"},
                                             {"identity", base_ + "/identity"}};
  std::map<std::string, std::string> names = {
      {"compute", "nova"}, {"image", "glance"}, {"network", "neutron"}, {"identity", "keystone"}};
  for (const auto& service : catalog) {
    const std::string type = service["type"];
    ASSERT_TRUE(want.count(type)) << type;
    EXPECT_EQ(service["name"], names[type]);
    EXPECT_FALSE(service["id"].get<std::string>().empty());
    std::set<std::string> interfaces;
    for (const auto& e : service["endpoints"]) {
      interfaces.insert(e["interface"].get<std::string>());
      EXPECT_EQ(e["url"], want[type]);
      EXPECT_EQ(e["region"], "RegionOne");
      EXPECT_EQ(e["region_id"], "RegionOne");
      EXPECT_FALSE(e["id"].get<std::string>().empty());
    }
    EXPECT_EQ(interfaces, (std::set<std::string>{"public", "internal", "admin"}));
  }
  auto nocatalog = client_->Post("/identity/v3/auth/tokens?nocatalog", password_auth("alice", "alice-pw",
                                 project_by_name("demo")).dump(), "application/json");
  ASSERT_TRUE(nocatalog);
  EXPECT_FALSE(body(nocatalog)["token"].contains("catalog"));
}

TEST_F(IdentityApiTest, TheCatalogUsesTheConfiguredPublicUrl) {
  start(3600, "https://cloud.example.com:8774/");
  auto r = post_tokens(password_auth("alice", "alice-pw", project_by_name("demo")));
  ASSERT_TRUE(r);
  const json reply = body(r);
  for (const auto& service : reply["token"]["catalog"]) {
    if (service["type"] == "compute") {
      EXPECT_EQ(service["endpoints"][0]["url"], "https://cloud.example.com:8774/v2.1");
    }
  }
}

TEST_F(IdentityApiTest, ScopeByProjectIdAndUserId) {
  start();
  json body_json = {{"auth",
                     {{"identity",
                       {{"methods", {"password"}}, {"password", {{"user", {{"id", alice_id_}, {"password", "alice-pw"}}}}}}},
                      {"scope", {{"project", {{"id", demo_id_}}}}}}}};
  auto r = post_tokens(body_json);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(body(r)["token"]["project"]["name"], "demo");
}

TEST_F(IdentityApiTest, UnscopedTokensHaveNoProjectAndDoNotOpenTheComputeApi) {
  start();
  auto r = post_tokens(password_auth("alice", "alice-pw"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  json t = body(r)["token"];
  EXPECT_FALSE(t.contains("project"));
  EXPECT_FALSE(t.contains("roles"));
  EXPECT_EQ(t["catalog"], json::array());
  auto flavors = client_->Get("/v2.1/flavors", {{"X-Auth-Token", r->get_header_value("X-Subject-Token")}});
  EXPECT_EQ(flavors->status, 401);

  auto projects = client_->Get("/identity/v3/auth/projects", {{"X-Auth-Token", r->get_header_value("X-Subject-Token")}});
  ASSERT_EQ(projects->status, 200);
  std::set<std::string> names;
  const json listed = body(projects);
  for (const auto& p : listed["projects"]) names.insert(p["name"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"demo", "other"}));
}

TEST_F(IdentityApiTest, WrongPasswordAndUnknownUserGetTheSame401) {
  start();
  auto wrong = post_tokens(password_auth("alice", "guess", project_by_name("demo")));
  auto unknown = post_tokens(password_auth("mallory", "alice-pw", project_by_name("demo")));
  auto no_role = post_tokens(password_auth("alice", "alice-pw", project_by_name("admin")));
  auto no_project = post_tokens(password_auth("alice", "alice-pw", project_by_name("nowhere")));
  for (const auto* r : {&wrong, &unknown, &no_role, &no_project}) {
    ASSERT_TRUE(*r);
    EXPECT_EQ((*r)->status, 401);
    EXPECT_EQ(body(*r), (json{{"error",
                                {{"code", 401},
                                 {"message", "The request you have made requires authentication."},
                                 {"title", "Unauthorized"}}}}));
    EXPECT_FALSE((*r)->has_header("X-Subject-Token"));
    EXPECT_EQ((*r)->get_header_value("WWW-Authenticate"), "Keystone uri=\"" + base_ + "/identity\"");
  }
}

TEST_F(IdentityApiTest, MalformedBodiesAre400InKeystoneFormat) {
  start();
  auto junk = client_->Post("/identity/v3/auth/tokens", "{not json", "application/json");
  ASSERT_TRUE(junk);
  EXPECT_EQ(junk->status, 400);
  EXPECT_EQ(body(junk)["error"]["code"], 400);
  EXPECT_EQ(body(junk)["error"]["title"], "Bad Request");

  struct Case {
    json body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {json::object(), "Expecting to find auth in request body."},
      {{{"auth", json::object()}}, "Expecting to find identity in auth."},
      {{{"auth", {{"identity", json::object()}}}}, "Expecting to find methods in identity."},
      {{{"auth", {{"identity", {{"methods", {"password"}}}}}}}, "Expecting to find password in identity."},
      {{{"auth", {{"identity", {{"methods", {"password"}}, {"password", json::object()}}}}}},
       "Expecting to find user in password."},
      {{{"auth", {{"identity", {{"methods", {"password"}}, {"password", {{"user", {{"name", "alice"}, {"password", "x"}}}}}}}}}},
       "Expecting to find domain in user."},
      {{{"auth", {{"identity", {{"methods", {"password"}}, {"password", {{"user", {{"id", alice_id_}}}}}}}}}},
       "Expecting to find password in user."},
      {{{"auth", {{"identity", {{"methods", {"token"}}, {"token", json::object()}}}}}}, "Expecting to find id in token."},
  };
  for (const auto& c : cases) {
    auto r = post_tokens(c.body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << c.body.dump();
    EXPECT_EQ(body(r)["error"]["message"], c.message) << c.body.dump();
  }
  json domain_scope = password_auth("alice", "alice-pw", {{"domain", {{"id", "default"}}}});
  EXPECT_EQ(post_tokens(domain_scope)->status, 400);
  json bad_method = password_auth("alice", "alice-pw");
  bad_method["auth"]["identity"]["methods"] = {"totp"};
  EXPECT_EQ(post_tokens(bad_method)->status, 401);
}

TEST_F(IdentityApiTest, TheTokenMethodKeepsOrChangesTheScope) {
  start();
  const std::string first = login("alice", "alice-pw", "demo");
  ASSERT_FALSE(first.empty());
  json same = {{"auth", {{"identity", {{"methods", {"token"}}, {"token", {{"id", first}}}}}}}};
  auto r = post_tokens(same);
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(body(r)["token"]["project"]["name"], "demo");
  EXPECT_EQ(body(r)["token"]["methods"], json::array({"password", "token"}));
  EXPECT_NE(r->get_header_value("X-Subject-Token"), first);

  json rescope = same;
  rescope["auth"]["scope"] = project_by_name("other");
  r = post_tokens(rescope);
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(body(r)["token"]["project"]["name"], "other");
  EXPECT_EQ(body(r)["token"]["roles"][0]["name"], "reader");

  rescope["auth"]["scope"] = project_by_name("admin");
  EXPECT_EQ(post_tokens(rescope)->status, 401);
  json junk = {{"auth", {{"identity", {{"methods", {"token"}}, {"token", {{"id", "junk"}}}}}}}};
  EXPECT_EQ(post_tokens(junk)->status, 401);
}

TEST_F(IdentityApiTest, ValidateHeadAndRevoke) {
  start();
  const std::string alice = login("alice", "alice-pw", "demo");
  const std::string alice2 = login("alice", "alice-pw", "other");
  const std::string bob = login("bob", "bob-pw", "other");
  const std::string root = login("root", "root-pw", "admin");
  ASSERT_FALSE(alice.empty() || alice2.empty() || bob.empty() || root.empty());

  auto own = client_->Get("/identity/v3/auth/tokens", {{"X-Auth-Token", alice}, {"X-Subject-Token", alice2}});
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200) << own->body;
  EXPECT_EQ(own->get_header_value("X-Subject-Token"), alice2);
  EXPECT_EQ(body(own)["token"]["project"]["name"], "other");
  EXPECT_EQ(body(own)["token"]["user"]["name"], "alice");

  auto head = client_->Head("/identity/v3/auth/tokens", {{"X-Auth-Token", alice}, {"X-Subject-Token", alice}});
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());

  auto by_admin = client_->Get("/identity/v3/auth/tokens", {{"X-Auth-Token", root}, {"X-Subject-Token", alice}});
  EXPECT_EQ(by_admin->status, 200);
  auto by_other = client_->Get("/identity/v3/auth/tokens", {{"X-Auth-Token", bob}, {"X-Subject-Token", alice}});
  EXPECT_EQ(by_other->status, 403);
  EXPECT_EQ(body(by_other)["error"]["message"],
            "You are not authorized to perform the requested action: identity:validate_token.");
  auto no_caller = client_->Get("/identity/v3/auth/tokens", {{"X-Subject-Token", alice}});
  EXPECT_EQ(no_caller->status, 401);
  auto no_subject = client_->Get("/identity/v3/auth/tokens", {{"X-Auth-Token", alice}});
  EXPECT_EQ(no_subject->status, 400);
  auto unknown = client_->Get("/identity/v3/auth/tokens", {{"X-Auth-Token", alice}, {"X-Subject-Token", "nope"}});
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(body(unknown)["error"]["title"], "Not Found");

  EXPECT_EQ(client_->Get("/v2.1/flavors", {{"X-Auth-Token", alice2}})->status, 200);
  EXPECT_EQ(client_->Delete("/identity/v3/auth/tokens", {{"X-Auth-Token", bob}, {"X-Subject-Token", alice2}})->status,
            403);
  auto revoked = client_->Delete("/identity/v3/auth/tokens", {{"X-Auth-Token", alice}, {"X-Subject-Token", alice2}});
  EXPECT_EQ(revoked->status, 204);
  EXPECT_EQ(client_->Get("/identity/v3/auth/tokens", {{"X-Auth-Token", alice}, {"X-Subject-Token", alice2}})->status,
            404);
  EXPECT_EQ(client_->Get("/v2.1/flavors", {{"X-Auth-Token", alice2}})->status, 401);
  EXPECT_EQ(client_->Delete("/identity/v3/auth/tokens", {{"X-Auth-Token", alice}, {"X-Subject-Token", alice2}})->status,
            404);
}

TEST_F(IdentityApiTest, TheComputeApiTakesOnlyValidProjectTokens) {
  start();
  EXPECT_EQ(client_->Get("/v2.1/flavors")->status, 401);
  EXPECT_EQ(client_->Get("/v2.1/flavors", {{"X-Auth-Token", "junk"}})->status, 401);
  const std::string alice = login("alice", "alice-pw", "demo");
  auto flavors = client_->Get("/v2.1/flavors", {{"X-Auth-Token", alice}});
  EXPECT_EQ(flavors->status, 200);
  // Flavor writes are for admins: alice is a member.
  json flavor = {{"flavor", {{"name", "x"}, {"ram", 64}, {"vcpus", 1}, {"disk", 1}}}};
  EXPECT_EQ(client_->Post("/v2.1/flavors", {{"X-Auth-Token", alice}}, flavor.dump(), "application/json")->status, 403);
  const std::string root = login("root", "root-pw", "admin");
  EXPECT_EQ(client_->Post("/v2.1/flavors", {{"X-Auth-Token", root}}, flavor.dump(), "application/json")->status, 200);
}

TEST_F(IdentityApiTest, ExpiredTokensAre401) {
  start(/*token_expiration=*/1);
  const std::string alice = login("alice", "alice-pw", "demo");
  ASSERT_FALSE(alice.empty());
  EXPECT_EQ(client_->Get("/v2.1/flavors", {{"X-Auth-Token", alice}})->status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(client_->Get("/v2.1/flavors", {{"X-Auth-Token", alice}})->status, 401);
  auto validate = client_->Get("/identity/v3/auth/tokens", {{"X-Auth-Token", alice}, {"X-Subject-Token", alice}});
  EXPECT_EQ(validate->status, 401);
}

TEST_F(IdentityApiTest, UserAndProjectLookUps) {
  start();
  const std::string alice = login("alice", "alice-pw", "demo");
  const std::string root = login("root", "root-pw", "admin");

  auto self = client_->Get("/identity/v3/users/" + alice_id_, {{"X-Auth-Token", alice}});
  ASSERT_EQ(self->status, 200);
  EXPECT_EQ(body(self)["user"]["name"], "alice");
  EXPECT_EQ(body(self)["user"]["domain_id"], "default");
  EXPECT_FALSE(body(self)["user"].contains("password_hash"));
  EXPECT_EQ(client_->Get("/identity/v3/users/" + bob_id_, {{"X-Auth-Token", alice}})->status, 403);
  EXPECT_EQ(client_->Get("/identity/v3/users/" + bob_id_, {{"X-Auth-Token", root}})->status, 200);
  auto missing = client_->Get("/identity/v3/users/nope", {{"X-Auth-Token", root}});
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(body(missing)["error"]["message"], "Could not find user: nope.");

  auto project = client_->Get("/identity/v3/projects/" + demo_id_, {{"X-Auth-Token", alice}});
  ASSERT_EQ(project->status, 200);
  EXPECT_EQ(body(project)["project"]["name"], "demo");
  EXPECT_EQ(client_->Get("/identity/v3/projects/" + other_id_, {{"X-Auth-Token", alice}})->status, 403);
  EXPECT_EQ(client_->Get("/identity/v3/projects/" + other_id_, {{"X-Auth-Token", root}})->status, 200);

  auto by_name = client_->Get("/identity/v3/projects?name=demo", {{"X-Auth-Token", root}});
  ASSERT_EQ(by_name->status, 200);
  ASSERT_EQ(body(by_name)["projects"].size(), 1u);
  EXPECT_EQ(body(by_name)["projects"][0]["id"], demo_id_);
  EXPECT_EQ(client_->Get("/identity/v3/projects", {{"X-Auth-Token", alice}})->status, 403);
  auto users = client_->Get("/identity/v3/users?name=bob", {{"X-Auth-Token", root}});
  ASSERT_EQ(users->status, 200);
  EXPECT_EQ(body(users)["users"][0]["id"], bob_id_);
  EXPECT_EQ(client_->Get("/identity/v3/users", {{"X-Auth-Token", alice}})->status, 403);
  EXPECT_EQ(client_->Get("/identity/v3/users/" + alice_id_)->status, 401);
}

}  // namespace
}  // namespace stratus::core::identity
