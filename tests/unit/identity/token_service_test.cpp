// TokenService (issue, validate, revoke, expiry, implied roles) and the
// "keystone" Authenticator built on it.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "core/db/token_repository.h"
#include "core/identity/identity_admin.h"
#include "core/identity/keystone_authenticator.h"
#include "core/identity/token_codec.h"
#include "core/identity/token_service.h"
#include "identity_test_support.h"

namespace stratus::core::identity {
namespace {

using sdk::StatusCode;

class TokenServiceTest : public testing::IdentityDbTest {
 protected:
  void SetUp() override {
    IdentityAdmin admin(*db_);
    ASSERT_TRUE(admin.create_user("alice", "alice-pw").ok());
    ASSERT_TRUE(admin.create_user("root", "root-pw").ok());
    ASSERT_TRUE(admin.create_project("demo").ok());
    ASSERT_TRUE(admin.create_project("empty").ok());
    ASSERT_TRUE(admin.add_role("alice", "demo", "member").ok());
    ASSERT_TRUE(admin.add_role("root", "demo", "admin").ok());
    alice_ = *admin.find_user("alice");
    root_ = *admin.find_user("root");
    demo_ = *admin.find_project("demo");
  }

  static NamedRef by_name(const std::string& name) { return {std::nullopt, name, std::nullopt, "Default"}; }
  static std::vector<std::string> role_names(const TokenInfo& info) {
    std::vector<std::string> out;
    for (const auto& r : info.record.roles) out.push_back(r.name);
    return out;
  }

