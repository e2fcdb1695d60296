// The registry against real libraries: one good library with several plugins,
// and one broken library per refusal the loader must make.
#include "core/plugin/plugin_registry.h"

#include <dlfcn.h>

#include <atomic>
#include <fstream>
#include <set>
#include <unistd.h>
#include <thread>

#include <gtest/gtest.h>

namespace stratus::core {
namespace {

namespace fs = std::filesystem;
using sdk::StatusCode;

fs::path lib(const std::string& name) { return fs::path(STRATUS_TEST_PLUGIN_DIR) / ("lib" + name + ".so"); }

// The single refusal a broken library must produce, checked for its reason.
PluginRefusal only_refusal(PluginRegistry& registry, const std::string& library) {
  auto refusals = registry.load_library(lib(library));
  EXPECT_EQ(refusals.size(), 1u) << library;
  EXPECT_TRUE(registry.list().empty()) << "a refused plugin must not be registered";
  return refusals.empty() ? PluginRefusal{} : refusals.front();
}

TEST(PluginRegistry, LoadsEveryPluginOfAMultiPluginLibrary) {
  PluginRegistry registry;
  auto refusals = registry.load_library(lib("test_good_multi"));
  ASSERT_TRUE(refusals.empty()) << refusals.front().to_string();
  auto plugins = registry.list();
  ASSERT_EQ(plugins.size(), 3u);
  // Sorted by kind, then name.
  EXPECT_EQ(plugins[0].name, "test_driver");
  EXPECT_EQ(plugins[0].kind, sdk::PluginKind::kVirtDriver);
  EXPECT_EQ(plugins[0].version, "2.3.4");
  EXPECT_EQ(plugins[0].abi_version, sdk::kAbiVersion);
  EXPECT_EQ(plugins[0].stdlib_tag, sdk::kStdlibTag);
  EXPECT_EQ(plugins[0].path, lib("test_good_multi"));
  EXPECT_EQ(plugins[1].name, "test_filter");
  EXPECT_EQ(plugins[1].kind, sdk::PluginKind::kSchedulerFilter);
  EXPECT_EQ(plugins[2].name, "test_weigher");
  EXPECT_EQ(plugins[2].kind, sdk::PluginKind::kSchedulerWeigher);
}

TEST(PluginRegistry, CreatesWorkingObjectsWithTheirConfig) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.load_library(lib("test_good_multi")).empty());

  sdk::PluginConfig config("[plugin.test_driver]");
  config.set("tag", std::string("from-config"));
  auto driver = registry.create<sdk::VirtDriver>("test_driver", config);
  ASSERT_TRUE(driver.ok()) << driver.status();
  sdk::Instance inst;
  inst.uuid = "u-1";
  ASSERT_TRUE((*driver)->spawn({}, inst, {}, {}, "", {}, {}).ok());
  auto info = (*driver)->get_info(inst);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->internal_id, "from-config");

  auto filter = registry.create<sdk::SchedulerFilter>("test_filter", {});
  ASSERT_TRUE(filter.ok());
  sdk::HostState good, bad;
  good.host = "h1";
  bad.host = "reject-me";
  EXPECT_TRUE((*filter)->host_passes(good, {}));
  EXPECT_FALSE((*filter)->host_passes(bad, {}));

  sdk::PluginConfig wcfg;
  wcfg.set("multiplier", std::int64_t{3});
  auto weigher = registry.create<sdk::SchedulerWeigher>("test_weigher", wcfg);
  ASSERT_TRUE(weigher.ok());
  EXPECT_DOUBLE_EQ((*weigher)->multiplier(), 3.0);
}

TEST(PluginRegistry, FactoryConfigErrorNamesTheKey) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.load_library(lib("test_good_multi")).empty());
  sdk::PluginConfig config("[plugin.test_driver]");
  config.set("tag", std::int64_t{5}, "stratus.toml:7");
  auto driver = registry.create<sdk::VirtDriver>("test_driver", config);
  ASSERT_FALSE(driver.ok());
  EXPECT_EQ(driver.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(driver.status().message().find("key 'tag' in [plugin.test_driver] (stratus.toml:7)"), std::string::npos)
      << driver.status();
  EXPECT_NE(driver.status().message().find("plugin 'test_driver'"), std::string::npos);
}

