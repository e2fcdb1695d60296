// The config loader: defaults, file, overrides, and every error naming key and line.
#include "core/config/config.h"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

namespace stratus::core {
namespace {

namespace fs = std::filesystem;

class ConfigFile : public ::testing::Test {
 protected:
  fs::path write(const std::string& text) {
    path_ = fs::temp_directory_path() /
            ("stratus-config-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml");
    std::ofstream(path_) << text;
    return path_;
  }
  void TearDown() override {
    if (!path_.empty()) fs::remove(path_);
  }
  fs::path path_;
};

TEST_F(ConfigFile, NoFileMeansDefaults) {
  auto cfg = load_config(std::nullopt);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->compute.driver, "fake");
  EXPECT_EQ(cfg->log_level, "info");
  EXPECT_FALSE(cfg->host.empty());
  EXPECT_EQ(cfg->scheduler.enabled_filters.front(), "compute");
  EXPECT_EQ(cfg->scheduler.enabled_filters.size(), 12u);
  EXPECT_EQ(cfg->scheduler.weighers.size(), 4u);
  EXPECT_EQ(cfg->source, "built-in defaults");
}

TEST_F(ConfigFile, ReadsEverySection) {
  auto file = write(R"(
host = "node-7"
data_dir = "/var/lib/stratus"
log_level = "debug"
[plugins]
paths = ["/opt/p1", "/opt/p2"]
[compute]
driver = "libvirt"
[scheduler]
enabled_filters = ["ram", "core"]
weighers = []
[driver.fake]
vcpus = 64
ratio = 1.5
hypervisor_type = "fake"
enabled = true
faults = ["spawn"]
[driver.fake.fault]
spawn = "fail*2"
)");
  auto cfg = load_config(file);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->host, "node-7");
  EXPECT_EQ(cfg->data_dir, "/var/lib/stratus");
  EXPECT_EQ(cfg->log_level, "debug");
  EXPECT_EQ(cfg->plugins.paths, (std::vector<std::string>{"/opt/p1", "/opt/p2"}));
  EXPECT_EQ(cfg->compute.driver, "libvirt");
  EXPECT_EQ(cfg->scheduler.enabled_filters, (std::vector<std::string>{"ram", "core"}));
  EXPECT_TRUE(cfg->scheduler.weighers.empty());
  EXPECT_EQ(cfg->source, file.string());

  auto fake = cfg->plugin_config(sdk::PluginKind::kVirtDriver, "fake");
  EXPECT_EQ(fake.section(), "[driver.fake]");
  EXPECT_EQ(*fake.get_int("vcpus", 0), 64);
  EXPECT_DOUBLE_EQ(*fake.get_double("ratio", 0), 1.5);
  EXPECT_TRUE(*fake.get_bool("enabled", false));
  EXPECT_EQ(*fake.get_string("fault.spawn", ""), "fail*2");
  EXPECT_EQ(fake.get_string_list("faults", {})->size(), 1u);
  EXPECT_EQ(fake.origin("vcpus"), file.string() + ":13");

  // A plugin without a table gets an empty one that still names its section.
  auto none = cfg->plugin_config(sdk::PluginKind::kSchedulerFilter, "ram");
  EXPECT_TRUE(none.keys().empty());
  EXPECT_EQ(none.section(), "[filter.ram]");
}

TEST_F(ConfigFile, AFilterAndAWeigherOfOneNameHaveTheirOwnTables) {
  auto file = write("[filter.ram]\n[weigher.ram]\nmultiplier = -1.0\n");
  auto cfg = load_config(file);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_TRUE(cfg->plugin_config(sdk::PluginKind::kSchedulerFilter, "ram").keys().empty());
  auto weigher = cfg->plugin_config(sdk::PluginKind::kSchedulerWeigher, "ram");
  EXPECT_EQ(weigher.section(), "[weigher.ram]");
  EXPECT_DOUBLE_EQ(*weigher.get_double("multiplier", 0), -1.0);
}

