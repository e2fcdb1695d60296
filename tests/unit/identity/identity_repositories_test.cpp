// Users, projects, roles and assignments in the database, through
// IdentityAdmin (what `stratus user|project|role` run) and the repositories.
#include <gtest/gtest.h>

#include "core/db/role_repository.h"
#include "core/db/token_repository.h"
#include "core/db/user_repository.h"
#include "core/identity/identity_admin.h"
#include "core/identity/password_hash.h"
#include "identity_test_support.h"

namespace stratus::core::identity {
namespace {

using sdk::StatusCode;

class IdentityAdminTest : public testing::IdentityDbTest {
 protected:
  IdentityAdmin admin_{*db_};
};

TEST_F(IdentityAdminTest, MigrationCreatesTheThreeRoles) {
  auto roles = admin_.list_roles();
  ASSERT_TRUE(roles.ok()) << roles.status();
  ASSERT_EQ(roles->size(), 3u);
  EXPECT_EQ((*roles)[0].name, "admin");
  EXPECT_EQ((*roles)[1].name, "member");
  EXPECT_EQ((*roles)[2].name, "reader");
  EXPECT_EQ((*roles)[0].id.size(), 32u);
}

TEST_F(IdentityAdminTest, CreatesUsersWithHashedPasswordsAndFindsThemByNameOrId) {
  auto alice = admin_.create_user("alice", "s3cret");
  ASSERT_TRUE(alice.ok()) << alice.status();
  EXPECT_EQ(alice->id.size(), 32u);
  EXPECT_EQ(alice->domain_id, "default");
  EXPECT_NE(alice->password_hash, "s3cret");
  EXPECT_TRUE(verify_password(alice->password_hash, "s3cret"));
  EXPECT_EQ(admin_.find_user("alice")->id, alice->id);
  EXPECT_EQ(admin_.find_user(alice->id)->name, "alice");
  auto missing = admin_.find_user("bob");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "Could not find user: bob.");
}

TEST_F(IdentityAdminTest, DuplicateAndBadNamesAreRefusedAndChangeNothing) {
  ASSERT_TRUE(admin_.create_user("alice", "one").ok());
  auto again = admin_.create_user("alice", "two");
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(), "User 'alice' already exists.");
  EXPECT_TRUE(verify_password(admin_.find_user("alice")->password_hash, "one"));

