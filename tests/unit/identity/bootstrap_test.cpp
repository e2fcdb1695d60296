// The aio identity bootstrap: admin user and projects on first start, a
// private clouds.yaml whose password works, and later starts that keep it.
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "core/identity/bootstrap.h"
#include "core/identity/identity_admin.h"
#include "core/identity/token_service.h"
#include "identity_test_support.h"

namespace stratus::core::identity {
namespace {

std::string read(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string value_of(const std::string& yaml, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(yaml, m, std::regex(key + ": \"([^\"]*)\""))) return "";
  return m[1];
}

class BootstrapTest : public testing::IdentityDbTest {};

TEST_F(BootstrapTest, FirstStartCreatesTheAdminAndAPrivateCloudsYaml) {
  auto boot = bootstrap_identity(*db_, dir_.path(), "http://127.0.0.1:8774/identity/v3");
  ASSERT_TRUE(boot.ok()) << boot.status();
  EXPECT_TRUE(boot->created_admin);
  EXPECT_TRUE(boot->clouds_yaml_written);
  EXPECT_EQ(boot->clouds_yaml, dir_.path() / "clouds.yaml");

  struct stat st{};
  ASSERT_EQ(::stat(boot->clouds_yaml.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const std::string yaml = read(boot->clouds_yaml);
  EXPECT_NE(yaml.find("  stratus:\n"), std::string::npos) << yaml;
  EXPECT_EQ(value_of(yaml, "auth_url"), "http://127.0.0.1:8774/identity/v3");
  EXPECT_EQ(value_of(yaml, "username"), "admin");
  EXPECT_EQ(value_of(yaml, "project_name"), "admin");
  EXPECT_EQ(value_of(yaml, "user_domain_name"), "Default");
  EXPECT_EQ(value_of(yaml, "project_domain_name"), "Default");
  EXPECT_EQ(value_of(yaml, "region_name"), "RegionOne");
  EXPECT_NE(yaml.find("identity_api_version: 3"), std::string::npos);
  const std::string password = value_of(yaml, "password");
  EXPECT_GE(password.size(), 24u);

  IdentityAdmin admin(*db_);
  EXPECT_TRUE(admin.find_project("service").ok());
  auto assignments = admin.list_assignments(std::string("admin"), std::nullopt);
  ASSERT_EQ(assignments->size(), 1u);
  EXPECT_EQ((*assignments)[0].role_name, "admin");
  EXPECT_EQ((*assignments)[0].project_name, "admin");

  // The password in the file logs in; it is nowhere in the database.
  TokenService tokens(*db_, IdentityOptions{});
  auto user = tokens.check_password({std::nullopt, "admin", std::nullopt, "Default"}, password);
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(read(dir_.path() / "stratus.db").find(password), std::string::npos);
}

TEST_F(BootstrapTest, LaterStartsKeepThePasswordAndFollowTheUrl) {
  auto first = bootstrap_identity(*db_, dir_.path(), "http://127.0.0.1:1111/identity/v3");
  ASSERT_TRUE(first.ok());
  const std::string password = value_of(read(first->clouds_yaml), "password");

  auto again = bootstrap_identity(*db_, dir_.path(), "http://127.0.0.1:2222/identity/v3");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->created_admin);
  EXPECT_TRUE(again->clouds_yaml_written);
  const std::string yaml = read(again->clouds_yaml);
  EXPECT_EQ(value_of(yaml, "password"), password);
  EXPECT_EQ(value_of(yaml, "auth_url"), "http://127.0.0.1:2222/identity/v3");
  EXPECT_EQ(IdentityAdmin(*db_).list_users()->size(), 1u);

  std::filesystem::remove(again->clouds_yaml);
  auto without = bootstrap_identity(*db_, dir_.path(), "http://127.0.0.1:3333/identity/v3");
  ASSERT_TRUE(without.ok());
  EXPECT_FALSE(without->created_admin);
  EXPECT_FALSE(without->clouds_yaml_written);
  EXPECT_FALSE(std::filesystem::exists(without->clouds_yaml));
}

TEST_F(BootstrapTest, ExistingUsersMeanNoBootstrapAdmin) {
  ASSERT_TRUE(IdentityAdmin(*db_).create_user("someone", "pw").ok());
  auto boot = bootstrap_identity(*db_, dir_.path(), "http://127.0.0.1:8774/identity/v3");
  ASSERT_TRUE(boot.ok());
  EXPECT_FALSE(boot->created_admin);
  EXPECT_FALSE(IdentityAdmin(*db_).find_user("admin").ok());
}

TEST(CloudsYaml, QuotesValues) {
  const std::string yaml = clouds_yaml_text("http://h/identity/v3", "us\"er", "p\\w", "proj");
  EXPECT_NE(yaml.find("username: \"us\\\"er\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("password: \"p\\\\w\""), std::string::npos) << yaml;
}

}  // namespace
}  // namespace stratus::core::identity