TEST_F(ConfigFile, ApiSection) {
  auto cfg = load_config(std::nullopt);
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->api.listen, "127.0.0.1:8774");
  EXPECT_EQ(cfg->api.auth_strategy, "keystone");
  EXPECT_EQ(cfg->api.public_url, "");

  auto file = write("[api]\nlisten = \"127.0.0.1:9000\"\nauth_strategy = \"token\"\nadmin_token = \"s3cret\"\n");
  cfg = load_config(file);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->api.listen, "127.0.0.1:9000");
  EXPECT_EQ(cfg->api.admin_token, "s3cret");

  file = write("[api]\nauth_strategy = \"ldap\"\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(),
            file.string() + ":2: key 'api.auth_strategy' must be \"keystone\", \"noauth\" or \"token\", got 'ldap'");

  file = write("[api]\npublic_url = \"https://cloud.example.com:8774\"\n");
  cfg = load_config(file);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->api.public_url, "https://cloud.example.com:8774");
  file = write("[api]\npublic_url = \"cloud.example.com\"\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), file.string() +
                                        ":2: key 'api.public_url' must start with http:// or https://, got "
                                        "'cloud.example.com'");

  file = write("[api]\nauth_strategy = \"token\"\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("needs a non-empty api.admin_token"), std::string::npos) << cfg.status();
}

TEST_F(ConfigFile, ApiRequestTimeouts) {
  auto cfg = load_config(std::nullopt);
  ASSERT_TRUE(cfg.ok());
  EXPECT_DOUBLE_EQ(cfg->api.request_head_time, 10.0);
  EXPECT_EQ(cfg->api.body_min_rate, 1024);

  auto file = write("[api]\nrequest_head_time = 2.5\nbody_min_rate = 65536\n");
  cfg = load_config(file);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_DOUBLE_EQ(cfg->api.request_head_time, 2.5);
  EXPECT_EQ(cfg->api.body_min_rate, 65536);

  file = write("[api]\nrequest_head_time = 0\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), file.string() + ":2: key 'api.request_head_time' must be between 0.1 and 3600");

  file = write("[api]\nbody_min_rate = 0\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), file.string() + ":2: key 'api.body_min_rate' must be between 1 and 1073741824");

  file = write("[api]\nbody_min_rate = \"fast\"\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("'api.body_min_rate'"), std::string::npos) << cfg.status();
  EXPECT_NE(cfg.status().message().find(":2:"), std::string::npos) << cfg.status();

  cfg = load_config(std::nullopt, {"api.request_head_time=30", "api.body_min_rate=10"});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_DOUBLE_EQ(cfg->api.request_head_time, 30.0);
  EXPECT_EQ(cfg->api.body_min_rate, 10);
}

// Issue #14: [database] connection chooses PostgreSQL; empty is SQLite in data_dir.
TEST_F(ConfigFile, DatabaseSection) {
  auto cfg = load_config(std::nullopt);
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->database.connection, "");

  auto file = write("[database]\nconnection = \"postgresql://stratus@127.0.0.1:5432/stratus\"\n");
  cfg = load_config(file);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->database.connection, "postgresql://stratus@127.0.0.1:5432/stratus");

  cfg = load_config(std::nullopt, {"database.connection=postgres://u@h/db"});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->database.connection, "postgres://u@h/db");

  file = write("[database]\nconnection = \"mysql://u@h/db\"\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("key 'database.connection' must be empty"), std::string::npos)
      << cfg.status();
}

// [database] pool_size: PostgreSQL connections per process, 1 to 64 (default 4).
TEST_F(ConfigFile, DatabasePoolSize) {
  auto cfg = load_config(std::nullopt);
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->database.pool_size, 4);
  cfg = load_config(write("[database]\npool_size = 8\n"));
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->database.pool_size, 8);
  for (const char* bad : {"database.pool_size=0", "database.pool_size=65", "database.pool_size=\"many\""}) {
    cfg = load_config(std::nullopt, {bad});
    ASSERT_FALSE(cfg.ok()) << bad;
    EXPECT_NE(cfg.status().message().find("pool_size"), std::string::npos) << cfg.status();
  }
}