  TokenService tokens_{*db_, IdentityOptions{3600}};
  db::UserRecord alice_, root_;
  db::ProjectRecord demo_;
};

TEST_F(TokenServiceTest, PasswordCheckByNameOrIdAndTheSameRefusalForEveryFailure) {
  EXPECT_EQ(tokens_.check_password(by_name("alice"), "alice-pw")->id, alice_.id);
  EXPECT_EQ(tokens_.check_password({alice_.id, std::nullopt, std::nullopt, std::nullopt}, "alice-pw")->id, alice_.id);
  NamedRef by_domain_id{std::nullopt, "alice", "default", std::nullopt};
  EXPECT_TRUE(tokens_.check_password(by_domain_id, "alice-pw").ok());

  auto wrong_password = tokens_.check_password(by_name("alice"), "nope");
  auto unknown_user = tokens_.check_password(by_name("mallory"), "alice-pw");
  auto other_domain = tokens_.check_password({std::nullopt, "alice", "other", std::nullopt}, "alice-pw");
  for (const auto* r : {&wrong_password, &unknown_user, &other_domain}) {
    EXPECT_EQ(r->status().code(), StatusCode::kNotFound);
    EXPECT_EQ(r->status().message(), kAuthenticationRequired);
  }
}

TEST_F(TokenServiceTest, ScopedTokensCarryTheImpliedRoles) {
  auto issued = tokens_.issue(root_, demo_, {"password"});
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_TRUE(is_well_formed_token(issued->token));
  EXPECT_EQ(role_names(issued->info), (std::vector<std::string>{"admin", "member", "reader"}));
  auto member = tokens_.issue(alice_, demo_, {"password"});
  EXPECT_EQ(role_names(member->info), (std::vector<std::string>{"member", "reader"}));

  auto valid = tokens_.validate(issued->token);
  ASSERT_TRUE(valid.ok()) << valid.status();
  EXPECT_EQ(valid->user.name, "root");
  ASSERT_TRUE(valid->project.has_value());
  EXPECT_EQ(valid->project->name, "demo");
  EXPECT_LT(valid->record.issued_at, valid->record.expires_at);
}

TEST_F(TokenServiceTest, OnlyTheHashIsStored) {
  auto issued = tokens_.issue(alice_, demo_, {"password"});
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(issued->info.record.id, token_hash(issued->token));
  EXPECT_TRUE(db::TokenRepository(*db_).get(token_hash(issued->token)).ok());
  EXPECT_FALSE(db::TokenRepository(*db_).get(issued->token).ok());
}

TEST_F(TokenServiceTest, ScopeNeedsARoleOnAnExistingProject) {
  EXPECT_EQ(tokens_.resolve_scope(alice_, by_name("demo"))->id, demo_.id);
  EXPECT_EQ(tokens_.resolve_scope(alice_, {demo_.id, std::nullopt, std::nullopt, std::nullopt})->id, demo_.id);
  EXPECT_EQ(tokens_.resolve_scope(alice_, by_name("empty")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tokens_.resolve_scope(alice_, by_name("nowhere")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tokens_.resolve_scope(alice_, {std::nullopt, "demo", std::nullopt, std::nullopt}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(TokenServiceTest, UnscopedTokensHaveNoProjectOrRoles) {
  auto issued = tokens_.issue(alice_, std::nullopt, {"password"});
  ASSERT_TRUE(issued.ok());
  auto valid = tokens_.validate(issued->token);
  ASSERT_TRUE(valid.ok());
  EXPECT_FALSE(valid->project.has_value());
  EXPECT_TRUE(valid->record.roles.empty());
}

TEST_F(TokenServiceTest, RevokedUnknownAndMalformedTokensAreRefused) {
  auto issued = tokens_.issue(alice_, demo_, {"password"});
  ASSERT_TRUE(tokens_.revoke(issued->token).ok());
  EXPECT_EQ(tokens_.validate(issued->token).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tokens_.revoke(issued->token).code(), StatusCode::kNotFound);
  EXPECT_EQ(tokens_.validate(new_token()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tokens_.validate("' OR 1=1 --").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tokens_.validate("").status().code(), StatusCode::kNotFound);
}

TEST_F(TokenServiceTest, ATokenOfADeletedUserIsRefused) {
  auto issued = tokens_.issue(alice_, demo_, {"password"});
  ASSERT_TRUE(IdentityAdmin(*db_).delete_user("alice").ok());
  EXPECT_EQ(tokens_.validate(issued->token).status().code(), StatusCode::kNotFound);
}

TEST_F(TokenServiceTest, TokensExpire) {
  TokenService short_lived(*db_, IdentityOptions{1});
  auto issued = short_lived.issue(alice_, demo_, {"password"});
  ASSERT_TRUE(issued.ok());
  EXPECT_TRUE(short_lived.validate(issued->token).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(short_lived.validate(issued->token).status().code(), StatusCode::kNotFound);
}

TEST_F(TokenServiceTest, AnExpiryCapIsKept) {
  auto issued = tokens_.issue(alice_, demo_, {"token"}, std::string("2000-01-01T00:00:00.000000"));
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(issued->info.record.expires_at, "2000-01-01T00:00:00.000000");
  EXPECT_FALSE(tokens_.validate(issued->token).ok());
}

TEST_F(TokenServiceTest, IssueForGivesAnInProcessToken) {
  auto issued = tokens_.issue_for("root", "demo");
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_TRUE(tokens_.validate(issued->token).ok());
  EXPECT_EQ(tokens_.issue_for("alice", "empty").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tokens_.issue_for("nobody", "demo").status().code(), StatusCode::kNotFound);
}

TEST_F(TokenServiceTest, KeystoneAuthenticatorMapsTokensToCallers) {
  auto auth = make_keystone_authenticator(tokens_);
  auto admin = auth->authenticate(tokens_.issue(root_, demo_, {"password"})->token);
  ASSERT_TRUE(admin.ok()) << admin.status();
  EXPECT_EQ(admin->user_id, root_.id);
  EXPECT_EQ(admin->project_id, demo_.id);
  EXPECT_TRUE(admin->is_admin);
  EXPECT_EQ(admin->roles, (std::vector<std::string>{"admin", "member", "reader"}));

  auto member = auth->authenticate(tokens_.issue(alice_, demo_, {"password"})->token);
  ASSERT_TRUE(member.ok());
  EXPECT_FALSE(member->is_admin);
  EXPECT_EQ(member->roles, (std::vector<std::string>{"member", "reader"}));

  EXPECT_FALSE(auth->authenticate(std::nullopt).ok());
  EXPECT_FALSE(auth->authenticate(std::string("junk")).ok());
  EXPECT_FALSE(auth->authenticate(new_token()).ok());
  // An unscoped token names no project: not enough for the project APIs.
  EXPECT_FALSE(auth->authenticate(tokens_.issue(alice_, std::nullopt, {"password"})->token).ok());
  auto revoked = tokens_.issue(alice_, demo_, {"password"})->token;
  ASSERT_TRUE(tokens_.revoke(revoked).ok());
  EXPECT_FALSE(auth->authenticate(revoked).ok());
  EXPECT_NE(auth->describe().find("keystone"), std::string::npos);
}

}  // namespace
}  // namespace stratus::core::identity
