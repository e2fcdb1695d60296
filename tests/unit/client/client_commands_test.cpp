// The client commands end to end against FakeNova: what a user types, what
// the API is sent, and what is printed.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/cli/client/client_commands.h"
#include "command_runner.h"
#include "fake_nova.h"

namespace stratus::core::client {
namespace {

using nlohmann::json;
using test::FakeNova;

using test::Outcome;

class ClientCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("STRATUS_URL");
    ::unsetenv("STRATUS_TOKEN");
    ::unsetenv("STRATUS_COMPUTE_API_VERSION");
    ::unsetenv("OS_CLOUD");  // a login would come first (login_test.cpp)
    ::unsetenv("OS_AUTH_URL");
  }

  // Runs `stratus <args...> --os-compute-url <fake>`, with polls of 1..5 ms.
  Outcome run(std::vector<std::string> args, bool with_url = true) {
    if (with_url) {
      args.push_back("--os-compute-url");
      args.push_back(nova_.url());
    }
    return test::run_client_command(args);
  }

  FakeNova nova_;
};

constexpr const char* kWeb = "0b3b5c7e-1111-4000-8000-000000000001";
constexpr const char* kDb = "0b3b5c7e-2222-4000-8000-000000000002";
constexpr const char* kDup1 = "0b3b5c7e-3333-4000-8000-000000000003";
constexpr const char* kDup2 = "0b3b5c7e-4444-4000-8000-000000000004";