TEST_F(ConfigFile, IdentitySection) {
  auto cfg = load_config(std::nullopt);
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->identity.token_expiration, 3600);

  auto file = write("[identity]\ntoken_expiration = 600\n");
  cfg = load_config(file);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->identity.token_expiration, 600);

  file = write("[identity]\ntoken_expiration = 0\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("identity.token_expiration"), std::string::npos) << cfg.status();

  file = write("[identity]\ntoken_expiry = 600\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("unknown key 'identity.token_expiry'"), std::string::npos) << cfg.status();
}

TEST_F(ConfigFile, ServiceTunablesAndRpcSection) {
  auto cfg = load_config(std::nullopt);
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->compute.max_concurrent_builds, 10);
  EXPECT_DOUBLE_EQ(cfg->compute.reclaim_instance_interval, 0.0);
  EXPECT_DOUBLE_EQ(cfg->service_down_time, 60.0);
  EXPECT_EQ(cfg->scheduler.max_attempts, 3);
  EXPECT_EQ(cfg->rpc.router, "tcp://127.0.0.1:5672");

  auto file = write(
      "service_down_time = 2\n[compute]\nmax_concurrent_builds = 4\nheartbeat_interval = 0.5\n"
      "reclaim_instance_interval = 3600\n[scheduler]\nhost_subset_size = 2\nmax_attempts = 5\n"
      "[rpc]\nrouter = \"inproc://x\"\ncall_timeout = 5\n");
  cfg = load_config(file);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_DOUBLE_EQ(cfg->service_down_time, 2.0);  // an integer is taken as a number of seconds
  EXPECT_EQ(cfg->compute.max_concurrent_builds, 4);
  EXPECT_DOUBLE_EQ(cfg->compute.heartbeat_interval, 0.5);
  EXPECT_DOUBLE_EQ(cfg->compute.reclaim_instance_interval, 3600.0);
  EXPECT_EQ(cfg->scheduler.host_subset_size, 2);
  EXPECT_EQ(cfg->scheduler.max_attempts, 5);
  EXPECT_EQ(cfg->rpc.router, "inproc://x");
  EXPECT_DOUBLE_EQ(cfg->rpc.call_timeout, 5.0);

  file = write("[compute]\nmax_concurrent_builds = 0\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), file.string() + ":2: key 'compute.max_concurrent_builds' must be between 1 and 10000");

  file = write("[compute]\nmax_concurrent_builds = 2.5\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("'compute.max_concurrent_builds' must be an integer"), std::string::npos)
      << cfg.status();
}

// The stuck-instance sweep's bounds (docs/operations.md): on by default, 0 off.
TEST_F(ConfigFile, ConductorSweepTimeouts) {
  auto cfg = load_config(std::nullopt);
  ASSERT_TRUE(cfg.ok());
  EXPECT_DOUBLE_EQ(cfg->conductor.lost_build_timeout, 180.0);
  EXPECT_DOUBLE_EQ(cfg->conductor.instance_build_timeout, 3600.0);
  EXPECT_DOUBLE_EQ(cfg->conductor.task_timeout, 1800.0);
  EXPECT_DOUBLE_EQ(cfg->conductor.stuck_check_interval, 60.0);
  EXPECT_EQ(cfg->conductor.max_build_resends, 2);

  auto file = write(
      "[conductor]\nlost_build_timeout = 8\ninstance_build_timeout = 0\ntask_timeout = 10.5\n"
      "stuck_check_interval = 1\nmax_build_resends = 0\n");
  cfg = load_config(file);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_DOUBLE_EQ(cfg->conductor.lost_build_timeout, 8.0);
  EXPECT_DOUBLE_EQ(cfg->conductor.instance_build_timeout, 0.0);
  EXPECT_DOUBLE_EQ(cfg->conductor.task_timeout, 10.5);
  EXPECT_DOUBLE_EQ(cfg->conductor.stuck_check_interval, 1.0);
  EXPECT_EQ(cfg->conductor.max_build_resends, 0);

  file = write("[conductor]\ntask_timeout = -1\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("'conductor.task_timeout' must be between"), std::string::npos)
      << cfg.status();

  cfg = load_config(std::nullopt, {"conductor.build_timeout=5"});
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("unknown key 'conductor.build_timeout'"), std::string::npos) << cfg.status();
}

TEST_F(ConfigFile, UnknownKeyNamesKeyAndLine) {
  auto file = write("host = \"a\"\n[scheduler]\nenabled_filter = [\"ram\"]\n");
  auto cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_EQ(cfg.status().message(), file.string() + ":3: unknown key 'scheduler.enabled_filter'");
}

TEST_F(ConfigFile, UnknownSectionIsRefused) {
  auto file = write("[schedular]\nweighers = []\n");
  auto cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), file.string() + ":1: unknown key 'schedular'");
}