TEST(PluginRegistry, ObjectOutlivesTheRegistryButNotItsLibrary) {
  std::shared_ptr<sdk::VirtDriver> driver;
  {
    PluginRegistry registry;
    ASSERT_TRUE(registry.load_library(lib("test_good_multi")).empty());
    auto created = registry.create<sdk::VirtDriver>("test_driver", {});
    ASSERT_TRUE(created.ok());
    driver = created.value();
  }
  // The registry is gone; the object still holds its library, so its code runs.
  sdk::Instance inst;
  inst.uuid = "after";
  EXPECT_TRUE(driver->spawn({}, inst, {}, {}, "", {}, {}).ok());
  auto listed = driver->list_instances();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u);
  // Still mapped while the object lives...
  void* probe = ::dlopen(lib("test_good_multi").c_str(), RTLD_NOLOAD | RTLD_LAZY);
  ASSERT_NE(probe, nullptr) << "the library must stay loaded while its object lives";
  ::dlclose(probe);
  driver.reset();  // destructor runs inside the still-loaded library, then it unloads
  // ...and gone with it.
  EXPECT_EQ(::dlopen(lib("test_good_multi").c_str(), RTLD_NOLOAD | RTLD_LAZY), nullptr)
      << "the library must be unloaded with its last object";
}

TEST(PluginRegistry, RefusesWrongKind) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.load_library(lib("test_good_multi")).empty());
  auto as_driver = registry.create<sdk::VirtDriver>("test_filter", {});
  ASSERT_FALSE(as_driver.ok());
  EXPECT_EQ(as_driver.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(as_driver.status().message().find("is a scheduler_filter, not a virt_driver"), std::string::npos)
      << as_driver.status();
  auto as_filter = registry.create<sdk::SchedulerFilter>("test_weigher", {});
  ASSERT_FALSE(as_filter.ok());
  EXPECT_NE(as_filter.status().message().find("is a scheduler_weigher, not a scheduler_filter"), std::string::npos);
}

TEST(PluginRegistry, NamesAreUniquePerKind) {
  // "ram" is both a filter and a weigher in Nova's vocabulary; both must load.
  PluginRegistry registry;
  ASSERT_TRUE(registry.load_library(lib("test_good_multi")).empty());
  PluginInfo info;
  info.name = "test_filter";
  FactoryFunction<sdk::SchedulerWeigher> weigher_factory =
      [](const sdk::PluginConfig&) -> sdk::Result<std::unique_ptr<sdk::SchedulerWeigher>> {
    return sdk::Status::Unavailable("in-process weigher double");
  };
  ASSERT_TRUE(registry.register_factory<sdk::SchedulerWeigher>(info, weigher_factory).ok());
  EXPECT_EQ(registry.find_all("test_filter").size(), 2u);
  EXPECT_TRUE(registry.create<sdk::SchedulerFilter>("test_filter", {}).ok());
  auto weigher = registry.create<sdk::SchedulerWeigher>("test_filter", {});
  ASSERT_FALSE(weigher.ok());
  EXPECT_NE(weigher.status().message().find("in-process weigher double"), std::string::npos);
  EXPECT_EQ(registry.find(sdk::PluginKind::kSchedulerWeigher, "test_filter")->path, std::filesystem::path());
}

TEST(PluginRegistry, NoSuchPluginNamesWhereItLooked) {
  PluginRegistry registry;
  registry.set_search_description("/opt/a:/opt/b");
  auto created = registry.create<sdk::VirtDriver>("nope", {});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(created.status().message(), "no such virt_driver plugin 'nope' (searched /opt/a:/opt/b)");
}

TEST(PluginRegistry, RefusesMissingFile) {
  PluginRegistry registry;
  auto refusal = only_refusal(registry, "does_not_exist");
  EXPECT_EQ(refusal.reason, "no such file");
}

