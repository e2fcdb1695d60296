// Application credentials over REST (/v3/users/{id}/application_credentials)
// and logging in with one (the application_credential auth method):
// Keystone's bodies, policy, role subset, expiry and the restricted rule.
#include <set>
#include <string>

#include "core/db/application_credential_repository.h"
#include "core/identity/application_credentials.h"
#include "core/identity/password_hash.h"
#include "core/identity/token_codec.h"
#include "identity_api_fixture.h"

namespace stratus::core::identity {
namespace {

class ApplicationCredentialsApiTest : public IdentityAdminApiTest {
 protected:
  std::string creds_path(const std::string& user) { return "/identity/v3/users/" + user + "/application_credentials"; }

  httplib::Result make(const std::string& token, const std::string& user, const json& fields) {
    return call("POST", creds_path(user), token, {{"application_credential", fields}});
  }

  // POST /auth/tokens with the application_credential method.
  httplib::Result login_with(const json& credential, const json& scope = nullptr) {
    json b = {{"auth", {{"identity", {{"methods", {"application_credential"}}, {"application_credential", credential}}}}}};
    if (!scope.is_null()) b["auth"]["scope"] = scope;
    return client_->Post("/identity/v3/auth/tokens", b.dump(), "application/json");
  }

  static std::set<std::string> role_names(const json& roles) {
    std::set<std::string> out;
    for (const auto& r : roles) out.insert(r["name"].get<std::string>());
    return out;
  }
};

TEST_F(ApplicationCredentialsApiTest, AUserMakesOneAndLogsInWithIt) {
  auto made = make(alice_, alice_id_, {{"name", "ci"}, {"description", "for CI"}});
  ASSERT_EQ(made->status, 201) << made->body;
  const json ac = body(made)["application_credential"];
  const std::string id = ac["id"], secret = ac["secret"];
  EXPECT_EQ(id.size(), 32u);
  EXPECT_GE(secret.size(), 80u);  // 64 random bytes, base64
  EXPECT_EQ(ac["name"], "ci");
  EXPECT_EQ(ac["description"], "for CI");
  EXPECT_EQ(ac["project_id"], demo_id_);
  EXPECT_EQ(ac["user_id"], alice_id_);
  EXPECT_EQ(ac["unrestricted"], false);
  EXPECT_TRUE(ac["expires_at"].is_null());
  EXPECT_EQ(role_names(ac["roles"]), (std::set<std::string>{"member", "reader"}));  // the token's roles
  EXPECT_EQ(ac["links"]["self"], base_ + creds_path(alice_id_) + "/" + id);

  // Stored hashed: the secret is nowhere in the row.
  auto row = db::ApplicationCredentialRepository(*db_).get(id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->secret_hash.find(secret), std::string::npos);
  EXPECT_TRUE(verify_password(row->secret_hash, secret));

  auto shown = call("GET", creds_path(alice_id_) + "/" + id, alice_);
  ASSERT_EQ(shown->status, 200);
  EXPECT_FALSE(body(shown)["application_credential"].contains("secret"));
  auto listed = call("GET", creds_path(alice_id_) + "?name=ci", alice_);
  ASSERT_EQ(body(listed)["application_credentials"].size(), 1u);
  EXPECT_EQ(body(call("GET", creds_path(alice_id_) + "?name=other", alice_))["application_credentials"].size(), 0u);

  auto by_id = login_with({{"id", id}, {"secret", secret}});
  ASSERT_EQ(by_id->status, 201) << by_id->body;
  const json token = json::parse(by_id->body)["token"];
  EXPECT_EQ(token["methods"], json::array({"application_credential"}));
  EXPECT_EQ(token["project"]["id"], demo_id_);
  EXPECT_EQ(token["user"]["id"], alice_id_);
  EXPECT_EQ(role_names(token["roles"]), (std::set<std::string>{"member", "reader"}));
  EXPECT_EQ(token["application_credential"]["id"], id);
  EXPECT_EQ(token["application_credential"]["restricted"], true);
  EXPECT_TRUE(compute_accepts(by_id->get_header_value("X-Subject-Token")));

  auto by_name = login_with({{"name", "ci"}, {"user", {{"name", "alice"}, {"domain", {{"name", "Default"}}}}},
                             {"secret", secret}});
  EXPECT_EQ(by_name->status, 201) << by_name->body;
  EXPECT_EQ(login_with({{"name", "ci"}, {"user", {{"id", alice_id_}}}, {"secret", secret}})->status, 201);

  EXPECT_EQ(login_with({{"id", id}, {"secret", "wrong"}})->status, 401);
  EXPECT_EQ(login_with({{"id", "nope"}, {"secret", secret}})->status, 401);
  EXPECT_EQ(login_with({{"name", "ci"}, {"user", {{"id", root_id_}}}, {"secret", secret}})->status, 401);
  auto scoped = login_with({{"id", id}, {"secret", secret}}, {{"project", {{"id", demo_id_}}}});
  EXPECT_EQ(scoped->status, 401);
  EXPECT_EQ(message(scoped),
            "Error authenticating with application credential: Application credentials cannot request a scope.");
  EXPECT_EQ(login_with({{"id", id}})->status, 400);
  EXPECT_EQ(login_with({{"name", "ci"}, {"secret", secret}})->status, 400);

  // Deleting it ends its tokens.
  const std::string ac_token = by_id->get_header_value("X-Subject-Token");
  EXPECT_EQ(call("DELETE", creds_path(alice_id_) + "/" + id, alice_)->status, 204);
  EXPECT_FALSE(compute_accepts(ac_token));
  EXPECT_EQ(login_with({{"id", id}, {"secret", secret}})->status, 401);
  EXPECT_EQ(call("GET", creds_path(alice_id_) + "/" + id, alice_)->status, 404);
}

TEST_F(ApplicationCredentialsApiTest, RolesSecretExpiryAndBadBodies) {
  // A subset of the token's roles (reader), with a chosen secret; the token
  // carries only that role.
  auto made = make(alice_, alice_id_, {{"name", "ro"}, {"secret", "s3cret"}, {"roles", {{{"name", "reader"}}}}});
  ASSERT_EQ(made->status, 201) << made->body;
  EXPECT_EQ(body(made)["application_credential"]["secret"], "s3cret");
  EXPECT_EQ(role_names(body(made)["application_credential"]["roles"]), (std::set<std::string>{"reader"}));
  auto login = login_with({{"id", body(made)["application_credential"]["id"]}, {"secret", "s3cret"}});
  ASSERT_EQ(login->status, 201);
  EXPECT_EQ(role_names(json::parse(login->body)["token"]["roles"]), (std::set<std::string>{"reader"}));

  // A role the token does not carry: Keystone's 400.
  auto admin_role = make(alice_, alice_id_, {{"name", "up"}, {"roles", {{{"id", role_ids_["admin"]}}}}});
  EXPECT_EQ(admin_role->status, 400);
  EXPECT_EQ(message(admin_role), "Invalid application credential: Cannot create an application credential with "
                                 "unassigned role");
  EXPECT_EQ(make(alice_, alice_id_, {{"name", "x"}, {"roles", {{{"name", "nope"}}}}})->status, 404);
  EXPECT_EQ(make(alice_, alice_id_, {{"name", "ro"}})->status, 409);
  EXPECT_EQ(make(alice_, alice_id_, {{"secret", "s"}})->status, 400);
  EXPECT_EQ(make(alice_, alice_id_, {{"name", "x"}, {"colour", "red"}})->status, 400);
  EXPECT_EQ(make(alice_, alice_id_, {{"name", "x"}, {"unrestricted", "yes"}})->status, 400);
  EXPECT_EQ(make(alice_, alice_id_, {{"name", "x"}, {"expires_at", "not a time"}})->status, 400);
  EXPECT_EQ(make(alice_, alice_id_, {{"name", "x"}, {"expires_at", "2001-01-01T00:00:00"}})->status, 400);
  EXPECT_EQ(make(alice_, alice_id_, {{"name", "x"}, {"access_rules", {{{"service", "compute"}}}}})->status, 501);
  EXPECT_EQ(call("POST", creds_path(alice_id_), alice_, {{"nothing", 1}})->status, 400);

  auto later = make(alice_, alice_id_, {{"name", "later"}, {"expires_at", "2099-01-01T00:00:00"}});
  ASSERT_EQ(later->status, 201) << later->body;
  EXPECT_EQ(body(later)["application_credential"]["expires_at"], "2099-01-01T00:00:00.000000");

  // Expired: refused at login (written past its expiry through the repository).
  db::ApplicationCredentialRecord old;
  old.id = new_hex_id();
  old.name = "old";
  old.user_id = alice_id_;
  old.project_id = demo_id_;
  old.secret_hash = *hash_password("old-secret");
  old.roles = {{role_ids_["member"], "member"}};
  old.expires_at = "2001-01-01T00:00:00.000000";
  ASSERT_TRUE(db::ApplicationCredentialRepository(*db_).create(old).ok());
  EXPECT_EQ(login_with({{"id", old.id}, {"secret", "old-secret"}})->status, 401);
}

TEST_F(ApplicationCredentialsApiTest, KeystonesPolicyOwnerOrAdmin) {
  auto mine = make(alice_, alice_id_, {{"name", "mine"}});
  ASSERT_EQ(mine->status, 201);
  const std::string id = body(mine)["application_credential"]["id"];
  // Not even an admin makes one for another user.
  auto for_alice = make(root_, alice_id_, {{"name", "by-root"}});
  EXPECT_EQ(for_alice->status, 403);
  EXPECT_EQ(message(for_alice),
            "You are not authorized to perform the requested action: identity:create_application_credential.");
  // The admin lists, reads and deletes alice's; alice cannot see root's.
  EXPECT_EQ(body(call("GET", creds_path(alice_id_), root_))["application_credentials"].size(), 1u);
  EXPECT_EQ(call("GET", creds_path(alice_id_) + "/" + id, root_)->status, 200);
  EXPECT_EQ(call("GET", creds_path(root_id_), alice_)->status, 403);
  auto roots = make(root_, root_id_, {{"name", "roots"}});
  ASSERT_EQ(roots->status, 201);
  const std::string roots_id = body(roots)["application_credential"]["id"];
  EXPECT_EQ(call("GET", creds_path(root_id_) + "/" + roots_id, alice_)->status, 403);
  EXPECT_EQ(call("DELETE", creds_path(root_id_) + "/" + roots_id, alice_)->status, 403);
  // Under the wrong user it is not there.
  EXPECT_EQ(call("GET", creds_path(alice_id_) + "/" + roots_id, alice_)->status, 404);
  EXPECT_EQ(call("DELETE", creds_path(alice_id_) + "/" + id, root_)->status, 204);
  EXPECT_EQ(call("GET", creds_path(alice_id_), "")->status, 401);
}

TEST_F(ApplicationCredentialsApiTest, OnlyAnUnrestrictedOneMakesOrDeletesAnother) {
  auto restricted = make(alice_, alice_id_, {{"name", "restricted"}, {"secret", "r"}});
  auto unrestricted = make(alice_, alice_id_, {{"name", "free"}, {"secret", "u"}, {"unrestricted", true}});
  ASSERT_EQ(restricted->status, 201);
  ASSERT_EQ(unrestricted->status, 201);
  EXPECT_EQ(body(unrestricted)["application_credential"]["unrestricted"], true);
  const std::string r_token =
      login_with({{"id", body(restricted)["application_credential"]["id"]}, {"secret", "r"}})->get_header_value(
          "X-Subject-Token");
  const std::string u_token =
      login_with({{"id", body(unrestricted)["application_credential"]["id"]}, {"secret", "u"}})->get_header_value(
          "X-Subject-Token");
  ASSERT_FALSE(r_token.empty());
  ASSERT_FALSE(u_token.empty());

  auto refused = make(r_token, alice_id_, {{"name", "child"}});
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(message(refused), "You are not authorized to perform the requested action: Using method "
                              "'application_credential' is not allowed for managing additional application "
                              "credentials.");
  EXPECT_EQ(call("DELETE", creds_path(alice_id_) + "/" + body(unrestricted)["application_credential"]["id"].get<std::string>(),
                 r_token)->status,
            403);
  EXPECT_EQ(call("GET", creds_path(alice_id_), r_token)->status, 200);  // reading is allowed
  EXPECT_EQ(make(u_token, alice_id_, {{"name", "child"}})->status, 201);

  // A token made from a restricted credential's token keeps the restriction.
  json rescope = {{"auth", {{"identity", {{"methods", {"token"}}, {"token", {{"id", r_token}}}}}}}};
  auto again = client_->Post("/identity/v3/auth/tokens", rescope.dump(), "application/json");
  ASSERT_EQ(again->status, 201) << again->body;
  EXPECT_EQ(make(again->get_header_value("X-Subject-Token"), alice_id_, {{"name", "child2"}})->status, 403);
}

TEST_F(ApplicationCredentialsApiTest, ARoleTakenFromTheUserIsNotGivenBackThroughTheCredential) {
  auto made = make(alice_, alice_id_, {{"name", "ci"}, {"secret", "s"}});
  ASSERT_EQ(made->status, 201);
  const std::string id = body(made)["application_credential"]["id"];
  IdentityAdmin admin(*db_);
  ASSERT_TRUE(admin.add_role("alice", "demo", "reader").ok());
  ASSERT_TRUE(admin.remove_role("alice", "demo", "member").ok());
  auto login = login_with({{"id", id}, {"secret", "s"}});
  ASSERT_EQ(login->status, 201) << login->body;
  EXPECT_EQ(role_names(json::parse(login->body)["token"]["roles"]), (std::set<std::string>{"reader"}));
  ASSERT_TRUE(admin.remove_role("alice", "demo", "reader").ok());
  EXPECT_EQ(login_with({{"id", id}, {"secret", "s"}})->status, 401);
  // Disabled users cannot use theirs either.
  ASSERT_TRUE(admin.add_role("alice", "demo", "member").ok());
  EXPECT_EQ(login_with({{"id", id}, {"secret", "s"}})->status, 201);
  EXPECT_EQ(call("PATCH", "/identity/v3/users/" + alice_id_, root_, {{"user", {{"enabled", false}}}})->status, 200);
  EXPECT_EQ(login_with({{"id", id}, {"secret", "s"}})->status, 401);
}

}  // namespace
}  // namespace stratus::core::identity
