// Key files and the per-key policy.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "stratus/rpc/security.h"

namespace stratus::rpc {
namespace {
namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("stratus-rpc-keys-" + std::to_string(::getpid()) + "-" +
                                                  std::to_string(counter()++))) {
    fs::remove_all(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  fs::path path_;
};

TEST(RpcSecurity, PolicyPatterns) {
  KeyPolicy k;
  k.serve = {"compute.host1"};
  k.call = {"conductor", "scheduler.*", "compute.host1"};
  EXPECT_TRUE(k.may_serve("compute", "host1"));
  EXPECT_FALSE(k.may_serve("compute", "host2"));
  EXPECT_FALSE(k.may_serve("compute", ""));
  EXPECT_FALSE(k.may_serve("conductor", "host1"));
  EXPECT_TRUE(k.may_call("conductor", ""));
  EXPECT_TRUE(k.may_call("conductor", "c1"));
  EXPECT_TRUE(k.may_call("scheduler", ""));
  EXPECT_TRUE(k.may_call("compute", "host1"));
  EXPECT_FALSE(k.may_call("compute", ""));
  EXPECT_FALSE(k.may_call("compute", "host2"));
  EXPECT_FALSE(k.may_call("computex", ""));
  KeyPolicy all;
  all.call = {"*"};
  EXPECT_TRUE(all.may_call("anything", "x"));
  EXPECT_FALSE(all.may_serve("anything", "x"));
}

TEST(RpcSecurity, GeneratesAndLoadsKeys) {
  if (!curve_available()) GTEST_SKIP() << "libzmq without CURVE";
  TempDir dir;
  auto k = generate_keypair(dir.str(), "compute-host1");
  ASSERT_TRUE(k.ok()) << k.error().to_string();
  EXPECT_EQ(k->public_key.size(), 40u);
  EXPECT_EQ(k->secret_key.size(), 40u);
  auto back = load_keypair(dir.str(), "compute-host1");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->public_key, k->public_key);
  EXPECT_EQ(back->secret_key, k->secret_key);
  EXPECT_EQ(fs::status(dir.str() + "/compute-host1.secret").permissions() & fs::perms::others_read, fs::perms::none);
  EXPECT_FALSE(generate_keypair(dir.str(), "../evil").ok());
}

TEST(RpcSecurity, AllowListReadsPolicyAndNamesBadLines) {
  if (!curve_available()) GTEST_SKIP() << "libzmq without CURVE";
  TempDir dir;
  auto k = generate_keypair(dir.str(), "compute-host1");
  ASSERT_TRUE(k.ok());
  {
    std::ofstream out(dir.str() + "/compute-host1.pub", std::ios::app);
    out << "serve = compute.host1\ncall = conductor, scheduler\n";
  }
  auto list = load_allow_list(dir.str());
  ASSERT_TRUE(list.ok()) << list.error().to_string();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).name, "compute-host1");
  EXPECT_EQ(list->at(0).public_key, k->public_key);
  EXPECT_EQ(list->at(0).serve, std::vector<std::string>{"compute.host1"});
  EXPECT_EQ(list->at(0).call, (std::vector<std::string>{"conductor", "scheduler"}));
  {
    std::ofstream out(dir.str() + "/bad.pub");
    out << "public-key = short\n";
  }
  auto bad = load_allow_list(dir.str());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("bad.pub:1"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(load_allow_list(dir.str() + "/missing").ok());
}

}  // namespace
}  // namespace stratus::rpc