TEST_F(ConfigFile, WrongTypeNamesKeyLineAndTypes) {
  auto file = write("[compute]\n\ndriver = 3\n");
  auto cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), file.string() + ":3: key 'compute.driver' must be a string, got integer");
}

TEST_F(ConfigFile, ArrayWithAWrongElementIsRefused) {
  auto file = write("[scheduler]\nweighers = [\"ram\", 2]\n");
  auto cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find(":2: key 'scheduler.weighers' must be an array of strings"),
            std::string::npos)
      << cfg.status();
}

TEST_F(ConfigFile, SectionThatIsNotATable) {
  auto file = write("compute = \"fake\"\n");
  auto cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), file.string() + ":1: key 'compute' must be a table, got string");
}

TEST_F(ConfigFile, BadLogLevel) {
  auto file = write("log_level = \"loud\"\n");
  auto cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find(":1: key 'log_level' must be one of"), std::string::npos) << cfg.status();
}

TEST_F(ConfigFile, SyntaxErrorNamesLine) {
  auto file = write("host = \"a\"\n[compute\n");
  auto cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message().rfind(file.string() + ":2: ", 0), 0u) << cfg.status();
}

TEST_F(ConfigFile, PluginTableMustBeATableAndHoldSimpleValues) {
  auto file = write("[driver]\nfake = 3\n");
  auto cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), file.string() + ":2: key 'driver.fake' must be a table, e.g. [driver.fake]");

  file = write("[driver.fake]\nsizes = [1, 2]\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), file.string() + ":2: key 'driver.fake.sizes': plugin arrays may only hold strings");
}

TEST_F(ConfigFile, MissingFileIsNotFound) {
  auto cfg = load_config(fs::path("/nonexistent/stratus.toml"));
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().code(), sdk::StatusCode::kNotFound);
  EXPECT_EQ(cfg.status().message(), "config file /nonexistent/stratus.toml does not exist");
}

TEST_F(ConfigFile, OverridesWinOverTheFileAndKeepTheRestOfTheSection) {
  auto file = write("[scheduler]\nenabled_filters = [\"ram\"]\nweighers = [\"cpu\"]\n[driver.fake]\nvcpus = 4\n");
  auto cfg = load_config(file, {"scheduler.weighers=[\"disk\"]", "host=node-9", "driver.fake.memory_mb=2048"});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->scheduler.enabled_filters, (std::vector<std::string>{"ram"}));
  EXPECT_EQ(cfg->scheduler.weighers, (std::vector<std::string>{"disk"}));
  EXPECT_EQ(cfg->host, "node-9");  // not TOML, taken as a string
  auto fake = cfg->plugin_config(sdk::PluginKind::kVirtDriver, "fake");
  EXPECT_EQ(*fake.get_int("vcpus", 0), 4);
  EXPECT_EQ(*fake.get_int("memory_mb", 0), 2048);
  EXPECT_EQ(fake.origin("memory_mb"), "command line:1");
}

TEST_F(ConfigFile, BadOverridesAreRefused) {
  auto cfg = load_config(std::nullopt, {"no-equals-sign"});
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), "override 'no-equals-sign' is not key=value");

  cfg = load_config(std::nullopt, {"compute.drivr=\"x\""});
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), "command line:1: unknown key 'compute.drivr'");

  cfg = load_config(std::nullopt, {"compute.driver=5"});
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), "command line:1: key 'compute.driver' must be a string, got integer");
}

