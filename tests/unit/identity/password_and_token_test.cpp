// The password hasher (libsodium Argon2id strings) and the token codec
// (random url-safe tokens, stored as SHA-256 hex).
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "core/identity/password_hash.h"
#include "core/identity/token_codec.h"

namespace stratus::core::identity {
namespace {

TEST(PasswordHash, VerifiesTheRightPasswordOnly) {
  auto hash = hash_password("correct horse");
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(verify_password(*hash, "correct horse"));
  EXPECT_FALSE(verify_password(*hash, "correct horsE"));
  EXPECT_FALSE(verify_password(*hash, ""));
}

TEST(PasswordHash, SaltsEachHash) {
  auto a = hash_password("same");
  auto b = hash_password("same");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(verify_password(*a, "same"));
  EXPECT_TRUE(verify_password(*b, "same"));
}

TEST(PasswordHash, RefusesEmptyAndHugePasswordsAndNeverMatchesJunk) {
  EXPECT_EQ(hash_password("").status().code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_EQ(hash_password(std::string(5000, 'x')).status().code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("not a hash", "not a hash"));
  EXPECT_FALSE(verify_password(std::string(500, '$'), "x"));
}

TEST(TokenCodec, TokensAreRandomUrlSafeAndWellFormed) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string t = new_token();
    EXPECT_EQ(t.size(), 43u);
    EXPECT_TRUE(is_well_formed_token(t)) << t;
    EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
}

// A leading '-' would read as an option on a command line (openstack token
// revoke); 5000 draws would give about 78 such tokens without the redraw.
TEST(TokenCodec, NoTokenStartsWithADash) {
  for (int i = 0; i < 5000; ++i) {
    const std::string t = new_token();
    ASSERT_NE(t.front(), '-') << t;
  }
}

TEST(TokenCodec, MalformedTokensAreRecognised) {
  std::string t = new_token();
  EXPECT_FALSE(is_well_formed_token(""));
  EXPECT_FALSE(is_well_formed_token(t.substr(1)));
  EXPECT_FALSE(is_well_formed_token(t + "A"));
  EXPECT_FALSE(is_well_formed_token(std::string(42, 'a') + "="));
  EXPECT_FALSE(is_well_formed_token(std::string(42, 'a') + "/"));
  EXPECT_FALSE(is_well_formed_token(std::string(42, 'a') + "\n"));
}

TEST(TokenCodec, HashIsSha256Hex) {
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string t = new_token();
  EXPECT_EQ(token_hash(t), token_hash(t));
  EXPECT_NE(token_hash(t), t);
}

TEST(TokenCodec, IdsAreHex) {
  std::string id = new_hex_id();
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(new_hex_id(), id);
  EXPECT_FALSE(new_audit_id().empty());
}

}  // namespace
}  // namespace stratus::core::identity