TEST_F(ClientCommandsTest, ServerListPrintsOpenstackColumnsWithNamesResolved) {
  nova_.add_server(kWeb, "web");
  nova_.add_server(kDb, "db", {"SHUTOFF"});
  const Outcome r = run({"server", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("| ID "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| Name | Status  | Networks         | Image  | Flavor  |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| web  | ACTIVE  | private=10.0.0.3 | cirros | m1.tiny |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| db   | SHUTOFF |"), std::string::npos) << r.out;
}

TEST_F(ClientCommandsTest, ServerListJsonAndFiltersAreSentAsNovaQueryParameters) {
  nova_.add_server(kWeb, "web");
  const Outcome r = run({"server", "list", "-f", "json", "--all-projects", "--status", "ACTIVE", "--name", "^we"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json out = json::parse(r.out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["ID"], kWeb);
  EXPECT_EQ(out[0]["Name"], "web");
  EXPECT_EQ(out[0]["Flavor"], "m1.tiny");
  const auto reqs = nova_.requests("GET", "/v2.1/servers/detail");
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].params.find("all_tenants")->second, "True");
  EXPECT_EQ(reqs[0].params.find("status")->second, "ACTIVE");
  EXPECT_EQ(reqs[0].params.find("name")->second, "^we");
  EXPECT_EQ(reqs[0].version, "compute 2.1");
}

TEST_F(ClientCommandsTest, ServerListLongAddsStateColumns) {
  nova_.add_server(kWeb, "web");
  const Outcome r = run({"server", "list", "--long"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Power State"), std::string::npos);
  EXPECT_NE(r.out.find("| Running "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fake-host-0"), std::string::npos);
}

TEST_F(ClientCommandsTest, ServerShowResolvesAnExactNameWithAnAnchoredRegex) {
  nova_.add_server(kWeb, "web");
  nova_.add_server(kDb, "web2");  // matches "web" as a substring, not exactly
  const Outcome r = run({"server", "show", "web", "-f", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["id"], kWeb);
  EXPECT_EQ(out["status"], "ACTIVE");
  EXPECT_FALSE(out.contains("links"));
  const auto lookups = nova_.requests("GET", "/v2.1/servers");
  ASSERT_EQ(lookups.size(), 1u);
  EXPECT_EQ(lookups[0].params.find("name")->second, "^web$");
}

TEST_F(ClientCommandsTest, ServerShowTableFormatsFlavorImageAndProject) {
  nova_.add_server(kWeb, "web");
  const Outcome r = run({"server", "show", kWeb});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("| flavor "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("m1.tiny (1)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(std::string("cirros (") + test::kImageId + ")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| project_id "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| OS-EXT-STS:power_state              | Running "), std::string::npos) << r.out;
}

TEST_F(ClientCommandsTest, AmbiguousServerNameListsTheIds) {
  nova_.add_server(kDup1, "twin");
  nova_.add_server(kDup2, "twin");
  const Outcome r = run({"server", "show", "twin"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, std::string("stratus: server show: More than one server exists with the name 'twin': ") + kDup1 +
                       ", " + kDup2 + "\n");
}

TEST_F(ClientCommandsTest, UnknownServerNameAndIdAreNotFound) {
  Outcome r = run({"server", "show", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "stratus: server show: No server with a name or ID of 'nope' exists.\n");
  r = run({"server", "delete", kWeb});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(std::string("No server with a name or ID of '") + kWeb + "' exists."), std::string::npos);
}

TEST_F(ClientCommandsTest, CreateResolvesNamesAndSendsNovaBody) {
  const auto file = std::filesystem::temp_directory_path() / ("stratus-ud-" + std::to_string(::getpid()));
  std::ofstream(file) << "#!/bin/sh\n";
  nova_.script_created({"ACTIVE"});
  const Outcome r = run({"server", "create", "web", "--flavor", "m1.small", "--image", "cirros", "--key-name", "k1",
                     "--availability-zone", "az1", "--property", "a=1", "--property", "b=x=y", "--user-data",
                     file.string(), "--config-drive", "--network", "0b3b5c7e-9999-4000-8000-000000000009", "-f",
                     "json"});
  std::filesystem::remove(file);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto posts = nova_.requests("POST", "/v2.1/servers");
  ASSERT_EQ(posts.size(), 1u);
  const json& s = posts[0].body["server"];
  EXPECT_EQ(s["name"], "web");
  EXPECT_EQ(s["flavorRef"], "2");
  EXPECT_EQ(s["imageRef"], test::kImageId);
  EXPECT_EQ(s["key_name"], "k1");
  EXPECT_EQ(s["availability_zone"], "az1");
  EXPECT_EQ(s["metadata"], (json{{"a", "1"}, {"b", "x=y"}}));
  EXPECT_EQ(s["user_data"], "IyEvYmluL3NoCg==");
  EXPECT_EQ(s["config_drive"], true);
  EXPECT_EQ(s["networks"], json::parse(R"([{"uuid": "0b3b5c7e-9999-4000-8000-000000000009"}])"));
  EXPECT_FALSE(s.contains("min_count"));
  const json out = json::parse(r.out);
  EXPECT_EQ(out["name"], "web");
  EXPECT_EQ(out["adminPass"], "xV5M8zYHHbLq");
}

TEST_F(ClientCommandsTest, RepeatableOptionsTakeOneValueEach) {
  nova_.script_created({"ACTIVE"});
  const Outcome r = run({"server", "create", "--property", "a=1", "web", "--network", "auto", "--flavor", "1",
                         "--image", "cirros"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto posts = nova_.requests("POST", "/v2.1/servers");
  ASSERT_FALSE(posts.empty());
  EXPECT_EQ(posts.back().body["server"]["name"], "web");
  EXPECT_EQ(posts.back().body["server"]["metadata"], (json{{"a", "1"}}));
}

TEST_F(ClientCommandsTest, CreateWithUnknownFlavorOrBadPropertyChangesNothing) {
  Outcome r = run({"server", "create", "web", "--flavor", "m9.huge", "--image", "cirros"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "stratus: server create: No flavor with a name or ID of 'm9.huge' exists.\n");
  r = run({"server", "create", "web", "--flavor", "1", "--image", "cirros", "--property", "novalue"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--property takes key=value"), std::string::npos);
  r = run({"server", "create", "web", "--flavor", "1", "--image", "cirros", "--network", "net1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(nova_.requests("POST", "/v2.1/servers").empty());
}

TEST_F(ClientCommandsTest, CreatePrintsTheNovaErrorMessage) {
  nova_.fail_next_create(400, test::nova_error("badRequest", 400,
                                               "Invalid input for field/attribute name. Value: . '' is too short"));
  const Outcome r = run({"server", "create", "", "--flavor", "1", "--image", "cirros"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "stratus: server create: 400 Invalid input for field/attribute name. Value: . '' is too short\n");
}

TEST_F(ClientCommandsTest, NetworkAutoUsesMicroversion237) {
  nova_.set_max_microversion(37);
  nova_.script_created({"ACTIVE"});
  const Outcome r = run({"server", "create", "web", "--flavor", "1", "--image", "cirros", "--network", "auto"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto posts = nova_.requests("POST", "/v2.1/servers");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].version, "compute 2.37");
  EXPECT_EQ(posts[0].body["server"]["networks"], "auto");
}

TEST_F(ClientCommandsTest, NetworkAutoOnA21OnlyApiFallsBackAndNoneFails) {
  nova_.script_created({"ACTIVE"});
  Outcome r = run({"server", "create", "web", "--flavor", "1", "--image", "cirros", "--network", "auto"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("does not support microversion 2.37"), std::string::npos) << r.err;
  auto posts = nova_.requests("POST", "/v2.1/servers");
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[1].version, "compute 2.1");
  EXPECT_FALSE(posts[1].body["server"].contains("networks"));

  r = run({"server", "create", "web", "--flavor", "1", "--image", "cirros", "--network", "none"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--network none needs Compute API microversion 2.37"), std::string::npos) << r.err;
  EXPECT_EQ(nova_.requests("POST", "/v2.1/servers").size(), 3u);  // no retry for none
}

TEST_F(ClientCommandsTest, CreateWaitReachesActive) {
  nova_.script_created({"BUILD", "BUILD", "BUILD", "ACTIVE"});
  const Outcome r = run({"server", "create", "web", "--flavor", "1", "--image", "cirros", "--wait", "-f", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["status"], "ACTIVE");
  EXPECT_GE(nova_.requests().size(), 4u);
}

TEST_F(ClientCommandsTest, CreateWaitStopsAtErrorWithTheFault) {
  nova_.script_created({"BUILD", "ERROR"});
  const Outcome r = run({"server", "create", "web", "--flavor", "1", "--image", "cirros", "--wait"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("is in ERROR: No valid host was found. There are not enough hosts available."),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(ClientCommandsTest, CreateWaitTimesOut) {
  nova_.script_created({"BUILD"});
  const auto start = std::chrono::steady_clock::now();
  const Outcome r = run({"server", "create", "web", "--flavor", "1", "--image", "cirros", "--wait", "--timeout", "0.3"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("timed out after 300 ms waiting for server"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("to become ACTIVE (status BUILD, task state spawning)"), std::string::npos) << r.err;
}

TEST_F(ClientCommandsTest, CreateCountWaitsForAllAndReportsProgress) {
  nova_.script_created({"BUILD", "BUILD", "ACTIVE"});
  const Outcome r = run({"server", "create", "fleet", "--flavor", "1", "--image", "cirros", "--count", "3", "--wait"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto posts = nova_.requests("POST", "/v2.1/servers");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].body["server"]["min_count"], 3);
  EXPECT_EQ(posts[0].body["server"]["max_count"], 3);
  EXPECT_EQ(posts[0].body["server"]["return_reservation_id"], true);
  EXPECT_NE(r.err.find("0/3 ACTIVE, 3 BUILD, 0 ERROR\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("3/3 ACTIVE, 0 BUILD, 0 ERROR\n"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("fleet-1"), std::string::npos);
  EXPECT_NE(r.out.find("fleet-3"), std::string::npos);
  EXPECT_NE(r.out.find("reservation r-1: 3/3 ACTIVE, 0 ERROR"), std::string::npos) << r.out;
  for (const auto& q : nova_.requests("GET", "/v2.1/servers/detail")) {
    EXPECT_EQ(q.params.find("reservation_id")->second, "r-1");
  }
}

TEST_F(ClientCommandsTest, CreateCountWithOneErrorExitsOneAndNamesIt) {
  nova_.script_created({"BUILD", "ACTIVE"});
  nova_.script_created_index(2, {"BUILD", "ERROR"});
  const Outcome r = run({"server", "create", "fleet", "--flavor", "1", "--image", "cirros", "--count", "2", "--wait"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("1/2 ACTIVE, 0 BUILD, 1 ERROR"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(fleet-2) is in ERROR: No valid host was found."), std::string::npos) << r.err;
}

TEST_F(ClientCommandsTest, DeleteWaitUntilGone) {
  nova_.add_server(kWeb, "web");
  nova_.add_server(kDb, "db");
  const Outcome r = run({"server", "delete", "web", kDb, "--wait"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nova_.requests("DELETE", std::string("/v2.1/servers/") + kWeb).size(), 1u);
  EXPECT_EQ(nova_.requests("DELETE", std::string("/v2.1/servers/") + kDb).size(), 1u);
  EXPECT_EQ(run({"server", "list", "-f", "json"}).out, "[]\n");
}

TEST_F(ClientCommandsTest, StopStartRebootSendNovaActions) {
  nova_.add_server(kWeb, "web");
  Outcome r = run({"server", "stop", "web", "--wait"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = run({"server", "start", "web", "--wait"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = run({"server", "reboot", "web", "--hard"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto actions = nova_.requests("POST", std::string("/v2.1/servers/") + kWeb + "/action");
  ASSERT_EQ(actions.size(), 3u);
  EXPECT_EQ(actions[0].body, json::parse(R"({"os-stop": null})"));
  EXPECT_EQ(actions[1].body, json::parse(R"({"os-start": null})"));
  EXPECT_EQ(actions[2].body, json::parse(R"({"reboot": {"type": "HARD"}})"));
}

TEST_F(ClientCommandsTest, ConsoleLogAsksForLines) {
  nova_.add_server(kWeb, "web");
  const Outcome r = run({"server", "console-log", "web", "--lines", "10"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "line1\nline2\nlogin: \n");
  const auto actions = nova_.requests("POST", std::string("/v2.1/servers/") + kWeb + "/action");
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].body, json::parse(R"({"os-getConsoleOutput": {"length": 10}})"));
}

TEST_F(ClientCommandsTest, TokenIsSentAsXAuthToken) {
  ::setenv("STRATUS_TOKEN", "from-env", 1);
  Outcome r = run({"flavor", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  ::unsetenv("STRATUS_TOKEN");
  r = run({"flavor", "list", "--os-token", "secret"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto reqs = nova_.requests("GET", "/v2.1/flavors/detail");
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].token, "from-env");
  EXPECT_EQ(reqs[1].token, "secret");
}

TEST_F(ClientCommandsTest, UrlComesFromStratusUrl) {
  ::setenv("STRATUS_URL", nova_.url().c_str(), 1);
  const Outcome r = run({"hypervisor", "list"}, /*with_url=*/false);
  ::unsetenv("STRATUS_URL");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("| 1  | fake-host-0         | fake            | 192.168.1.10 | up    |"), std::string::npos)
      << r.out;
}

TEST_F(ClientCommandsTest, FlavorCommands) {
  Outcome r = run({"flavor", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("| ID | Name      | RAM  | Disk | Ephemeral | VCPUs | Is Public |"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("| 2  | m1.small  | 2048 | 20   | 0         | 1     | true      |"), std::string::npos)
      << r.out;
  r = run({"flavor", "show", "m1.medium", "-f", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["vcpus"], 2);
  r = run({"flavor", "create", "m2.big", "--vcpus", "4", "--ram", "8192", "--disk", "80", "--id", "42"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto posts = nova_.requests("POST", "/v2.1/flavors");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].body, json::parse(R"({"flavor": {"name": "m2.big", "vcpus": 4, "ram": 8192, "disk": 80,
                                                       "id": "42"}})"));
  r = run({"flavor", "delete", "m2.big"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nova_.requests("DELETE", "/v2.1/flavors/42").size(), 1u);
  r = run({"flavor", "show", "m2.big"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "stratus: flavor show: No flavor with a name or ID of 'm2.big' exists.\n");
}

TEST_F(ClientCommandsTest, ServiceList) {
  const Outcome r = run({"service", "list", "-f", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json out = json::parse(r.out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["Binary"], "nova-compute");
  EXPECT_EQ(out[0]["State"], "up");
}

TEST_F(ClientCommandsTest, ConnectionRefusedNamesTheUrl) {
  std::string url;
  {
    FakeNova gone;  // a port that was just free: nothing listens there any more
    url = gone.url();
  }
  const Outcome r = run({"server", "list", "--os-compute-url", url, "--timeout", "2"}, /*with_url=*/false);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("stratus: server list: cannot connect to " + url + ": connection refused", 0), 0u) << r.err;
}

TEST_F(ClientCommandsTest, BadUrlIsAUsageError) {
  const Outcome r = run({"server", "list", "--os-compute-url", "ftp://x"}, /*with_url=*/false);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("invalid compute URL 'ftp://x'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace stratus::core::client
