// Domains beyond the default one: create, update, disable, delete (only
// when disabled) over REST, users and projects in them, and what a disabled
// domain means for logging in.
#include <set>
#include <string>

#include "core/db/domain_repository.h"
#include "identity_api_fixture.h"

namespace stratus::core::identity {
namespace {

class DomainsApiTest : public IdentityAdminApiTest {
 protected:
  // A password login by user and project name within `domain` (by name).
  httplib::Result login_in(const std::string& domain, const std::string& user, const std::string& password,
                           const std::string& project) {
    json b = {{"auth",
               {{"identity",
                 {{"methods", {"password"}},
                  {"password", {{"user", {{"name", user}, {"domain", {{"name", domain}}}, {"password", password}}}}}}},
                {"scope", {{"project", {{"name", project}, {"domain", {{"name", domain}}}}}}}}}};
    return client_->Post("/identity/v3/auth/tokens", b.dump(), "application/json");
  }
};

TEST_F(DomainsApiTest, ADomainHoldsItsOwnUsersAndProjects) {
  auto made = call("POST", "/identity/v3/domains", root_, {{"domain", {{"name", "acme"}, {"description", "ACME"}}}});
  ASSERT_EQ(made->status, 201) << made->body;
  const json d = body(made)["domain"];
  const std::string id = d["id"];
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(d["name"], "acme");
  EXPECT_EQ(d["description"], "ACME");
  EXPECT_EQ(d["enabled"], true);
  EXPECT_EQ(call("POST", "/identity/v3/domains", root_, {{"domain", {{"name", "acme"}}}})->status, 409);
  EXPECT_EQ(call("POST", "/identity/v3/domains", root_, {{"domain", {{"description", "no name"}}}})->status, 400);
  EXPECT_EQ(body(call("GET", "/identity/v3/domains", root_))["domains"].size(), 2u);
  EXPECT_EQ(body(call("GET", "/identity/v3/domains?name=acme", root_))["domains"][0]["id"], id);

  // The same names as in Default do not clash in another domain.
  auto project = call("POST", "/identity/v3/projects", root_, {{"project", {{"name", "demo"}, {"domain_id", id}}}});
  ASSERT_EQ(project->status, 201) << project->body;
  EXPECT_EQ(body(project)["project"]["domain_id"], id);
  EXPECT_EQ(body(project)["project"]["parent_id"], id);
  const std::string project_id = body(project)["project"]["id"];
  auto user = call("POST", "/identity/v3/users", root_,
                   {{"user", {{"name", "alice"}, {"domain_id", id}, {"password", "acme-pw"}}}});
  ASSERT_EQ(user->status, 201) << user->body;
  const std::string user_id = body(user)["user"]["id"];
  EXPECT_EQ(call("PUT", "/identity/v3/projects/" + project_id + "/users/" + user_id + "/roles/" + role_ids_["member"],
                 root_)
                ->status,
            204);
  auto dup = call("POST", "/identity/v3/users", root_, {{"user", {{"name", "alice"}, {"domain_id", id}}}});
  EXPECT_EQ(dup->status, 409);
  EXPECT_EQ(message(dup),
            "Conflict occurred attempting to store user - Duplicate entry found with name alice at domain ID " + id +
                ".");
  EXPECT_EQ(call("POST", "/identity/v3/users", root_, {{"user", {{"name", "x"}, {"domain_id", "nope"}}}})->status, 404);
  EXPECT_EQ(body(call("GET", "/identity/v3/users?domain_id=" + id, root_))["users"].size(), 1u);

  auto login = login_in("acme", "alice", "acme-pw", "demo");
  ASSERT_EQ(login->status, 201) << login->body;
  const json token = json::parse(login->body)["token"];
  EXPECT_EQ(token["user"]["id"], user_id);
  EXPECT_EQ(token["user"]["domain"], (json{{"id", id}, {"name", "acme"}}));
  EXPECT_EQ(token["project"]["domain"], (json{{"id", id}, {"name", "acme"}}));
  const std::string acme_token = login->get_header_value("X-Subject-Token");
  EXPECT_TRUE(compute_accepts(acme_token));
  // Default's alice is another user.
  EXPECT_EQ(login_in("acme", "alice", "alice-pw", "demo")->status, 401);
  EXPECT_EQ(login_in("Default", "alice", "alice-pw", "demo")->status, 201);
  EXPECT_EQ(call("GET", "/identity/v3/domains/" + id, acme_token)->status, 200);  // its own domain
  EXPECT_EQ(call("GET", "/identity/v3/domains/" + id, alice_)->status, 403);

  auto renamed = call("PATCH", "/identity/v3/domains/" + id, root_, {{"domain", {{"name", "acme2"}}}});
  ASSERT_EQ(renamed->status, 200) << renamed->body;
  EXPECT_EQ(body(renamed)["domain"]["name"], "acme2");
  EXPECT_EQ(login_in("acme2", "alice", "acme-pw", "demo")->status, 201);
  EXPECT_EQ(call("PATCH", "/identity/v3/domains/" + id, root_, {{"domain", {{"name", "Default"}}}})->status, 409);

  // Disabled: its tokens end and its users cannot log in; it can then be deleted.
  auto enabled_delete = call("DELETE", "/identity/v3/domains/" + id, root_);
  EXPECT_EQ(enabled_delete->status, 403);
  EXPECT_EQ(message(enabled_delete), "Cannot delete a domain that is enabled, please disable it first.");
  EXPECT_EQ(call("PATCH", "/identity/v3/domains/" + id, alice_, {{"domain", {{"enabled", false}}}})->status, 403);
  auto disabled = call("PATCH", "/identity/v3/domains/" + id, root_, {{"domain", {{"enabled", false}}}});
  ASSERT_EQ(disabled->status, 200);
  EXPECT_EQ(body(disabled)["domain"]["enabled"], false);
  EXPECT_FALSE(compute_accepts(acme_token));
  EXPECT_EQ(login_in("acme2", "alice", "acme-pw", "demo")->status, 401);
  EXPECT_TRUE(compute_accepts(alice_));  // Default's users are untouched
  EXPECT_EQ(body(call("GET", "/identity/v3/domains?enabled=false", root_))["domains"].size(), 1u);

  EXPECT_EQ(call("PATCH", "/identity/v3/domains/" + id, root_, {{"domain", {{"enabled", true}}}})->status, 200);
  EXPECT_EQ(login_in("acme2", "alice", "acme-pw", "demo")->status, 201);
  EXPECT_EQ(call("PATCH", "/identity/v3/domains/" + id, root_, {{"domain", {{"enabled", false}}}})->status, 200);
  EXPECT_EQ(call("DELETE", "/identity/v3/domains/" + id, root_)->status, 204);
  EXPECT_EQ(call("GET", "/identity/v3/domains/" + id, root_)->status, 404);
  EXPECT_EQ(call("GET", "/identity/v3/projects/" + project_id, root_)->status, 404);
  EXPECT_EQ(call("GET", "/identity/v3/users/" + user_id, root_)->status, 404);
}

TEST_F(DomainsApiTest, TheDefaultDomainCanBeRenamedButNotDisabledOrDeleted) {
  auto off = call("PATCH", "/identity/v3/domains/default", root_, {{"domain", {{"enabled", false}}}});
  EXPECT_EQ(off->status, 403);
  EXPECT_EQ(call("DELETE", "/identity/v3/domains/default", root_)->status, 403);
  EXPECT_TRUE(compute_accepts(root_));
  auto described = call("PATCH", "/identity/v3/domains/default", root_, {{"domain", {{"description", "home"}}}});
  ASSERT_EQ(described->status, 200);
  EXPECT_EQ(body(described)["domain"]["description"], "home");
  EXPECT_EQ(call("PATCH", "/identity/v3/domains/default", root_, {{"domain", {{"enabled", "no"}}}})->status, 400);
  EXPECT_EQ(call("PATCH", "/identity/v3/domains/nope", root_, {{"domain", {{"description", "x"}}}})->status, 404);
}

TEST_F(DomainsApiTest, RepositoryRefusesDuplicatesAndDeletesContents) {
  db::DomainRepository domains(*db_);
  auto made = domains.create({"d1", "one", "", true, "{}"});
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_TRUE(domains.create({"d2", "one", "", true, "{}"}).status().is(sdk::StatusCode::kAlreadyExists));
  EXPECT_TRUE(domains.get("d9").status().is(sdk::StatusCode::kNotFound));
  EXPECT_EQ(domains.find_by_name("one")->id, "d1");
  db::ProjectRecord p;
  p.id = "p-in-d1";
  p.name = "demo";
  p.domain_id = "d1";
  ASSERT_TRUE(db::ProjectRepository(*db_).create(p).ok());
  ASSERT_TRUE(domains.remove("d1").ok());
  EXPECT_TRUE(db::ProjectRepository(*db_).get("p-in-d1").status().is(sdk::StatusCode::kNotFound));
  EXPECT_TRUE(domains.remove("d1").is(sdk::StatusCode::kNotFound));
  EXPECT_EQ(domains.list()->size(), 1u);  // Default
}

}  // namespace
}  // namespace stratus::core::identity