TEST_F(ConfigFile, ImageServiceAndImageDownloadKeys) {
  auto defaults = load_config(std::nullopt);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->image.max_image_size, std::int64_t{10} << 30);
  EXPECT_TRUE(defaults->image.store_path.empty());
  EXPECT_TRUE(defaults->compute.image_download_path.empty());
  EXPECT_TRUE(defaults->compute.image_api_url.empty());

  auto file = write(R"(
[image]
store_path = "/srv/images"
max_image_size = 1048576
[compute]
image_download_path = "/var/lib/stratus/images"
image_api_url = "http://10.0.0.5:8774/image"
)");
  auto cfg = load_config(file);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->image.store_path, "/srv/images");
  EXPECT_EQ(cfg->image.max_image_size, 1048576);
  EXPECT_EQ(cfg->compute.image_download_path, "/var/lib/stratus/images");
  EXPECT_EQ(cfg->compute.image_api_url, "http://10.0.0.5:8774/image");

  auto bad = load_config(write("[image]\nmax_image_size = 0\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("image.max_image_size"), std::string::npos) << bad.status();
  auto unknown = load_config(write("[image]\nstore = \"/x\"\n"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("image.store"), std::string::npos) << unknown.status();
}

// [upgrade_levels]: a version per RPC topic, "auto", or nothing; anything
// else is refused with the key, the line and the value.
TEST_F(ConfigFile, UpgradeLevelsSection) {
  auto cfg = load_config(std::nullopt);
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->upgrade_levels.compute, "");
  EXPECT_EQ(cfg->upgrade_levels.conductor, "");
  EXPECT_EQ(cfg->upgrade_levels.scheduler, "");

  auto file = write("[upgrade_levels]\ncompute = \"auto\"\nconductor = \"1.0\"\nscheduler = \"1\"\n");
  cfg = load_config(file);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->upgrade_levels.compute, "auto");
  EXPECT_EQ(cfg->upgrade_levels.conductor, "1.0");
  EXPECT_EQ(cfg->upgrade_levels.scheduler, "1");

  for (const char* bad : {"1.x", "v1.0", "1.0.2", "latest", ".1", "1.", "-1.0"}) {
    file = write(std::string("[upgrade_levels]\n\ncompute = \"") + bad + "\"\n");
    cfg = load_config(file);
    ASSERT_FALSE(cfg.ok()) << bad;
    EXPECT_EQ(cfg.status().message(), file.string() +
                                          ":3: key 'upgrade_levels.compute' must be \"auto\" or a version "
                                          "MAJOR.MINOR such as \"1.0\", got '" +
                                          bad + "'");
  }
  file = write("[upgrade_levels]\ncompute = 1.0\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("key 'upgrade_levels.compute' must be a string"), std::string::npos)
      << cfg.status();
  file = write("[upgrade_levels]\nnetwork = \"1.0\"\n");
  cfg = load_config(file);
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("unknown key 'upgrade_levels.network'"), std::string::npos) << cfg.status();
  // An override on the command line is checked the same way.
  cfg = load_config(std::nullopt, {"upgrade_levels.compute=\"2.x\""});
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("got '2.x'"), std::string::npos) << cfg.status();
}

// [metrics] (docs/operations.md, "Metrics"): off by default; listen is HOST:PORT.
TEST_F(ConfigFile, MetricsSection) {
  auto cfg = load_config(std::nullopt);
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->metrics.listen, "");
  EXPECT_FALSE(cfg->metrics.on_api_port);

  cfg = load_config(write("[metrics]\nlisten = \"127.0.0.1:9464\"\non_api_port = true\n"));
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->metrics.listen, "127.0.0.1:9464");
  EXPECT_TRUE(cfg->metrics.on_api_port);
  cfg = load_config(std::nullopt, {"metrics.listen=[::1]:0"});
  ASSERT_TRUE(cfg.ok()) << cfg.status();

  for (const char* bad : {"9464", ":9464", "host:", "host:65536", "host:12x", "host:1234567"}) {
    cfg = load_config(write(std::string("\n[metrics]\nlisten = \"") + bad + "\"\n"));
    ASSERT_FALSE(cfg.ok()) << bad;
    EXPECT_NE(cfg.status().message().find(":3: key 'metrics.listen' must be HOST:PORT"), std::string::npos)
        << cfg.status();
  }
  cfg = load_config(write("[metrics]\non_api_port = \"yes\"\n"));
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("'metrics.on_api_port' must be a boolean"), std::string::npos) << cfg.status();
  cfg = load_config(std::nullopt, {"metrics.port=1"});
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("unknown key 'metrics.port'"), std::string::npos) << cfg.status();
}

}  // namespace
}  // namespace stratus::core