TEST(PluginRegistry, RefusesAFileThatIsNotASharedLibrary) {
  PluginRegistry registry;
  fs::path junk = fs::temp_directory_path() / ("stratus-junk-" + std::to_string(::getpid()) + ".so");
  std::ofstream(junk) << "this is not an ELF file\n";
  auto refusals = registry.load_library(junk);
  fs::remove(junk);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].path, junk);
  EXPECT_NE(refusals[0].reason.find("not a shared library"), std::string::npos) << refusals[0].to_string();
}

TEST(PluginRegistry, RefusesALibraryWithoutStratusSymbols) {
  PluginRegistry registry;
  auto refusal = only_refusal(registry, "test_missing_symbol");
  EXPECT_TRUE(refusal.plugin.empty());
  EXPECT_NE(refusal.reason.find("not a Stratus plugin: it exports no stratus_descriptor__* symbol"),
            std::string::npos)
      << refusal.to_string();
}

TEST(PluginRegistry, RefusesADescriptorWithoutFactory) {
  PluginRegistry registry;
  auto refusal = only_refusal(registry, "test_no_factory");
  EXPECT_EQ(refusal.plugin, "no_factory");
  EXPECT_NE(refusal.reason.find("without factory symbol stratus_factory__no_factory"), std::string::npos)
      << refusal.to_string();
}

TEST(PluginRegistry, RefusesANewerAbiAndSaysThePluginIsNewer) {
  PluginRegistry registry;
  auto refusal = only_refusal(registry, "test_abi_newer");
  EXPECT_EQ(refusal.plugin, "abi_newer");
  EXPECT_NE(refusal.reason.find("ABI mismatch: the plugin is newer"), std::string::npos) << refusal.to_string();
  EXPECT_NE(refusal.reason.find("built for ABI " + std::to_string(sdk::kAbiVersion + 1)), std::string::npos);
}

TEST(PluginRegistry, RefusesAnOlderAbiAndSaysThePluginIsOlder) {
  PluginRegistry registry;
  auto refusal = only_refusal(registry, "test_abi_older");
  EXPECT_NE(refusal.reason.find("ABI mismatch: the plugin is older"), std::string::npos) << refusal.to_string();
}

// Issue #21: a node that needs a refused plugin must say why in its one
// fatal line, not "no such plugin" with the reason in an earlier warning.
TEST(PluginRegistry, CreatingARefusedPluginNamesWhyItWasRefused) {
  PluginRegistry registry;
  registry.set_search_description("/somewhere");
  ASSERT_EQ(registry.load_library(lib("test_abi_older")).size(), 1u);
  auto driver = registry.create<sdk::VirtDriver>("abi_older", sdk::PluginConfig("[driver.abi_older]"));
  ASSERT_FALSE(driver.ok());
  EXPECT_TRUE(driver.status().is(StatusCode::kNotFound)) << driver.status();
  const std::string& message = driver.status().message();
  EXPECT_NE(message.find("no such virt_driver plugin 'abi_older': it was refused: "), std::string::npos) << message;
  EXPECT_NE(message.find("ABI mismatch: the plugin is older"), std::string::npos) << message;
  EXPECT_NE(message.find("libtest_abi_older.so"), std::string::npos) << message;
  // A name never seen is still plainly unknown, with the places searched.
  auto unknown = registry.create<sdk::VirtDriver>("never_there", sdk::PluginConfig("[driver.never_there]"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "no such virt_driver plugin 'never_there' (searched /somewhere)");
}

TEST(PluginRegistry, RefusesAnotherStandardLibrary) {
  PluginRegistry registry;
  auto refusal = only_refusal(registry, "test_stdlib_mismatch");
  EXPECT_NE(refusal.reason.find("standard library mismatch: the plugin was built with libc++/abi1"),
            std::string::npos)
      << refusal.to_string();
}

TEST(PluginRegistry, RefusesADescriptorWhoseNameDisagreesWithItsSymbol) {
  PluginRegistry registry;
  auto refusal = only_refusal(registry, "test_name_mismatch");
  EXPECT_NE(refusal.reason.find("does not match its symbol suffix 'name_mismatch'"), std::string::npos)
      << refusal.to_string();
}

TEST(PluginRegistry, RefusesADuplicateNameAndKeepsTheFirst) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.load_library(lib("test_good_multi")).empty());
  auto refusals = registry.load_library(lib("test_duplicate_name"));
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].plugin, "test_driver");
  EXPECT_NE(refusals[0].reason.find("duplicate virt_driver name 'test_driver': already registered from " +
                                    lib("test_good_multi").string()),
            std::string::npos)
      << refusals[0].to_string();
  auto info = registry.find(sdk::PluginKind::kVirtDriver, "test_driver");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->version, "2.3.4");  // the first one stays
}

