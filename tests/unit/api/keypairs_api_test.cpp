// os-keypairs over real HTTP on loopback against a real database: import with
// Nova's MD5 fingerprint (checked against `ssh-keygen -l -E md5`), generation
// of an ed25519 key in OpenSSH's formats, per-user ownership, bad input
// rejected with nothing written. Also the MD5 implementation (RFC 1321).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "api_test_support.h"
#include <httplib.h>

#include "core/http/api_server.h"
#include "core/compute/api/keypairs_controller.h"
#include "core/common/digest.h"
#include "core/db/database.h"
#include "core/db/keypair_repository.h"
#include "core/db/quota_repository.h"
#include "core/db/seed.h"

namespace stratus::core::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Generated with ssh-keygen; fingerprints from `ssh-keygen -l -E md5 -f`.
constexpr const char* kEd25519 =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEKE01Yf/G9YFc478C9xZJs/eZIJ/IKRcaQvomOh+m9c test@stratus";
constexpr const char* kEd25519Md5 = "56:33:90:ec:46:c0:92:5f:06:be:34:55:26:de:83:e5";
constexpr const char* kRsa =
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDGetfpmLkDL9avNVz9ANx2IX+70vfmGtZ0aAbrNrfiCJQ7DlVfbIWH6wCT2XvbNexIo2tmgjp6t33"
    "O9xzyI2Zdeb+12DP6NNafOEswqYcz8Dc2w30A4MZXwWeuTXT+wYPmpgdsCULE+5P9EpGk1EsTu0BcpSjH7mFR7hEODRAq0w== rsa";
constexpr const char* kRsaMd5 = "39:8f:fe:8c:1d:e9:53:76:e3:86:2b:81:20:30:27:83";
constexpr const char* kEcdsa =
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHeqJ/r9wNUuvYi2RYRVuysB1SC+1/pOeHm7F5w+c1Q0"
    "gDvAPlTsFWCxukb3SQwzMsKaGS/LscY1PcCyhUKrc4E= ec";
constexpr const char* kEcdsaMd5 = "9e:d9:20:f8:e8:da:db:21:3d:db:f8:cb:06:51:6b:5b";

