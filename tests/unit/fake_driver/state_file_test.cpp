// [driver.fake] state_file: the guests outlive the driver (as a libvirt
// host's domains outlive a killed compute), a bad or busy file is a clear
// init_host error naming it, and nothing is saved before init_host.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "fake_test_support.h"

namespace stratus::drivers::fake {
namespace {

using namespace testing;  // NOLINT: test helpers
using sdk::PowerState;
using sdk::StatusCode;

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

class FakeStateFile : public ::testing::Test {
 protected:
  void SetUp() override {
    // The pid too: other checkouts may run this binary at the same time.
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("fake-state-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = dir_ / "guests.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  FakeDriverConfig config() const {
    FakeDriverConfig c;
    c.state_file = path_.string();
    c.clock = [now = now_] { return *now; };
    return c;
  }
  // A host on the state file, initialised; fails the test if init_host does.
  std::unique_ptr<FakeDriver> host() const {
    auto d = std::make_unique<FakeDriver>(config());
    const sdk::Status s = d->init_host("compute-1");
    EXPECT_TRUE(s.ok()) << s;
    return d;
  }

  std::filesystem::path dir_;
  std::filesystem::path path_;
  // The guests' clock, moved by hand: CPU time is checked exactly.
  std::shared_ptr<std::chrono::steady_clock::time_point> now_ =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::hours(1));
};

sdk::Instance rich_instance(const std::string& uuid) {
  sdk::Flavor f = small_flavor();
  f.ephemeral_gb = 5;
  f.swap_mb = 512;
  f.rxtx_factor = 2.5;
  f.is_public = false;
  f.extra_specs = {{"hw:cpu_policy", "dedicated"}, {"quota:disk_read_iops_sec", "100"}};
  sdk::Instance i = make_instance(uuid, f);
  i.config_drive = true;
  return i;
}

sdk::NetworkInfo two_vifs() {
  sdk::Vif a;
  a.id = "port-a";
  a.address = "fa:16:3e:00:00:0a";
  a.network_id = "net-1";
  a.network_name = "private";
  a.bridge = "br-int";
  a.fixed_ips = {"10.0.0.5", "fd00::5"};
  a.mtu = 1450;
  sdk::Vif b;
  b.id = "port-b";
  b.address = "fa:16:3e:00:00:0b";
  b.type = "user";
  return {a, b};
}

TEST_F(FakeStateFile, GuestsSurviveTheDriverAndKeepEveryRecordedField) {
  const auto a = rich_instance("u-a");
  const auto b = make_instance("u-b");
  const auto c = make_instance("u-c");
  FakeGuest before_a;
  sdk::HostResources before_usage;
  std::uint64_t before_cpu = 0;
  {
    auto d = host();
    sdk::InjectedFiles files = {{"/etc/motd", "hello"}};
    ASSERT_TRUE(d->spawn(ctx(), a, image(), files, "secret", two_vifs(), {}).ok());
    ASSERT_TRUE(spawn(*d, b).ok());
    ASSERT_TRUE(spawn(*d, c).ok());
    ASSERT_TRUE(d->rebuild(ctx(), a, image("image-debian"), files, "secret", two_vifs(), {}, false).ok());
    ASSERT_TRUE(power_off(*d, b).ok());
    *now_ += std::chrono::seconds(5);
    ASSERT_TRUE(pause(*d, c).ok());  // the last save: a has run 5 s
    before_a = *d->guest("u-a");
    before_usage = *d->get_available_resource("compute-1");
    before_cpu = d->get_info(a)->cpu_time_ns;
  }  // the "compute process" ends; the hypervisor (the file) stays
  *now_ = std::chrono::steady_clock::time_point(std::chrono::hours(7));  // another process, another clock

  auto d = host();
  ASSERT_EQ(*d->list_instances(), (std::vector<std::string>{"u-a", "u-b", "u-c"}));
  EXPECT_EQ(state_of(*d, a), PowerState::kRunning);
  EXPECT_EQ(state_of(*d, b), PowerState::kShutdown);
  EXPECT_EQ(state_of(*d, c), PowerState::kPaused);

  const FakeGuest after_a = *d->guest("u-a");
  EXPECT_EQ(after_a.name, before_a.name);
  EXPECT_EQ(after_a.image_id, "image-debian");
  EXPECT_EQ(after_a.boot_count, before_a.boot_count);
  EXPECT_EQ(after_a.rebuild_count, 1u);
  EXPECT_EQ(after_a.injected_files, 1u);
  EXPECT_TRUE(after_a.config_drive);
  EXPECT_EQ(after_a.flavor.id, before_a.flavor.id);
  EXPECT_EQ(after_a.flavor.name, before_a.flavor.name);
  EXPECT_EQ(after_a.flavor.vcpus, 2);
  EXPECT_EQ(after_a.flavor.memory_mb, 2048);
  EXPECT_EQ(after_a.flavor.ephemeral_gb, 5);
  EXPECT_EQ(after_a.flavor.swap_mb, 512);
  EXPECT_DOUBLE_EQ(after_a.flavor.rxtx_factor, 2.5);
  EXPECT_FALSE(after_a.flavor.is_public);
  EXPECT_EQ(after_a.flavor.extra_specs, before_a.flavor.extra_specs);
  ASSERT_EQ(after_a.network_info.size(), 2u);
  EXPECT_EQ(after_a.network_info[0].id, "port-a");
  EXPECT_EQ(after_a.network_info[0].address, "fa:16:3e:00:00:0a");
  EXPECT_EQ(after_a.network_info[0].network_id, "net-1");
  EXPECT_EQ(after_a.network_info[0].network_name, "private");
  EXPECT_EQ(after_a.network_info[0].bridge, "br-int");
  EXPECT_EQ(after_a.network_info[0].fixed_ips, (std::vector<std::string>{"10.0.0.5", "fd00::5"}));
  EXPECT_EQ(after_a.network_info[0].mtu, 1450);
  EXPECT_EQ(after_a.network_info[1].type, "user");
  // Secrets are not written to disk.
  EXPECT_TRUE(after_a.files.empty());
  EXPECT_TRUE(after_a.admin_password.empty());
  EXPECT_EQ(read_file(path_).find("secret"), std::string::npos);
  EXPECT_EQ(read_file(path_).find("hello"), std::string::npos);

  const sdk::HostResources usage = *d->get_available_resource("compute-1");
  EXPECT_EQ(usage.running_vms, before_usage.running_vms);
  EXPECT_EQ(usage.vcpus_used, before_usage.vcpus_used);
  EXPECT_EQ(usage.memory_mb_used, before_usage.memory_mb_used);
  EXPECT_EQ(usage.local_gb_used, before_usage.local_gb_used);
  // CPU time goes on from the saved value, on the new process's clock.
  EXPECT_EQ(before_cpu, 5'000'000'000u);
  EXPECT_EQ(d->get_info(a)->cpu_time_ns, before_cpu);
  *now_ += std::chrono::seconds(2);
  EXPECT_EQ(d->get_info(a)->cpu_time_ns, before_cpu + 2'000'000'000u);
  EXPECT_EQ(d->get_info(b)->cpu_time_ns, 0u);  // shut off before any time passed

  // The kept guests obey the state machine as before.
  EXPECT_TRUE(power_on(*d, b).ok());
  EXPECT_TRUE(unpause(*d, c).ok());
  EXPECT_EQ(spawn(*d, a).code(), StatusCode::kAlreadyExists);
}

TEST_F(FakeStateFile, EveryChangeIsSavedAndDestroyRemovesTheGuest) {
  const auto a = make_instance("u-a");
  const auto b = make_instance("u-b");
  {
    auto d = host();
    ASSERT_TRUE(spawn(*d, a).ok());
    ASSERT_TRUE(spawn(*d, b).ok());
    ASSERT_TRUE(destroy(*d, a).ok());
    ASSERT_TRUE(d->crash("u-b").ok());
    EXPECT_EQ(read_file(path_).find("u-a"), std::string::npos);
    EXPECT_NE(read_file(path_).find("\"crashed\""), std::string::npos);
  }
  auto d = host();
  EXPECT_EQ(*d->list_instances(), (std::vector<std::string>{"u-b"}));
  EXPECT_EQ(state_of(*d, b), PowerState::kCrashed);
  EXPECT_FALSE(std::filesystem::exists(path_.string() + ".tmp"));
}

TEST_F(FakeStateFile, ASecondInitHostDoesNotReloadAndCleanupKeepsTheFile) {
  auto d = host();
  const auto a = make_instance("u-a");
  ASSERT_TRUE(spawn(*d, a).ok());
  ASSERT_TRUE(d->cleanup_host("compute-1").ok());
  ASSERT_TRUE(d->init_host("compute-1").ok());
  EXPECT_EQ(d->instance_count(), 1u);
  EXPECT_NE(read_file(path_).find("u-a"), std::string::npos);
}

TEST_F(FakeStateFile, NothingIsSavedBeforeInitHostAndEarlierGuestsAreKept) {
  {
    auto d = host();
    ASSERT_TRUE(spawn(*d, make_instance("u-saved")).ok());
  }
  FakeDriver d(config());
  ASSERT_TRUE(spawn(d, make_instance("u-early")).ok());
  EXPECT_EQ(read_file(path_).find("u-early"), std::string::npos);
  ASSERT_TRUE(d.init_host("compute-1").ok());
  EXPECT_EQ(*d.list_instances(), (std::vector<std::string>{"u-early", "u-saved"}));
  EXPECT_NE(read_file(path_).find("u-early"), std::string::npos);
}

TEST_F(FakeStateFile, AMissingFileIsAFirstStart) {
  auto d = host();
  EXPECT_EQ(d->instance_count(), 0u);
  EXPECT_TRUE(std::filesystem::exists(path_));  // written at once: a bad directory shows at start
}

TEST_F(FakeStateFile, ACorruptFileIsAnInitErrorNamingItAndChangesNothing) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"{\"format\": \"stratus-fake-guests\", \"vers", "not valid JSON"},
      {"", "not valid JSON"},
      {"[1, 2]", "not a JSON object"},
      {"{\"format\": \"something-else\", \"version\": 1, \"guests\": []}", "format is 'something-else'"},
      {"{\"format\": \"stratus-fake-guests\", \"version\": 9, \"guests\": []}", "version 9"},
      {"{\"format\": \"stratus-fake-guests\", \"version\": 1, \"guests\": [{\"uuid\": \"u\"}]}",
       "guest 0: 'name' is missing"},
      {"{\"format\": \"stratus-fake-guests\", \"version\": 1, \"guests\": [7]}", "guest 0: not an object"},
  };
  for (const Case& c : cases) {
    write_file(path_, c.text);
    FakeDriver d(config());
    const sdk::Status s = d.init_host("compute-1");
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find(path_.string()), std::string::npos) << s;
    EXPECT_NE(s.message().find(c.expected), std::string::npos) << s;
    EXPECT_EQ(d.instance_count(), 0u);
    EXPECT_EQ(read_file(path_), c.text);  // left for the operator to look at
  }
}

TEST_F(FakeStateFile, BadFieldsInAGuestAreNamed) {
  std::string good;
  {
    auto d = host();
    ASSERT_TRUE(spawn(*d, make_instance("u-a")).ok());
    good = read_file(path_);
  }
  const std::pair<std::string, std::string> edits[] = {
      {"\"running\"", "\"flying\""},             // an unknown power state
      {"\"vcpus\": 2", "\"vcpus\": -2"},        // out of range
      {"\"vcpus\": 2", "\"vcpus\": \"two\""},   // wrong type
  };
  const char* expected[] = {"'state' is 'flying', not a power state", "guest 0 flavor: 'vcpus' is out of range",
                            "guest 0 flavor: 'vcpus' is not an integer"};
  for (std::size_t i = 0; i < std::size(edits); ++i) {
    std::string text = good;
    const auto at = text.find(edits[i].first);
    ASSERT_NE(at, std::string::npos) << edits[i].first << " in " << good;
    text.replace(at, edits[i].first.size(), edits[i].second);
    write_file(path_, text);
    FakeDriver d(config());
    const sdk::Status s = d.init_host("compute-1");
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find(expected[i]), std::string::npos) << s;
  }
  // A guest listed twice.
  std::string twice = good;
  const auto open = twice.find('[', twice.find("\"guests\""));
  const auto close = twice.rfind(']');
  const std::string guest = twice.substr(open + 1, close - open - 1);
  twice.replace(open + 1, close - open - 1, guest + "," + guest);
  write_file(path_, twice);
  FakeDriver d(config());
  const sdk::Status s = d.init_host("compute-1");
  EXPECT_NE(s.message().find("uuid u-a is listed twice"), std::string::npos) << s;
  // Fixed by hand, the same host starts.
  write_file(path_, good);
  EXPECT_TRUE(d.init_host("compute-1").ok());
  EXPECT_EQ(d.instance_count(), 1u);
}

