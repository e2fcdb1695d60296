// Logging in like every OpenStack client: clouds.yaml lookup and parsing,
// the OS_* variables, the Keystone request, the catalog, and `stratus server
// list` end to end against an in-process Keystone whose catalog points at
// FakeNova.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "core/cli/client/client_commands.h"
#include "core/cli/client/cloud_config.h"
#include "core/cli/client/keystone_login.h"
#include "command_runner.h"
#include "fake_nova.h"

namespace stratus::core::client {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kLoginVars[] = {
    "STRATUS_URL", "STRATUS_TOKEN", "STRATUS_COMPUTE_API_VERSION", "OS_CLOUD", "OS_CLIENT_CONFIG_FILE",
    "OS_AUTH_TYPE", "OS_AUTH_URL", "OS_USERNAME", "OS_USER_ID", "OS_PASSWORD", "OS_USER_DOMAIN_NAME",
    "OS_USER_DOMAIN_ID", "OS_PROJECT_NAME", "OS_PROJECT_ID", "OS_PROJECT_DOMAIN_NAME", "OS_PROJECT_DOMAIN_ID",
    "OS_APPLICATION_CREDENTIAL_ID", "OS_APPLICATION_CREDENTIAL_NAME", "OS_APPLICATION_CREDENTIAL_SECRET",
    "OS_REGION_NAME", "OS_INTERFACE"};

// A Keystone that knows one user (alice / s3cret in Default, project demo)
// and one application credential (ac-1 / ac-secret), and answers with a
// catalog whose compute endpoints are `compute_url` (public, RegionOne) and
// http://internal.invalid/v2.1 (internal, RegionTwo).
class FakeKeystone {
 public:
  explicit FakeKeystone(std::string compute_url) : compute_url_(std::move(compute_url)) {
    http_.Post("/identity/v3/auth/tokens", [this](const httplib::Request& req, httplib::Response& res) {
      const json body = json::parse(req.body, nullptr, false);
      {
        std::lock_guard lock(mu_);
        bodies_.push_back(body);
      }
      const json identity = body.value("auth", json::object()).value("identity", json::object());
      bool ok = false;
      if (identity.value("methods", json::array()) == json::array({"password"})) {
        const json user = identity["password"]["user"];
        ok = user.value("name", "") == "alice" && user.value("password", "") == "s3cret";
      } else if (identity.value("methods", json::array()) == json::array({"application_credential"})) {
        const json cred = identity["application_credential"];
        ok = cred.value("id", "") == "ac-1" && cred.value("secret", "") == "ac-secret";
      }
      if (!ok) {
        res.status = 401;
        res.set_content(R"({"error": {"code": 401, "message": "The request you have made requires authentication.",)"
                        R"( "title": "Unauthorized"}})",
                        "application/json");
        return;
      }
      json catalog = json::array(
          {{{"type", "identity"}, {"endpoints", json::array({{{"interface", "public"}, {"region_id", "RegionOne"},
                                                                {"url", "http://127.0.0.1/identity"}}})}},
           {{"type", "compute"},
            {"endpoints", json::array({{{"interface", "public"}, {"region_id", "RegionOne"}, {"url", compute_url_}},
                                       {{"interface", "internal"},
                                        {"region_id", "RegionTwo"},
                                        {"url", "http://internal.invalid/v2.1"}}})}}});
      if (without_compute_) catalog.erase(1);
      res.status = 201;
      res.set_header("X-Subject-Token", "tok-123");
      res.set_content(json{{"token", {{"catalog", catalog}}}}.dump(), "application/json");
    });
    port_ = http_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { http_.listen_after_bind(); });
    // A stop() before the listener runs is lost (cpp-httplib), and the join
    // in the destructor would wait forever: start only once it runs.
    for (int i = 0; i < 5000 && !http_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~FakeKeystone() {
    http_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/identity"; }
  std::vector<json> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  void drop_compute() { without_compute_ = true; }

 private:
  std::string compute_url_;
  httplib::Server http_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<json> bodies_;
  std::atomic<bool> without_compute_{false};
};

AuthSettings cloud_named(const std::string& name) {
  AuthSettings s;
  s.cloud = name;
  return s;
}

using test::Outcome;

class LoginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* var : kLoginVars) ::unsetenv(var);
    dir_ = fs::temp_directory_path() / ("stratus-login-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    for (const char* var : kLoginVars) ::unsetenv(var);
    fs::remove_all(dir_);
  }