  EXPECT_EQ(admin_.create_user("", "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(admin_.create_user("   ", "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(admin_.create_user("a\nb", "x").status().message(), "user name contains a control character");
  EXPECT_EQ(admin_.create_user(std::string(256, 'a'), "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(admin_.create_user("nopass", "").status().message(), "the password is empty");
  EXPECT_EQ(admin_.list_users()->size(), 1u);

  ASSERT_TRUE(admin_.create_project("demo").ok());
  EXPECT_EQ(admin_.create_project("demo").status().message(), "Project 'demo' already exists.");
  EXPECT_EQ(admin_.list_projects()->size(), 1u);
}

TEST_F(IdentityAdminTest, RoleAssignmentsAddListAndRemove) {
  ASSERT_TRUE(admin_.create_user("alice", "pw").ok());
  ASSERT_TRUE(admin_.create_user("bob", "pw").ok());
  ASSERT_TRUE(admin_.create_project("demo").ok());
  ASSERT_TRUE(admin_.create_project("ops").ok());
  ASSERT_TRUE(admin_.add_role("alice", "demo", "member").ok());
  ASSERT_TRUE(admin_.add_role("alice", "demo", "member").ok());  // idempotent
  ASSERT_TRUE(admin_.add_role("bob", "ops", "admin").ok());

  auto all = admin_.list_assignments(std::nullopt, std::nullopt);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].project_name, "demo");
  EXPECT_EQ((*all)[0].user_name, "alice");
  EXPECT_EQ((*all)[0].role_name, "member");
  auto bobs = admin_.list_assignments(std::string("bob"), std::nullopt);
  ASSERT_EQ(bobs->size(), 1u);
  EXPECT_EQ((*bobs)[0].role_name, "admin");
  EXPECT_EQ(admin_.list_assignments(std::nullopt, std::string("ops"))->size(), 1u);

  EXPECT_EQ(admin_.add_role("carol", "demo", "member").message(), "Could not find user: carol.");
  EXPECT_EQ(admin_.add_role("alice", "nowhere", "member").message(), "Could not find project: nowhere.");
  EXPECT_EQ(admin_.add_role("alice", "demo", "owner").message(), "Could not find role: owner.");
  EXPECT_EQ(admin_.remove_role("alice", "demo", "admin").message(), "User alice has no role admin on project demo.");

  auto alice = admin_.find_user("alice");
  auto projects = db::RoleRepository(*db_).projects_of(alice->id);
  ASSERT_EQ(projects->size(), 1u);
  EXPECT_EQ((*projects)[0].name, "demo");

  ASSERT_TRUE(admin_.remove_role("alice", "demo", "member").ok());
  EXPECT_EQ(admin_.list_assignments(std::string("alice"), std::nullopt)->size(), 0u);
}

TEST_F(IdentityAdminTest, DeletingAUserOrProjectTakesItsAssignmentsAndTokens) {
  ASSERT_TRUE(admin_.create_user("alice", "pw").ok());
  ASSERT_TRUE(admin_.create_project("demo").ok());
  ASSERT_TRUE(admin_.add_role("alice", "demo", "member").ok());
  auto alice = admin_.find_user("alice");
  db::TokenRecord token{"hash1", alice->id, std::nullopt, {}, {"password"}, "audit", "2026-01-01T00:00:00.000000",
                        "2099-01-01T00:00:00.000000", false, std::nullopt};
  ASSERT_TRUE(db::TokenRepository(*db_).insert(token).ok());

  ASSERT_TRUE(admin_.delete_project("demo").ok());
  EXPECT_EQ(admin_.list_assignments(std::nullopt, std::nullopt)->size(), 0u);
  ASSERT_TRUE(admin_.delete_user("alice").ok());
  EXPECT_EQ(db::TokenRepository(*db_).get("hash1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(admin_.delete_user("alice").message(), "Could not find user: alice.");
  EXPECT_EQ(admin_.delete_project("demo").message(), "Could not find project: demo.");
}

TEST_F(IdentityAdminTest, SetPasswordReplacesTheHash) {
  ASSERT_TRUE(admin_.create_user("alice", "old").ok());
  ASSERT_TRUE(admin_.set_password("alice", "new").ok());
  auto alice = admin_.find_user("alice");
  EXPECT_TRUE(verify_password(alice->password_hash, "new"));
  EXPECT_FALSE(verify_password(alice->password_hash, "old"));
  EXPECT_EQ(admin_.set_password("bob", "x").message(), "Could not find user: bob.");
}

TEST_F(IdentityAdminTest, SetPasswordAndRemoveRoleRevokeTokens) {
  ASSERT_TRUE(admin_.create_user("alice", "old").ok());
  ASSERT_TRUE(admin_.create_project("demo").ok());
  ASSERT_TRUE(admin_.create_project("other").ok());
  ASSERT_TRUE(admin_.add_role("alice", "demo", "member").ok());
  ASSERT_TRUE(admin_.add_role("alice", "other", "member").ok());
  auto alice = admin_.find_user("alice");
  auto token = [&](const std::string& id, const std::string& project) {
    db::TokenRecord t{id, alice->id, admin_.find_project(project)->id, {}, {"password"}, "audit",
                      "2026-01-01T00:00:00.000000", "2099-01-01T00:00:00.000000", false, std::nullopt};
    EXPECT_TRUE(db::TokenRepository(*db_).insert(t).ok());
  };
  token("on-demo", "demo");
  token("on-other", "other");
  ASSERT_TRUE(admin_.remove_role("alice", "demo", "member").ok());
  EXPECT_TRUE(db::TokenRepository(*db_).get("on-demo")->revoked);
  EXPECT_FALSE(db::TokenRepository(*db_).get("on-other")->revoked);
  ASSERT_TRUE(admin_.set_password("alice", "new").ok());
  EXPECT_TRUE(db::TokenRepository(*db_).get("on-other")->revoked);
  EXPECT_EQ(admin_.set_password("alice", "").message(), "the password is empty");
}

TEST_F(IdentityAdminTest, TokenRowsRoundTripRevokeAndPurge) {
  ASSERT_TRUE(admin_.create_user("alice", "pw").ok());
  auto p = admin_.create_project("demo");
  auto alice = admin_.find_user("alice");
  db::TokenRepository tokens(*db_);
  db::TokenRecord rec{"h-live", alice->id, p->id, {{"r1", "member"}, {"r2", "reader"}}, {"password", "token"},
                      "audit", "2026-01-01T00:00:00.000000", "2099-01-01T00:00:00.000000", false, std::nullopt};
  ASSERT_TRUE(tokens.insert(rec).ok());
  db::TokenRecord old = rec;
  old.id = "h-old";
  old.expires_at = "2000-01-01T00:00:00.000000";
  ASSERT_TRUE(tokens.insert(old).ok());

  auto got = tokens.get("h-live");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->project_id, p->id);
  ASSERT_EQ(got->roles.size(), 2u);
  EXPECT_EQ(got->roles[1].name, "reader");
  EXPECT_EQ(got->methods, (std::vector<std::string>{"password", "token"}));
  EXPECT_FALSE(got->revoked);

  ASSERT_TRUE(tokens.revoke("h-live").ok());
  EXPECT_TRUE(tokens.get("h-live")->revoked);
  EXPECT_EQ(tokens.revoke("nope").code(), StatusCode::kNotFound);

  EXPECT_EQ(*tokens.purge_expired("2026-01-01T00:00:00.000000"), 1);
  EXPECT_EQ(tokens.get("h-old").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(tokens.get("h-live").ok());

  db::TokenRecord orphan = rec;
  orphan.id = "h-orphan";
  orphan.user_id = "no-such-user";
  EXPECT_EQ(tokens.insert(orphan).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stratus::core::identity
