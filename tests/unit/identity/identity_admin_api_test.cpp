// The Keystone v3 admin routes (domains, projects, users, roles, grants,
// role assignments) over real HTTP on loopback: bodies, errors and policy as
// tempest's dynamic credentials and openstackclient meet them, and what a
// delete or disable does to tokens.
#include <set>
#include <string>

#include "identity_api_fixture.h"

namespace stratus::core::identity {
namespace {

TEST_F(IdentityAdminApiTest, TheDefaultDomainIsListedAndShown) {
  auto list = call("GET", "/identity/v3/domains?name=Default", root_);
  ASSERT_EQ(list->status, 200) << list->body;
  ASSERT_EQ(body(list)["domains"].size(), 1u);
  json d = body(list)["domains"][0];
  EXPECT_EQ(d["id"], "default");
  EXPECT_EQ(d["name"], "Default");
  EXPECT_EQ(d["enabled"], true);
  EXPECT_EQ(d["links"]["self"], base_ + "/identity/v3/domains/default");
  EXPECT_EQ(body(call("GET", "/identity/v3/domains?name=Other", root_))["domains"].size(), 0u);
  EXPECT_EQ(body(call("GET", "/identity/v3/domains", root_))["domains"].size(), 1u);
  EXPECT_EQ(call("GET", "/identity/v3/domains", alice_)->status, 403);

  EXPECT_EQ(body(call("GET", "/identity/v3/domains/default", alice_))["domain"]["name"], "Default");
  auto other = call("GET", "/identity/v3/domains/other", root_);
  EXPECT_EQ(other->status, 404);
  EXPECT_EQ(message(other), "Could not find domain: other.");

  auto as_member = call("POST", "/identity/v3/domains", alice_, {{"domain", {{"name", "d2"}}}});
  EXPECT_EQ(as_member->status, 403);
  EXPECT_EQ(message(as_member), "You are not authorized to perform the requested action: identity:create_domain.");
  EXPECT_EQ(call("DELETE", "/identity/v3/domains/nope", root_)->status, 404);
}

TEST_F(IdentityAdminApiTest, ProjectsAreCreatedShownUpdatedListedAndDeleted) {
  auto made = call("POST", "/identity/v3/projects", root_,
                   {{"project", {{"name", "p1"}, {"description", "first"}, {"domain_id", "default"}, {"colour", "red"}}}});
  ASSERT_EQ(made->status, 201) << made->body;
  json p = body(made)["project"];
  const std::string id = p["id"];
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(p["name"], "p1");
  EXPECT_EQ(p["description"], "first");
  EXPECT_EQ(p["domain_id"], "default");
  EXPECT_EQ(p["parent_id"], "default");
  EXPECT_EQ(p["enabled"], true);
  EXPECT_EQ(p["is_domain"], false);
  EXPECT_EQ(p["colour"], "red");  // kept as Keystone keeps extra properties
  EXPECT_EQ(p["links"]["self"], base_ + "/identity/v3/projects/" + id);

  auto dup = call("POST", "/identity/v3/projects", root_, {{"project", {{"name", "p1"}}}});
  EXPECT_EQ(dup->status, 409);
  EXPECT_EQ(message(dup),
            "Conflict occurred attempting to store project - Duplicate entry found with name p1 at domain ID default.");
  EXPECT_EQ(call("POST", "/identity/v3/projects", alice_, {{"project", {{"name", "p2"}}}})->status, 403);

  auto changed = call("PATCH", "/identity/v3/projects/" + id, root_,
                      {{"project", {{"description", "changed"}, {"enabled", false}, {"name", "p1b"}}}});
  ASSERT_EQ(changed->status, 200) << changed->body;
  EXPECT_EQ(body(changed)["project"]["description"], "changed");
  EXPECT_EQ(body(changed)["project"]["enabled"], false);
  EXPECT_EQ(body(changed)["project"]["name"], "p1b");
  EXPECT_EQ(body(changed)["project"]["colour"], "red");
  EXPECT_EQ(call("PATCH", "/identity/v3/projects/" + id, root_, {{"project", {{"name", "demo"}}}})->status, 409);
  EXPECT_EQ(call("PATCH", "/identity/v3/projects/nope", root_, {{"project", {{"name", "x"}}}})->status, 404);

  auto shown = call("GET", "/identity/v3/projects/" + id, root_);
  ASSERT_EQ(shown->status, 200);
  EXPECT_EQ(body(shown)["project"]["name"], "p1b");

  std::set<std::string> disabled;
  auto disabled_list = call("GET", "/identity/v3/projects?enabled=false", root_);
  ASSERT_EQ(disabled_list->status, 200) << disabled_list->body;
  const json disabled_projects = body(disabled_list)["projects"];
  for (const auto& q : disabled_projects) {
    disabled.insert(q["name"].get<std::string>());
  }
  EXPECT_EQ(disabled, (std::set<std::string>{"p1b"}));
  EXPECT_EQ(body(call("GET", "/identity/v3/projects?name=demo&domain_id=default", root_))["projects"].size(), 1u);
  EXPECT_EQ(body(call("GET", "/identity/v3/projects?domain_id=other", root_))["projects"].size(), 0u);
  EXPECT_EQ(call("GET", "/identity/v3/projects?enabled=maybe", root_)->status, 400);

  EXPECT_EQ(call("DELETE", "/identity/v3/projects/" + id, alice_)->status, 403);
  EXPECT_EQ(call("DELETE", "/identity/v3/projects/" + id, root_)->status, 204);
  auto gone = call("DELETE", "/identity/v3/projects/" + id, root_);
  EXPECT_EQ(gone->status, 404);
  EXPECT_EQ(message(gone), "Could not find project: " + id + ".");
}

TEST_F(IdentityAdminApiTest, BadProjectBodiesAre400AndUnmodelledFeaturesAreRefused) {
  auto post = [&](const json& b) { return call("POST", "/identity/v3/projects", root_, b); };
  EXPECT_EQ(post({{"nothing", 1}})->status, 400);
  EXPECT_EQ(message(post({{"nothing", 1}})), "Expecting to find project in request body.");
  EXPECT_EQ(post({{"project", {{"description", "no name"}}}})->status, 400);
  EXPECT_EQ(post({{"project", {{"name", ""}}}})->status, 400);
  EXPECT_EQ(post({{"project", {{"name", std::string(65, 'x')}}}})->status, 400);
  EXPECT_EQ(post({{"project", {{"name", 7}}}})->status, 400);
  EXPECT_EQ(post({{"project", {{"name", "x"}, {"enabled", "yes"}}}})->status, 400);
  auto domain = post({{"project", {{"name", "x"}, {"domain_id", "elsewhere"}}}});
  EXPECT_EQ(domain->status, 404);
  EXPECT_EQ(message(domain), "Could not find domain: elsewhere.");
  EXPECT_EQ(post({{"project", {{"name", "x"}, {"parent_id", demo_id_}}}})->status, 501);
  EXPECT_EQ(post({{"project", {{"name", "x"}, {"is_domain", true}}}})->status, 501);
  EXPECT_EQ(call("PATCH", "/identity/v3/projects/" + demo_id_, root_, {{"project", json::object()}})->status, 400);
  auto move = call("PATCH", "/identity/v3/projects/" + demo_id_, root_, {{"project", {{"domain_id", "other"}}}});
  EXPECT_EQ(move->status, 400);
  EXPECT_EQ(message(move), "Cannot change Domain ID");
  // Nothing was made.
  EXPECT_EQ(body(call("GET", "/identity/v3/projects?name=x", root_))["projects"].size(), 0u);
}

TEST_F(IdentityAdminApiTest, DisablingOrDeletingAProjectEndsItsTokens) {
  ASSERT_TRUE(compute_accepts(alice_));
  ASSERT_EQ(call("PATCH", "/identity/v3/projects/" + demo_id_, root_, {{"project", {{"enabled", false}}}})->status,
            200);
  EXPECT_FALSE(compute_accepts(alice_));
  EXPECT_EQ(login("alice", "alice-pw", "demo"), "");
  ASSERT_EQ(call("PATCH", "/identity/v3/projects/" + demo_id_, root_, {{"project", {{"enabled", true}}}})->status, 200);
  EXPECT_FALSE(compute_accepts(alice_));  // revoked, not merely suspended
  const std::string again = login("alice", "alice-pw", "demo");
  ASSERT_FALSE(again.empty());
  EXPECT_TRUE(compute_accepts(again));

  ASSERT_EQ(call("DELETE", "/identity/v3/projects/" + demo_id_, root_)->status, 204);
  EXPECT_FALSE(compute_accepts(again));
  EXPECT_EQ(body(call("GET", "/identity/v3/role_assignments?user.id=" + alice_id_, root_))["role_assignments"].size(),
            0u);
}

TEST_F(IdentityAdminApiTest, UsersAreCreatedWithTheirAttributesAndCanLogInOnceGrantedARole) {
  auto made = call("POST", "/identity/v3/users", root_,
                   {{"user",
                     {{"name", "carol"},
                      {"password", "carol-pw"},
                      {"email", "carol@example.org"},
                      {"default_project_id", demo_id_},
                      {"domain_id", "default"},
                      {"enabled", true}}}});
  ASSERT_EQ(made->status, 201) << made->body;
  json u = body(made)["user"];
  const std::string id = u["id"];
  EXPECT_EQ(u["name"], "carol");
  EXPECT_EQ(u["email"], "carol@example.org");
  EXPECT_EQ(u["default_project_id"], demo_id_);
  EXPECT_EQ(u["domain_id"], "default");
  EXPECT_EQ(u["enabled"], true);
  EXPECT_FALSE(u.contains("password"));
  EXPECT_EQ(made->body.find("carol-pw"), std::string::npos);
  EXPECT_EQ(made->body.find("argon2"), std::string::npos);

  auto dup = call("POST", "/identity/v3/users", root_, {{"user", {{"name", "carol"}, {"password", "x"}}}});
  EXPECT_EQ(dup->status, 409);
  EXPECT_EQ(message(dup),
            "Conflict occurred attempting to store user - Duplicate entry found with name carol at domain ID default.");
  EXPECT_EQ(call("POST", "/identity/v3/users", alice_, {{"user", {{"name", "eve"}}}})->status, 403);
  EXPECT_EQ(call("POST", "/identity/v3/users", root_, {{"user", {{"name", "eve"}, {"domain_id", "d9"}}}})->status,
            404);

  EXPECT_EQ(login("carol", "carol-pw", "demo"), "");  // no role on demo yet
  const std::string grant = "/identity/v3/projects/" + demo_id_ + "/users/" + id + "/roles/" + role_ids_["member"];
  EXPECT_EQ(call("PUT", grant, root_)->status, 204);
  const std::string carol = login("carol", "carol-pw", "demo");
  ASSERT_FALSE(carol.empty());
  EXPECT_TRUE(compute_accepts(carol));

  // The user reads itself and its projects, not others'.
  EXPECT_EQ(call("GET", "/identity/v3/users/" + id, carol)->status, 200);
  auto projects = call("GET", "/identity/v3/users/" + id + "/projects", carol);
  ASSERT_EQ(projects->status, 200);
  ASSERT_EQ(body(projects)["projects"].size(), 1u);
  EXPECT_EQ(body(projects)["projects"][0]["id"], demo_id_);
  EXPECT_EQ(call("GET", "/identity/v3/users/" + root_id_ + "/projects", carol)->status, 403);
  EXPECT_EQ(call("GET", "/identity/v3/users/nope/projects", root_)->status, 404);

  auto listed = call("GET", "/identity/v3/users?name=carol&enabled=true", root_);
  ASSERT_EQ(body(listed)["users"].size(), 1u);
  EXPECT_EQ(body(listed)["users"][0]["email"], "carol@example.org");

  // A user without a password exists but cannot log in.
  auto nopw = call("POST", "/identity/v3/users", root_, {{"user", {{"name", "nopw"}}}});
  ASSERT_EQ(nopw->status, 201);
  EXPECT_EQ(login("nopw", "", ""), "");
}

TEST_F(IdentityAdminApiTest, PasswordChangeDisableAndDeleteEndAUsersTokens) {
  ASSERT_TRUE(compute_accepts(alice_));
  auto patched = call("PATCH", "/identity/v3/users/" + alice_id_, root_,
                      {{"user", {{"password", "new-pw"}, {"email", "a@example.org"}}}});
  ASSERT_EQ(patched->status, 200) << patched->body;
  EXPECT_EQ(body(patched)["user"]["email"], "a@example.org");
  EXPECT_FALSE(compute_accepts(alice_));
  EXPECT_EQ(login("alice", "alice-pw", "demo"), "");
  std::string alice = login("alice", "new-pw", "demo");
  ASSERT_FALSE(alice.empty());

  ASSERT_EQ(call("PATCH", "/identity/v3/users/" + alice_id_, root_, {{"user", {{"enabled", false}}}})->status, 200);
  EXPECT_FALSE(compute_accepts(alice));
  ASSERT_EQ(call("PATCH", "/identity/v3/users/" + alice_id_, root_, {{"user", {{"enabled", true}}}})->status, 200);
  EXPECT_FALSE(compute_accepts(alice));
  alice = login("alice", "new-pw", "demo");
  ASSERT_TRUE(compute_accepts(alice));

  EXPECT_EQ(call("PATCH", "/identity/v3/users/" + alice_id_, alice, {{"user", {{"enabled", false}}}})->status, 403);
  EXPECT_EQ(call("PATCH", "/identity/v3/users/" + alice_id_, root_, {{"user", {{"domain_id", "x"}}}})->status, 400);
  EXPECT_EQ(call("PATCH", "/identity/v3/users/" + alice_id_, root_, {{"user", {{"name", "root"}}}})->status, 409);
  EXPECT_EQ(call("DELETE", "/identity/v3/users/" + alice_id_, alice)->status, 403);
  EXPECT_EQ(call("DELETE", "/identity/v3/users/" + alice_id_, root_)->status, 204);
  EXPECT_FALSE(compute_accepts(alice));
  auto gone = call("GET", "/identity/v3/users/" + alice_id_, root_);
  EXPECT_EQ(gone->status, 404);
  EXPECT_EQ(message(gone), "Could not find user: " + alice_id_ + ".");
}

TEST_F(IdentityAdminApiTest, RolesAreListedByNameAndShownById) {
  auto member = call("GET", "/identity/v3/roles?name=member", root_);
  ASSERT_EQ(member->status, 200);
  ASSERT_EQ(body(member)["roles"].size(), 1u);
  EXPECT_EQ(body(member)["roles"][0]["id"], role_ids_["member"]);
  EXPECT_EQ(body(call("GET", "/identity/v3/roles", root_))["roles"].size(), 3u);
  auto shown = call("GET", "/identity/v3/roles/" + role_ids_["reader"], root_);
  ASSERT_EQ(shown->status, 200);
  EXPECT_EQ(body(shown)["role"]["name"], "reader");
  EXPECT_EQ(body(shown)["role"]["links"]["self"], base_ + "/identity/v3/roles/" + role_ids_["reader"]);
  auto missing = call("GET", "/identity/v3/roles/nope", root_);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(message(missing), "Could not find role: nope.");
  EXPECT_EQ(call("GET", "/identity/v3/roles", alice_)->status, 403);
}

TEST_F(IdentityAdminApiTest, GrantsAreAddedCheckedListedAndRevoked) {
  const std::string on_admin = "/identity/v3/projects/" + admin_project_id_ + "/users/" + alice_id_ + "/roles";
  const std::string reader = on_admin + "/" + role_ids_["reader"];
  EXPECT_EQ(call("HEAD", reader, root_)->status, 404);
  auto not_held = call("GET", reader, root_);
  EXPECT_EQ(not_held->status, 404);
  EXPECT_EQ(message(not_held), "Could not find role assignment with role: " + role_ids_["reader"] +
                                   ", user or group: " + alice_id_ + ", project, domain, or system: " +
                                   admin_project_id_ + ".");
  EXPECT_EQ(call("PUT", reader, alice_)->status, 403);
  EXPECT_EQ(call("PUT", reader, root_)->status, 204);
  EXPECT_EQ(call("PUT", reader, root_)->status, 204);  // idempotent
  EXPECT_EQ(call("HEAD", reader, root_)->status, 204);
  auto listed = call("GET", on_admin, root_);
  ASSERT_EQ(listed->status, 200);
  ASSERT_EQ(body(listed)["roles"].size(), 1u);
  EXPECT_EQ(body(listed)["roles"][0]["name"], "reader");

  const std::string on_admin_token = login("alice", "alice-pw", "admin");
  ASSERT_FALSE(on_admin_token.empty());
  EXPECT_EQ(call("DELETE", reader, root_)->status, 204);
  EXPECT_FALSE(compute_accepts(on_admin_token));  // its roles are gone with the grant
  EXPECT_TRUE(compute_accepts(alice_));           // the token on demo is untouched
  EXPECT_EQ(call("DELETE", reader, root_)->status, 404);

  auto no_role = call("PUT", on_admin + "/nope", root_);
  EXPECT_EQ(no_role->status, 404);
  EXPECT_EQ(message(no_role), "Could not find role: nope.");
  EXPECT_EQ(call("PUT", "/identity/v3/projects/nope/users/" + alice_id_ + "/roles/" + role_ids_["reader"], root_)
                ->status,
            404);
  EXPECT_EQ(call("PUT",
                 "/identity/v3/projects/" + demo_id_ + "/users/nope/roles/" + role_ids_["reader"], root_)
                ->status,
            404);
}

TEST_F(IdentityAdminApiTest, RoleAssignmentsFilterByUserAndProjectWithNamesAndImpliedRoles) {
  auto mine = call("GET", "/identity/v3/role_assignments?user.id=" + alice_id_, root_);
  ASSERT_EQ(mine->status, 200) << mine->body;
  json list = body(mine)["role_assignments"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["user"], (json{{"id", alice_id_}}));
  EXPECT_EQ(list[0]["role"], (json{{"id", role_ids_["member"]}}));
  EXPECT_EQ(list[0]["scope"], (json{{"project", {{"id", demo_id_}}}}));
  EXPECT_EQ(list[0]["links"]["assignment"],
            base_ + "/identity/v3/projects/" + demo_id_ + "/users/" + alice_id_ + "/roles/" + role_ids_["member"]);

  auto named = call("GET", "/identity/v3/role_assignments?scope.project.id=" + admin_project_id_ + "&include_names",
                    root_);
  list = body(named)["role_assignments"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["user"]["name"], "root");
  EXPECT_EQ(list[0]["user"]["domain"]["name"], "Default");
  EXPECT_EQ(list[0]["role"]["name"], "admin");
  EXPECT_EQ(list[0]["scope"]["project"]["name"], "admin");

  auto effective = call("GET", "/identity/v3/role_assignments?user.id=" + root_id_ + "&effective", root_);
  ASSERT_EQ(effective->status, 200) << effective->body;
  std::set<std::string> roles;
  const json effective_list = body(effective)["role_assignments"];
  for (const auto& a : effective_list) roles.insert(a["role"]["id"].get<std::string>());
  EXPECT_EQ(roles, (std::set<std::string>{role_ids_["admin"], role_ids_["member"], role_ids_["reader"]}));
  EXPECT_EQ(body(call("GET", "/identity/v3/role_assignments?role.id=" + role_ids_["admin"], root_))["role_assignments"]
                .size(),
            1u);
  EXPECT_EQ(body(call("GET", "/identity/v3/role_assignments", root_))["role_assignments"].size(), 2u);
  EXPECT_EQ(body(call("GET", "/identity/v3/role_assignments?group.id=g", root_))["role_assignments"].size(), 0u);
  EXPECT_EQ(call("GET", "/identity/v3/role_assignments", alice_)->status, 403);
  EXPECT_EQ(call("GET", "/identity/v3/role_assignments", "")->status, 401);
}

TEST_F(IdentityAdminApiTest, RolesAreCreatedUpdatedAndDeletedButNotTheBuiltInOnes) {
  auto made = call("POST", "/identity/v3/roles", root_, {{"role", {{"name", "auditor"}, {"description", "looks"}}}});
  ASSERT_EQ(made->status, 201) << made->body;
  const std::string id = body(made)["role"]["id"];
  EXPECT_EQ(body(made)["role"]["description"], "looks");
  auto dup = call("POST", "/identity/v3/roles", root_, {{"role", {{"name", "auditor"}}}});
  EXPECT_EQ(dup->status, 409);
  EXPECT_EQ(message(dup), "Conflict occurred attempting to store role - Duplicate entry found with name auditor.");
  EXPECT_EQ(call("POST", "/identity/v3/roles", alice_, {{"role", {{"name", "x"}}}})->status, 403);
  EXPECT_EQ(call("POST", "/identity/v3/roles", root_, {{"role", {{"name", "x"}, {"domain_id", "default"}}}})->status,
            501);

  auto renamed = call("PATCH", "/identity/v3/roles/" + id, root_, {{"role", {{"name", "inspector"}}}});
  ASSERT_EQ(renamed->status, 200) << renamed->body;
  EXPECT_EQ(body(renamed)["role"]["name"], "inspector");
  EXPECT_EQ(call("PATCH", "/identity/v3/roles/" + id, root_, {{"role", {{"name", "admin"}}}})->status, 409);

  const std::string grant = "/identity/v3/projects/" + demo_id_ + "/users/" + alice_id_ + "/roles/" + id;
  ASSERT_EQ(call("PUT", grant, root_)->status, 204);
  EXPECT_EQ(call("DELETE", "/identity/v3/roles/" + id, root_)->status, 204);
  EXPECT_EQ(call("HEAD", grant, root_)->status, 404);
  EXPECT_EQ(call("DELETE", "/identity/v3/roles/" + id, root_)->status, 404);

  auto builtin = call("DELETE", "/identity/v3/roles/" + role_ids_["admin"], root_);
  EXPECT_EQ(builtin->status, 403);
  EXPECT_EQ(body(call("GET", "/identity/v3/roles/" + role_ids_["admin"], root_))["role"]["options"]["immutable"], true);
  EXPECT_EQ(call("PATCH", "/identity/v3/roles/" + role_ids_["member"], root_, {{"role", {{"name", "m"}}}})->status,
            403);
}

TEST_F(IdentityAdminApiTest, AUserChangesItsOwnPasswordProvingTheOldOne) {
  const std::string path = "/identity/v3/users/" + alice_id_ + "/password";
  auto wrong = call("POST", path, "", {{"user", {{"original_password", "nope"}, {"password", "next-pw"}}}});
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(call("POST", path, "", {{"user", {{"password", "next-pw"}}}})->status, 400);
  EXPECT_TRUE(compute_accepts(alice_));
  auto changed = call("POST", path, alice_, {{"user", {{"original_password", "alice-pw"}, {"password", "next-pw"}}}});
  EXPECT_EQ(changed->status, 204) << changed->body;
  EXPECT_FALSE(compute_accepts(alice_));
  EXPECT_EQ(login("alice", "alice-pw", "demo"), "");
  EXPECT_FALSE(login("alice", "next-pw", "demo").empty());
}

TEST_F(IdentityAdminApiTest, ProjectTagsAreKeptAndChecked) {
  auto made = call("POST", "/identity/v3/projects", root_, {{"project", {{"name", "tagged"}, {"tags", {"a", "b"}}}}});
  ASSERT_EQ(made->status, 201) << made->body;
  EXPECT_EQ(body(made)["project"]["tags"], (json{"a", "b"}));
  const std::string id = body(made)["project"]["id"];
  EXPECT_EQ(body(call("GET", "/identity/v3/projects/" + id, root_))["project"]["tags"], (json{"a", "b"}));
  auto retagged = call("PATCH", "/identity/v3/projects/" + id, root_, {{"project", {{"tags", {"c"}}}}});
  EXPECT_EQ(body(retagged)["project"]["tags"], (json{"c"}));
  EXPECT_EQ(call("POST", "/identity/v3/projects", root_, {{"project", {{"name", "t2"}, {"tags", {"a/b"}}}}})->status,
            400);
  EXPECT_EQ(call("POST", "/identity/v3/projects", root_, {{"project", {{"name", "t2"}, {"tags", {"a", "a"}}}}})->status,
            400);
}

}  // namespace
}  // namespace stratus::core::identity