  fs::path write_clouds(const std::string& text) {
    const fs::path file = dir_ / "clouds.yaml";
    std::ofstream(file) << text;
    return file;
  }

  std::string alice_cloud(const std::string& password = "s3cret") {
    return "clouds:\n"
           "  other:\n"
           "    auth: {auth_url: 'http://127.0.0.1:1/identity'}\n"
           "  mycloud:\n"
           "    auth:\n"
           "      auth_url: " + keystone_.url() + "\n"
           "      username: alice\n"
           "      password: \"" + password + "\"\n"
           "      project_name: demo\n"
           "      user_domain_name: Default\n"
           "      project_domain_name: Default\n"
           "    region_name: RegionOne\n"
           "    interface: public\n"
           "    identity_api_version: 3\n";
  }

  Outcome run(const std::vector<std::string>& args) { return test::run_client_command(args); }

  test::FakeNova nova_;
  FakeKeystone keystone_{nova_.url()};
  fs::path dir_;
};

TEST_F(LoginTest, ServerListWithOnlyOsCloudLogsInAndUsesTheCatalogEndpoint) {
  nova_.add_server("0b3b5c7e-1111-4000-8000-000000000001", "web");
  const fs::path file = write_clouds(alice_cloud());
  ::setenv("OS_CLIENT_CONFIG_FILE", file.c_str(), 1);
  ::setenv("OS_CLOUD", "mycloud", 1);
  const Outcome r = run({"server", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("| web "), std::string::npos) << r.out;
  const auto bodies = keystone_.bodies();
  ASSERT_EQ(bodies.size(), 1u);
  const json& auth = bodies[0]["auth"];
  EXPECT_EQ(auth["identity"]["password"]["user"],
            (json{{"name", "alice"}, {"password", "s3cret"}, {"domain", {{"name", "Default"}}}}));
  EXPECT_EQ(auth["scope"]["project"], (json{{"name", "demo"}, {"domain", {{"name", "Default"}}}}));
  const auto sent = nova_.requests("GET", "/v2.1/servers/detail");
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent[0].token, "tok-123");
}

TEST_F(LoginTest, OsVariablesAloneLogIn) {
  ::setenv("OS_AUTH_URL", (keystone_.url() + "/v3").c_str(), 1);
  ::setenv("OS_USERNAME", "alice", 1);
  ::setenv("OS_PASSWORD", "s3cret", 1);
  ::setenv("OS_PROJECT_ID", "p-1", 1);
  const Outcome r = run({"server", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto bodies = keystone_.bodies();
  ASSERT_EQ(bodies.size(), 1u);
  // No domain given: openstackclient's default domain.
  EXPECT_EQ(bodies[0]["auth"]["identity"]["password"]["user"]["domain"], (json{{"id", "default"}}));
  EXPECT_EQ(bodies[0]["auth"]["scope"]["project"], (json{{"id", "p-1"}}));
  EXPECT_EQ(nova_.requests("GET", "/v2.1/servers/detail").at(0).token, "tok-123");
}

TEST_F(LoginTest, ApplicationCredentialLogsInWithoutScope) {
  const fs::path file = write_clouds("clouds:\n  ac:\n    auth_type: v3applicationcredential\n    auth:\n"
                                     "      auth_url: " + keystone_.url() + "\n"
                                     "      application_credential_id: ac-1\n"
                                     "      application_credential_secret: ac-secret\n");
  ::setenv("OS_CLIENT_CONFIG_FILE", file.c_str(), 1);
  const Outcome r = run({"server", "list", "--os-cloud", "ac"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto bodies = keystone_.bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0]["auth"]["identity"],
            (json{{"methods", {"application_credential"}},
                  {"application_credential", {{"id", "ac-1"}, {"secret", "ac-secret"}}}}));
  EXPECT_FALSE(bodies[0]["auth"].contains("scope"));
}

TEST_F(LoginTest, WrongPasswordGivesKeystonesMessage) {
  const fs::path file = write_clouds(alice_cloud("wrong"));
  ::setenv("OS_CLIENT_CONFIG_FILE", file.c_str(), 1);
  const Outcome r = run({"server", "list", "--os-cloud", "mycloud"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("login failed: 401 The request you have made requires authentication."), std::string::npos)
      << r.err;
  EXPECT_TRUE(nova_.requests().empty());
}

TEST_F(LoginTest, FlagsAndVariablesOverrideTheCloud) {
  const fs::path file = write_clouds(alice_cloud("wrong"));
  ::setenv("OS_CLIENT_CONFIG_FILE", file.c_str(), 1);
  ::setenv("OS_PASSWORD", "s3cret", 1);
  const Outcome r = run({"server", "list", "--os-cloud", "mycloud"});
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(LoginTest, UnknownCloudNamesTheFileAndItsClouds) {
  const fs::path file = write_clouds(alice_cloud());
  ::setenv("OS_CLIENT_CONFIG_FILE", file.c_str(), 1);
  const Outcome r = run({"server", "list", "--os-cloud", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cloud 'nope' not found in " + file.string() + " (clouds there: other, mycloud)"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(keystone_.bodies().empty());
}

TEST_F(LoginTest, NoCloudsFileListsWhereItLooked) {
  std::vector<fs::path> path = {dir_ / "a" / "clouds.yaml", dir_ / "b" / "clouds.yaml"};
  auto r = resolve_cloud_auth(cloud_named("mycloud"), path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), sdk::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("no clouds.yaml found (looked in " + path[0].string() + ", " +
                                      path[1].string() + ")"),
            std::string::npos)
      << r.status().message();
}

TEST_F(LoginTest, FirstExistingFileOfTheSearchPathWins) {
  fs::create_directories(dir_ / "b");
  std::ofstream(dir_ / "b" / "clouds.yaml") << "clouds:\n  c: {auth: {auth_url: 'http://k/', username: u, "
                                               "password: p}, region_name: R2}\n";
  std::ofstream(dir_ / "c.yaml") << "clouds:\n  c: {auth: {auth_url: 'http://other/'}}\n";
  auto r = resolve_cloud_auth(cloud_named("c"),
                              {dir_ / "a" / "clouds.yaml", dir_ / "b" / "clouds.yaml", dir_ / "c.yaml"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->auth_url, "http://k/");
  EXPECT_EQ(r->region_name, "R2");
  EXPECT_EQ(r->source, (dir_ / "b" / "clouds.yaml").string());
}

TEST_F(LoginTest, SearchPathIsOpenstacksdks) {
  ::setenv("OS_CLIENT_CONFIG_FILE", "/x/my.yaml", 1);
  const auto path = clouds_yaml_search_path();
  ASSERT_GE(path.size(), 7u);
  EXPECT_EQ(path[0], fs::path("/x/my.yaml"));
  EXPECT_EQ(path[1], fs::current_path() / "clouds.yaml");
  EXPECT_EQ(path.back(), fs::path("/etc/openstack/clouds.yml"));
  EXPECT_NE(std::find(path.begin(), path.end(), fs::path("/etc/openstack/clouds.yaml")), path.end());
}

TEST_F(LoginTest, BrokenYamlAndIncompleteCloudsAreClearErrors) {
  write_clouds("clouds: [unclosed\n");
  auto r = resolve_cloud_auth(cloud_named("c"), {dir_ / "clouds.yaml"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot read " + (dir_ / "clouds.yaml").string()), std::string::npos);

  write_clouds("clouds:\n  c:\n    auth: {auth_url: 'http://k', username: u}\n");
  r = resolve_cloud_auth(cloud_named("c"), {dir_ / "clouds.yaml"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "no password in cloud 'c'");

  write_clouds("clouds:\n  c:\n    auth_type: token\n    auth: {auth_url: 'http://k'}\n");
  r = resolve_cloud_auth(cloud_named("c"), {dir_ / "clouds.yaml"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("auth_type 'token' is not supported"), std::string::npos);

  const Outcome out = run({"server", "list", "--os-auth-url", "http://127.0.0.1:1/identity"});
  EXPECT_EQ(out.code, 2);
  EXPECT_NE(out.err.find("no username (set the OS_* variable or flag)"), std::string::npos) << out.err;
}

TEST_F(LoginTest, CatalogWithoutComputeIsAClearError) {
  keystone_.drop_compute();
  const fs::path file = write_clouds(alice_cloud());
  ::setenv("OS_CLIENT_CONFIG_FILE", file.c_str(), 1);
  const Outcome r = run({"server", "list", "--os-cloud", "mycloud"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no 'compute' endpoint on interface 'public' in region 'RegionOne' in the service catalog "
                       "(it has no 'compute' service)"),
            std::string::npos)
      << r.err;
}

TEST_F(LoginTest, CatalogEndpointHonoursInterfaceAndRegion) {
  const json catalog = json::parse(R"([{"type": "compute", "endpoints": [
      {"interface": "public", "region_id": "R1", "url": "http://pub1"},
      {"interface": "public", "region": "R2", "url": "http://pub2"},
      {"interface": "internal", "region_id": "R1", "url": "http://int1"}]}])");
  EXPECT_EQ(*catalog_endpoint(catalog, "compute", "public", ""), "http://pub1");
  EXPECT_EQ(*catalog_endpoint(catalog, "compute", "public", "R2"), "http://pub2");
  EXPECT_EQ(*catalog_endpoint(catalog, "compute", "internal", "R1"), "http://int1");
  auto missing = catalog_endpoint(catalog, "compute", "admin", "");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("(it has public@R1, public@R2, internal@R1)"), std::string::npos)
      << missing.status().message();
}

TEST_F(LoginTest, TokenOverrideSkipsTheLogin) {
  const fs::path file = write_clouds(alice_cloud());
  ::setenv("OS_CLIENT_CONFIG_FILE", file.c_str(), 1);
  ::setenv("OS_CLOUD", "mycloud", 1);
  ::setenv("STRATUS_TOKEN", "given", 1);
  ::setenv("STRATUS_URL", nova_.url().c_str(), 1);
  const Outcome r = run({"server", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(keystone_.bodies().empty());
  EXPECT_EQ(nova_.requests("GET", "/v2.1/servers/detail").at(0).token, "given");
}

TEST_F(LoginTest, KeystoneUnreachableNamesTheUrl) {
  const Outcome r = run({"server", "list", "--os-auth-url", "http://127.0.0.1:1/identity", "--os-username", "a",
                         "--os-password", "b", "--timeout", "5"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot log in: no answer from Keystone at http://127.0.0.1:1/identity/v3/auth/tokens"),
            std::string::npos)
      << r.err;
}

TEST(KeystoneTokensUrl, AcceptsBothSpellings) {
  EXPECT_EQ(keystone_tokens_url("http://h/identity"), "http://h/identity/v3/auth/tokens");
  EXPECT_EQ(keystone_tokens_url("http://h/identity/v3/"), "http://h/identity/v3/auth/tokens");
  EXPECT_EQ(keystone_tokens_url("http://h:5000"), "http://h:5000/v3/auth/tokens");
}

}  // namespace
}  // namespace stratus::core::client