TEST(PluginRegistry, FailingFactoryReportsItsStatus) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.load_library(lib("test_factory_fails")).empty());
  auto created = registry.create<sdk::VirtDriver>("factory_fails", {});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(created.status().message().find("factory failed: unavailable: no hypervisor at test:///nowhere"),
            std::string::npos)
      << created.status();
  EXPECT_NE(created.status().message().find(lib("test_factory_fails").string()), std::string::npos);
}

TEST(PluginRegistry, ThrowingFactoryIsCaughtByTheExportMacro) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.load_library(lib("test_factory_throws")).empty());
  auto created = registry.create<sdk::VirtDriver>("factory_throws", {});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kInternal);
  EXPECT_NE(created.status().message().find("factory threw: boom from the factory"), std::string::npos)
      << created.status();
}

TEST(PluginRegistry, ThrowingHandWrittenFactoryIsCaughtByTheLoader) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.load_library(lib("test_raw_factory_throws")).empty());
  auto created = registry.create<sdk::VirtDriver>("raw_factory_throws", {});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kInternal);
  EXPECT_NE(created.status().message().find("factory threw: raw boom"), std::string::npos) << created.status();
}

TEST(PluginRegistry, NullFromFactoryIsAnError) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.load_library(lib("test_factory_null")).empty());
  auto created = registry.create<sdk::VirtDriver>("factory_null", {});
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.status().message().find("factory returned no object"), std::string::npos) << created.status();
}

TEST(PluginRegistry, LoadDirectoriesTakesTheGoodAndReportsTheBad) {
  PluginRegistry registry;
  auto refusals = registry.load_directories({fs::path("/nonexistent/stratus/dir"), fs::path(STRATUS_TEST_PLUGIN_DIR)});
  // Files are read by name: libtest_duplicate_name.so sorts before
  // libtest_good_multi.so, so here the duplicate's test_driver is kept and
  // the good library's one is refused.
  auto info = registry.find(sdk::PluginKind::kVirtDriver, "test_driver");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->version, "9.9.9");
  for (const char* name : {"test_filter", "test_weigher", "factory_fails", "factory_throws", "factory_null",
                           "raw_factory_throws"}) {
    EXPECT_FALSE(registry.find_all(name).empty()) << name;
  }
  std::set<std::string> refused;
  for (const auto& r : refusals) refused.insert(r.plugin.empty() ? r.path.filename().string() : r.plugin);
  for (const char* name : {"abi_newer", "abi_older", "stdlib_mismatch", "name_mismatch", "no_factory",
                           "libtest_missing_symbol.so", "test_driver"}) {
    EXPECT_TRUE(refused.count(name)) << name << " should have been refused";
  }
  EXPECT_EQ(refusals.size(), 7u);
}

// An in-process test double: the registry must treat it like a loaded plugin.
class InProcessDriver : public sdk::VirtDriver {
 public:
  sdk::Status spawn(const sdk::RequestContext&, const sdk::Instance&, const sdk::ImageMeta&,
                    const sdk::InjectedFiles&, const std::string&, const sdk::NetworkInfo&,
                    const sdk::BlockDeviceInfo&) override {
    return sdk::Status::NotSupported("in-process double");
  }
  sdk::Status destroy(const sdk::RequestContext&, const sdk::Instance&, const sdk::NetworkInfo&,
                      const sdk::BlockDeviceInfo&, bool) override {
    return sdk::Status::OK();
  }
  sdk::Result<sdk::InstanceInfo> get_info(const sdk::Instance&) override { return sdk::Status::NotFound("none"); }
  sdk::Result<std::vector<std::string>> list_instances() override {
    return std::vector<std::string>{"in-process"};
  }
};