TEST(Md5, Rfc1321TestSuite) {
  EXPECT_EQ(common::md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(common::md5_hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(common::md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(common::md5_hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(common::md5_hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(common::md5_hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(common::md5_hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Md5, PaddingBoundaries) {
  // 55, 56, 63, 64 and 65 bytes cross the one/two padding block boundary.
  EXPECT_EQ(common::md5_hex(std::string(55, 'a')), "ef1772b6dff9a122358552954ad0df65");
  EXPECT_EQ(common::md5_hex(std::string(56, 'a')), "3b0c8ac703f828b04c6c197006d17218");
  EXPECT_EQ(common::md5_hex(std::string(64, 'a')), "014842d480b571495a4a0363793f7367");
}

TEST(SshFingerprint, MatchesSshKeygen) {
  EXPECT_EQ(ssh_public_key_fingerprint(kEd25519).value(), kEd25519Md5);
  EXPECT_EQ(ssh_public_key_fingerprint(kRsa).value(), kRsaMd5);
  EXPECT_EQ(ssh_public_key_fingerprint(kEcdsa).value(), kEcdsaMd5);
}

TEST(SshFingerprint, RejectsMalformedKeys) {
  const std::string ed(kEd25519);
  const std::string blob = ed.substr(12, ed.find(' ', 12) - 12);
  for (const std::string& bad : {std::string(""), std::string("ssh-ed25519"), std::string("ssh-dss AAAA"),
                                 std::string("ssh-ed25519 not!base64"), "ssh-rsa " + blob,  // type mismatch
                                 "ssh-ed25519 " + blob.substr(0, blob.size() - 8)}) {
    auto fp = ssh_public_key_fingerprint(bad);
    ASSERT_FALSE(fp.ok()) << bad;
    EXPECT_TRUE(fp.status().is(sdk::StatusCode::kInvalidArgument));
    EXPECT_EQ(fp.status().message().rfind("Keypair data is invalid: ", 0), 0u) << fp.status().message();
  }
}

class KeypairsApi : public test_support::ApiTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open_database());
    ASSERT_NO_FATAL_FAILURE(start_server([](ApiServer& s, db::Database& db) {
      add_keypair_routes(s, db);
    }));
  }
  httplib::Result post(const json& b, const std::string& token = "member") {
    return client_->Post("/v2.1/os-keypairs", as(token), b.dump(), "application/json");
  }
  size_t count(const std::string& user) { return db::KeypairRepository(*db_).list(user)->size(); }

};

TEST_F(KeypairsApi, ImportListShowDelete) {
  auto created = post({{"keypair", {{"name", "mykey"}, {"public_key", kEd25519}}}});
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  json kp = body(created)["keypair"];
  EXPECT_EQ(keys(kp), (std::set<std::string>{"fingerprint", "name", "public_key", "user_id"}));
  EXPECT_EQ(kp["fingerprint"], kEd25519Md5);
  EXPECT_EQ(kp["user_id"], "u-member");
  EXPECT_EQ(kp["public_key"], kEd25519);

  auto list = client_->Get("/v2.1/os-keypairs", as("member"));
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  json items = body(list)["keypairs"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(keys(items[0]), (std::set<std::string>{"keypair"}));
  EXPECT_EQ(keys(items[0]["keypair"]), (std::set<std::string>{"fingerprint", "name", "public_key"}));

  auto show = client_->Get("/v2.1/os-keypairs/mykey", as("member"));
  ASSERT_TRUE(show);
  ASSERT_EQ(show->status, 200);
  json s = body(show)["keypair"];
  EXPECT_EQ(keys(s), (std::set<std::string>{"created_at", "deleted", "deleted_at", "fingerprint", "id", "name",
                                            "public_key", "updated_at", "user_id"}));
  EXPECT_EQ(s["deleted"], false);
  EXPECT_TRUE(s["id"].is_number_integer());
  EXPECT_GT(s["id"].get<int>(), 0);

  // Another user neither sees nor deletes it.
  EXPECT_EQ(body(client_->Get("/v2.1/os-keypairs", as("admin")))["keypairs"].size(), 0u);
  auto other = client_->Get("/v2.1/os-keypairs/mykey", as("admin"));
  EXPECT_EQ(other->status, 404);
  EXPECT_EQ(body(other)["itemNotFound"]["message"], "Keypair mykey not found for user u-admin");
  EXPECT_EQ(client_->Delete("/v2.1/os-keypairs/mykey", as("admin"))->status, 404);

  auto del = client_->Delete("/v2.1/os-keypairs/mykey", as("member"));
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 202);
  EXPECT_EQ(count("u-member"), 0u);
  EXPECT_EQ(client_->Get("/v2.1/os-keypairs/mykey", as("member"))->status, 404);
}

TEST_F(KeypairsApi, RsaAndEcdsaImportWithSshKeygensFingerprint) {
  auto rsa = post({{"keypair", {{"name", "rsa key"}, {"public_key", kRsa}}}});
  ASSERT_EQ(rsa->status, 200) << rsa->body;
  EXPECT_EQ(body(rsa)["keypair"]["fingerprint"], kRsaMd5);
  auto ec = post({{"keypair", {{"name", "ec_key-1"}, {"public_key", kEcdsa}}}});
  ASSERT_EQ(ec->status, 200) << ec->body;
  EXPECT_EQ(body(ec)["keypair"]["fingerprint"], kEcdsaMd5);
}

TEST_F(KeypairsApi, DuplicateNameIsAConflict) {
  ASSERT_EQ(post({{"keypair", {{"name", "k"}, {"public_key", kEd25519}}}})->status, 200);
  auto dup = post({{"keypair", {{"name", "k"}, {"public_key", kRsa}}}});
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->status, 409);
  EXPECT_EQ(body(dup)["conflictingRequest"]["message"], "Key pair 'k' already exists.");
  EXPECT_EQ(count("u-member"), 1u);
}

// Nova counts a user's key pairs against the project's key_pairs limit and
// the user's own (os-quota-sets ?user_id=), the lower of the two.
TEST_F(KeypairsApi, KeyPairQuotaOfTheProjectAndOfTheUser) {
  db::QuotaRepository quotas(*db_);
  ASSERT_TRUE(quotas.set_limit("p-member", "key_pairs", 2).ok());
  ASSERT_EQ(post({{"keypair", {{"name", "k1"}, {"public_key", kEd25519}}}})->status, 200);
  ASSERT_EQ(post({{"keypair", {{"name", "k2"}, {"public_key", kRsa}}}})->status, 200);
  auto over = post({{"keypair", {{"name", "k3"}, {"public_key", kEcdsa}}}});
  ASSERT_TRUE(over);
  EXPECT_EQ(over->status, 403);
  EXPECT_EQ(body(over)["forbidden"]["message"], "Quota exceeded, too many key pairs.");
  // A user's own higher limit does not lift the project's.
  ASSERT_TRUE(quotas.set_user_limits("p-member", "u-member", {{"key_pairs", 5}}).ok());
  EXPECT_EQ(post({{"keypair", {{"name", "k3"}, {"public_key", kEcdsa}}}})->status, 403);
  // A lower one binds.
  ASSERT_TRUE(quotas.set_limit("p-member", "key_pairs", 100).ok());
  ASSERT_TRUE(quotas.set_user_limits("p-member", "u-member", {{"key_pairs", 2}}).ok());
  EXPECT_EQ(post({{"keypair", {{"name", "k3"}, {"public_key", kEcdsa}}}})->status, 403);
  EXPECT_EQ(count("u-member"), 2u);
  ASSERT_TRUE(quotas.reset_user_limits("p-member", "u-member").ok());
  EXPECT_EQ(post({{"keypair", {{"name", "k3"}, {"public_key", kEcdsa}}}})->status, 200);
}

TEST_F(KeypairsApi, BadInputIsRejectedAndNothingWritten) {
  auto bad_key = post({{"keypair", {{"name", "k"}, {"public_key", "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIEKE"}}}});
  ASSERT_TRUE(bad_key);
  EXPECT_EQ(bad_key->status, 400);
  EXPECT_EQ(body(bad_key)["badRequest"]["message"].get<std::string>().rfind("Keypair data is invalid: ", 0), 0u);

  for (const json& b : {json{{"keypair", {{"name", "bad/name"}, {"public_key", kEd25519}}}},
                        json{{"keypair", {{"name", "a.b"}, {"public_key", kEd25519}}}},
                        json{{"keypair", {{"name", ""}, {"public_key", kEd25519}}}},
                        json{{"keypair", {{"name", std::string(256, 'a')}, {"public_key", kEd25519}}}}}) {
    auto r = post(b);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << b.dump();
    EXPECT_NE(body(r)["badRequest"]["message"].get<std::string>().find("name"), std::string::npos) << r->body;
  }
  auto extra = post({{"keypair", {{"name", "k"}, {"public_key", kEd25519}, {"type", "ssh"}}}});
  EXPECT_EQ(extra->status, 400);  // "type" arrives with 2.2
  auto missing = post({{"keypair", {{"public_key", kEd25519}}}});
  EXPECT_EQ(missing->status, 400);
  EXPECT_NE(body(missing)["badRequest"]["message"].get<std::string>().find("name"), std::string::npos);
  EXPECT_EQ(count("u-member"), 0u);
}

TEST_F(KeypairsApi, GeneratesAnEd25519KeyPairInOpenSshFormats) {
  auto r = post({{"keypair", {{"name", "gen"}}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json kp = body(r)["keypair"];
  EXPECT_EQ(keys(kp), (std::set<std::string>{"fingerprint", "name", "private_key", "public_key", "user_id"}));
  const std::string pub = kp["public_key"].get<std::string>();
  const std::string priv = kp["private_key"].get<std::string>();
  EXPECT_EQ(pub.rfind("ssh-ed25519 ", 0), 0u);
  EXPECT_EQ(ssh_public_key_fingerprint(pub).value(), kp["fingerprint"]);
  EXPECT_EQ(priv.rfind("-----BEGIN OPENSSH PRIVATE KEY-----\n", 0), 0u);
  EXPECT_NE(priv.find("-----END OPENSSH PRIVATE KEY-----\n"), std::string::npos);
  // The private key is handed out once: show has none.
  EXPECT_FALSE(body(client_->Get("/v2.1/os-keypairs/gen", as("member")))["keypair"].contains("private_key"));

  // OpenSSH itself reads the private key back to the same public key.
  if (std::system("command -v ssh-keygen >/dev/null 2>&1") != 0) GTEST_SKIP() << "ssh-keygen not installed";
  const fs::path key = dir_ / "gen_key";
  {
    std::ofstream(key) << priv;
  }
  ::chmod(key.c_str(), 0600);
  const std::string cmd = "ssh-keygen -y -f " + key.string();
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[512] = {};
  std::string out;
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  ASSERT_EQ(::pclose(p), 0) << out;
  // ssh-keygen -y prints "type base64 comment".
  EXPECT_EQ(out.substr(0, out.find(' ', 12)), pub.substr(0, pub.find(' ', 12)));
}

TEST_F(KeypairsApi, MicroversionsTypeUserIdPagingAndRequiredKey) {
  auto import = [&](const std::string& name, const std::string& version, const std::string& extra = "") {
    return client_->Post("/v2.1/os-keypairs", as("member", version),
                         R"({"keypair": {"name": ")" + name + R"(", "public_key": ")" + std::string(kEd25519) + "\"" + extra + "}}",
                         "application/json");
  };
  auto at22 = import("k22", "2.2", R"(, "type": "ssh")");
  ASSERT_EQ(at22->status, 201) << at22->body;
  EXPECT_EQ(body(at22)["keypair"]["type"], "ssh");
  EXPECT_EQ(import("k21", "2.1", R"(, "type": "ssh")")->status, 400);  // no type before 2.2
  // x509: generated (a certificate and its key), then the certificate imported.
  auto gen = client_->Post("/v2.1/os-keypairs", as("member", "2.2"), R"({"keypair": {"name": "cert", "type": "x509"}})",
                           "application/json");
  ASSERT_EQ(gen->status, 201) << gen->body;
  json cert = body(gen)["keypair"];
  EXPECT_EQ(cert["type"], "x509");
  EXPECT_EQ(cert["public_key"].get<std::string>().rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_NE(cert["private_key"].get<std::string>().find("PRIVATE KEY-----"), std::string::npos);
  EXPECT_EQ(cert["fingerprint"].get<std::string>().size(), 59u);  // SHA-1, 20 colon-separated bytes
  auto imported = client_->Post("/v2.1/os-keypairs", as("member", "2.2"),
                                json{{"keypair", {{"name", "cert2"}, {"type", "x509"}, {"public_key", cert["public_key"]}}}}.dump(),
                                "application/json");
  ASSERT_EQ(imported->status, 201) << imported->body;
  EXPECT_EQ(body(imported)["keypair"]["fingerprint"], cert["fingerprint"]);
  EXPECT_EQ(client_->Post("/v2.1/os-keypairs", as("member", "2.2"),
                          R"({"keypair": {"name": "cert3", "type": "x509", "public_key": "not a certificate"}})",
                          "application/json")->status, 400);
  ASSERT_EQ(client_->Delete("/v2.1/os-keypairs/cert", as("member", "2.2"))->status, 204);
  ASSERT_EQ(client_->Delete("/v2.1/os-keypairs/cert2", as("member", "2.2"))->status, 204);
  auto shown = body(client_->Get("/v2.1/os-keypairs/k22", as("member", "2.2")))["keypair"];
  EXPECT_EQ(shown["type"], "ssh");
  // 2.10: an admin acts for another user; a member may not.
  auto for_member = client_->Post("/v2.1/os-keypairs", as("admin", "2.10"),
                                  R"({"keypair": {"name": "given", "user_id": "u-member", "public_key": ")" +
                                      std::string(kRsa) + "\"}}",
                                  "application/json");
  ASSERT_EQ(for_member->status, 201) << for_member->body;
  EXPECT_EQ(body(for_member)["keypair"]["user_id"], "u-member");
  EXPECT_EQ(client_->Get("/v2.1/os-keypairs/given", as("member"))->status, 200);
  EXPECT_EQ(client_->Get("/v2.1/os-keypairs/given?user_id=u-member", as("admin", "2.10"))->status, 200);
  EXPECT_EQ(client_->Get("/v2.1/os-keypairs?user_id=u-admin", as("member", "2.10"))->status, 403);
  // 2.35 paging by name.
  json page = body(client_->Get("/v2.1/os-keypairs?limit=1", as("member", "2.35")));
  ASSERT_EQ(page["keypairs"].size(), 1u);
  EXPECT_TRUE(page.contains("keypairs_links"));
  const std::string first = page["keypairs"][0]["keypair"]["name"];
  json rest = body(client_->Get("/v2.1/os-keypairs?marker=" + first, as("member", "2.35")));
  EXPECT_EQ(rest["keypairs"].size(), 1u);
  EXPECT_EQ(client_->Get("/v2.1/os-keypairs?marker=nope", as("member", "2.35"))->status, 400);
  // 2.92: no generation; '.' and '@' allowed in names.
  EXPECT_EQ(client_->Post("/v2.1/os-keypairs", as("member", "2.92"), R"({"keypair": {"name": "gen"}})", "application/json")
                ->status, 400);
  EXPECT_EQ(import("me@host.example", "2.92")->status, 201);
  EXPECT_EQ(client_->Delete("/v2.1/os-keypairs/k22", as("member", "2.2"))->status, 204);
}

}  // namespace
}  // namespace stratus::core::api
