// PluginRegistry: the one place plugins are found, checked and created.
//
// Keyed by kind and name (a filter and a weigher may both be called "ram", as
// the config names them in different lists), for plugins loaded from libraries
// and for factories registered in process (tests, built-ins) alike; a second
// plugin of a kind with a name already taken is refused, naming both origins.
//
// Loading a library first reads its symbol table from the file (a file that
// is not a Stratus plugin is never loaded), then loads it and checks each
// descriptor (descriptor_check.h) before calling any of its functions.
// Loading runs the library's static initialisers, which no in-process loader
// can avoid. A refused plugin is reported, never fatal.
// create<I>() returns a shared_ptr whose deleter keeps the plugin's library
// loaded until the object is gone, so no object outlives its library; the
// registry itself may be destroyed first.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/plugin/plugin_info.h"
#include "stratus/sdk/plugin_config.h"
#include "stratus/sdk/plugin_descriptor.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/scheduler_filter.h"
#include "stratus/sdk/scheduler_weigher.h"
#include "stratus/sdk/status.h"
#include "stratus/sdk/virt_driver.h"

namespace boost::dll {
class shared_library;
}

namespace stratus::core {

template <typename Interface>
using FactoryFunction = std::function<sdk::Result<std::unique_ptr<Interface>>(const sdk::PluginConfig&)>;

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // Loads the library at `file` and registers every plugin it exports that
  // passes the checks. Returns one refusal per plugin not taken, or one for
  // the file when it is not a loadable Stratus plugin library at all.
  std::vector<PluginRefusal> load_library(const std::filesystem::path& file);

  // load_library() on every "*.so" file in each directory, directories in
  // order and files by name, so that which of two duplicates wins is stable.
  // A directory that does not exist is skipped (the defaults may be absent).
  std::vector<PluginRefusal> load_directories(const std::vector<std::filesystem::path>& dirs);

  // Registers an in-process factory under `info.name` (info.path stays empty).
  // kAlreadyExists if the kind's name is taken; kInvalidArgument for a bad name.
  template <typename Interface>
  sdk::Status register_factory(PluginInfo info, FactoryFunction<Interface> factory) {
    info.kind = sdk::PluginKindOf<Interface>::value;
    return add(Entry{std::move(info), nullptr, AnyFactory(std::move(factory))});
  }

  // Puts an in-process factory in place of the `Interface` plugin `name` (or
  // adds one) until the returned handle is destroyed, which restores what was
  // there before (Envoy's InjectFactory). For tests that need a double where
  // the config names a real plugin. The handle must not outlive the registry.
  class Override;
  template <typename Interface>
  [[nodiscard]] Override override_factory(const std::string& name, FactoryFunction<Interface> factory);

  // All registered plugins, sorted by kind then name.
  std::vector<PluginInfo> list() const;

  // The plugin of `kind` called `name`; kNotFound naming the places searched.
  sdk::Result<PluginInfo> find(sdk::PluginKind kind, std::string_view name) const;

  // Every plugin called `name`, of any kind (empty if none).
  std::vector<PluginInfo> find_all(std::string_view name) const;

  // Creates the `Interface` plugin `name`, passing it `config`.
  // kNotFound (no such plugin; when one of that name was found but refused
  // at load, the message says why), kInvalidArgument when only another kind has
  // that name ("is a scheduler_filter, not a virt_driver"), or the factory's
  // own failure with the plugin and file named. Never throws.
  template <typename Interface>
  sdk::Result<std::shared_ptr<Interface>> create(std::string_view name, const sdk::PluginConfig& config) const;

  // Where load_directories looked, for "no such plugin" messages.
  void set_search_description(std::string description);

 private:
  using AnyFactory = std::variant<FactoryFunction<sdk::VirtDriver>, FactoryFunction<sdk::SchedulerFilter>,
                                  FactoryFunction<sdk::SchedulerWeigher>>;
  struct Entry {
    PluginInfo info;
    std::shared_ptr<boost::dll::shared_library> library;  // null for in-process factories
    AnyFactory factory;
  };

  sdk::Status add(Entry entry);
  // Swaps `entry` in; returns what it replaced, if anything.
  std::optional<Entry> replace(Entry entry);
  void restore(const std::pair<sdk::PluginKind, std::string>& key, std::optional<Entry> previous);
  sdk::Result<Entry> entry_for(std::string_view name, sdk::PluginKind wanted) const;
  sdk::Status not_found(sdk::PluginKind kind, std::string_view name) const;  // requires mu_
  // Keeps why each named plugin was refused, for not_found's message.
  void remember_refusals(const std::vector<PluginRefusal>& refusals);

  using Key = std::pair<sdk::PluginKind, std::string>;
  mutable std::mutex mu_;
  std::map<Key, Entry> entries_;  // guarded by mu_
  std::string search_description_;                     // guarded by mu_
  std::map<std::string, std::string, std::less<>> refused_;  // plugin name -> refusal; guarded by mu_
};

class PluginRegistry::Override {
 public:
  Override(Override&& other) noexcept
      : registry_(std::exchange(other.registry_, nullptr)), key_(std::move(other.key_)),
        previous_(std::move(other.previous_)) {}
  Override& operator=(Override&&) = delete;
  Override(const Override&) = delete;
  ~Override() {
    if (registry_ != nullptr) registry_->restore(key_, std::move(previous_));
  }

 private:
  friend class PluginRegistry;
  Override(PluginRegistry* registry, std::pair<sdk::PluginKind, std::string> key, std::optional<Entry> previous)
      : registry_(registry), key_(std::move(key)), previous_(std::move(previous)) {}

  PluginRegistry* registry_;
  std::pair<sdk::PluginKind, std::string> key_;
  std::optional<Entry> previous_;
};

template <typename Interface>
PluginRegistry::Override PluginRegistry::override_factory(const std::string& name,
                                                          FactoryFunction<Interface> factory) {
  PluginInfo info;
  info.name = name;
  info.kind = sdk::PluginKindOf<Interface>::value;
  info.version = "override";
  info.description = "in-process override";
  info.abi_version = sdk::kAbiVersion;
  auto previous = replace(Entry{info, nullptr, AnyFactory(std::move(factory))});
  return Override(this, {info.kind, name}, std::move(previous));
}

extern template sdk::Result<std::shared_ptr<sdk::VirtDriver>> PluginRegistry::create<sdk::VirtDriver>(
    std::string_view, const sdk::PluginConfig&) const;
extern template sdk::Result<std::shared_ptr<sdk::SchedulerFilter>> PluginRegistry::create<sdk::SchedulerFilter>(
    std::string_view, const sdk::PluginConfig&) const;
extern template sdk::Result<std::shared_ptr<sdk::SchedulerWeigher>> PluginRegistry::create<sdk::SchedulerWeigher>(
    std::string_view, const sdk::PluginConfig&) const;

}  // namespace stratus::core