TEST(PluginRegistry, InProcessFactoriesShareTheNameSpace) {
  PluginRegistry registry;
  PluginInfo info;
  info.name = "test_driver";
  info.version = "0.0.1";
  FactoryFunction<sdk::VirtDriver> factory = [](const sdk::PluginConfig&) -> sdk::Result<std::unique_ptr<sdk::VirtDriver>> {
    return std::unique_ptr<sdk::VirtDriver>(new InProcessDriver());
  };
  ASSERT_TRUE(registry.register_factory<sdk::VirtDriver>(info, factory).ok());

  auto again = registry.register_factory<sdk::VirtDriver>(info, factory);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.message(), "duplicate virt_driver name 'test_driver': already registered from this process");

  auto refusals = registry.load_library(lib("test_good_multi"));
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].plugin, "test_driver");
  auto driver = registry.create<sdk::VirtDriver>("test_driver", {});
  ASSERT_TRUE(driver.ok());
  auto listed = (*driver)->list_instances();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->front(), "in-process");

  info.name = "Bad-Name";
  EXPECT_EQ(registry.register_factory<sdk::VirtDriver>(info, factory).code(), StatusCode::kInvalidArgument);
}

TEST(PluginRegistry, OverrideReplacesAPluginAndRestoresIt) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.load_library(lib("test_good_multi")).empty());
  {
    auto handle = registry.override_factory<sdk::VirtDriver>(
        "test_driver", [](const sdk::PluginConfig&) -> sdk::Result<std::unique_ptr<sdk::VirtDriver>> {
          return std::unique_ptr<sdk::VirtDriver>(new InProcessDriver());
        });
    auto driver = registry.create<sdk::VirtDriver>("test_driver", {});
    ASSERT_TRUE(driver.ok());
    EXPECT_EQ((*driver)->list_instances()->front(), "in-process");
    EXPECT_EQ(registry.find(sdk::PluginKind::kVirtDriver, "test_driver")->version, "override");

    // An override of a name nobody had is removed again.
    auto added = registry.override_factory<sdk::SchedulerFilter>(
        "brand_new", [](const sdk::PluginConfig&) -> sdk::Result<std::unique_ptr<sdk::SchedulerFilter>> {
          return sdk::Status::NotSupported("double");
        });
    EXPECT_TRUE(registry.find(sdk::PluginKind::kSchedulerFilter, "brand_new").ok());
  }
  EXPECT_FALSE(registry.find(sdk::PluginKind::kSchedulerFilter, "brand_new").ok());
  auto restored = registry.find(sdk::PluginKind::kVirtDriver, "test_driver");
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(restored->version, "2.3.4");
  auto driver = registry.create<sdk::VirtDriver>("test_driver", {});
  ASSERT_TRUE(driver.ok());
  EXPECT_TRUE((*driver)->list_instances()->empty());  // the library's EchoDriver again
}

TEST(PluginRegistry, LoadAndUnloadInALoop) {
  // Under the sanitizer build this finds leaks and use-after-unload.
  for (int i = 0; i < 100; ++i) {
    PluginRegistry registry;
    ASSERT_TRUE(registry.load_library(lib("test_good_multi")).empty());
    auto driver = registry.create<sdk::VirtDriver>("test_driver", {});
    ASSERT_TRUE(driver.ok());
    sdk::Instance inst;
    inst.uuid = "loop-" + std::to_string(i);
    ASSERT_TRUE((*driver)->spawn({}, inst, {}, {}, "", {}, {}).ok());
  }
}

TEST(PluginRegistry, ConcurrentCreatesFromOneRegistry) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.load_library(lib("test_good_multi")).empty());
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (registry.create<sdk::SchedulerFilter>("test_filter", {}).ok()) ++created;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(created.load(), 200);
}

}  // namespace
}  // namespace stratus::core