TEST_F(FakeStateFile, TwoHostsCannotShareAFile) {
  auto first = host();
  FakeDriver second(config());
  const sdk::Status s = second.init_host("compute-2");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s;
  EXPECT_NE(s.message().find(path_.string()), std::string::npos) << s;
  EXPECT_NE(s.message().find("process " + std::to_string(::getpid())), std::string::npos) << s;
  first.reset();  // the lock goes with its holder
  EXPECT_TRUE(second.init_host("compute-2").ok());
}

TEST_F(FakeStateFile, AnUnusableDirectoryIsAnInitErrorNamingTheFile) {
  FakeDriverConfig c;
  c.state_file = (dir_ / "no-such-dir" / "guests.json").string();
  FakeDriver d(c);
  const sdk::Status s = d.init_host("compute-1");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find(c.state_file), std::string::npos) << s;

  std::filesystem::create_directories(path_);  // a directory where the file should be
  FakeDriver on_dir(config());
  const sdk::Status t = on_dir.init_host("compute-1");
  EXPECT_FALSE(t.ok());
  EXPECT_NE(t.message().find(path_.string()), std::string::npos) << t;
}

TEST_F(FakeStateFile, ConfigKeyIsReadAndBadValuesAreRefusedByName) {
  sdk::PluginConfig p("[driver.fake]");
  p.set("state_file", path_.string());
  auto c = FakeDriverConfig::from_plugin_config(p);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->state_file, path_.string());
  EXPECT_EQ(FakeDriverConfig::from_plugin_config(sdk::PluginConfig("[driver.fake]"))->state_file, "");

  const std::pair<std::string, std::string> bad[] = {
      {"guests.json", "is not an absolute path"},
      {"/var/lib/stratus/", "does not name a file"},
      {"/var/lib/stratus/..", "does not name a file"},
  };
  for (const auto& [value, why] : bad) {
    sdk::PluginConfig q("[driver.fake]");
    q.set("state_file", value);
    auto r = FakeDriverConfig::from_plugin_config(q);
    ASSERT_FALSE(r.ok()) << value;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "key 'state_file' in [driver.fake]: '" + value + "' " + why);
  }
  sdk::PluginConfig q("[driver.fake]");
  q.set("state_file", std::int64_t{3});
  EXPECT_EQ(FakeDriverConfig::from_plugin_config(q).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stratus::drivers::fake
