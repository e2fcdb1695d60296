// PluginDescriptor: what a plugin library says about each plugin it exports.
//
// The loader reads the descriptor, a plain data symbol, before it calls any of
// the plugin's functions, and refuses the plugin if the ABI version or
// standard library tag does not match. (Loading the library runs its static
// initialisers: keep them trivial.) The layout of the first three fields (abi_version,
// kind, name) is frozen for every ABI version, so a loader of any version can
// read and name a plugin it refuses; later fields may change with the ABI.
//
// Plugins never fill this in by hand: STRATUS_PLUGIN (plugin_export.h) does.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "stratus/sdk/plugin_config.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/scheduler_filter.h"
#include "stratus/sdk/version.h"
#include "stratus/sdk/scheduler_weigher.h"
#include "stratus/sdk/virt_driver.h"

namespace stratus::sdk {

// Values are part of the ABI: never changed, never reused.
enum class PluginKind : std::uint32_t {
  kVirtDriver = 1,
  kSchedulerFilter = 2,
  kSchedulerWeigher = 3,
};

constexpr std::string_view plugin_kind_name(PluginKind kind) noexcept {
  switch (kind) {
    case PluginKind::kVirtDriver: return "virt_driver";
    case PluginKind::kSchedulerFilter: return "scheduler_filter";
    case PluginKind::kSchedulerWeigher: return "scheduler_weigher";
  }
  return "unknown";
}

struct PluginDescriptor {
  std::uint32_t abi_version;  // kAbiVersion of the headers the plugin was built with
  std::uint32_t kind;         // a PluginKind
  const char* name;           // unique across all loaded plugins; [a-z0-9_]+
  const char* version;        // the plugin's own version, semver
  const char* description;    // one line, for `stratus plugin show`
  const char* sdk_version;    // kSdkVersion it was built with
  const char* stdlib_tag;     // must equal the loader's kStdlibTag
  const char* compiler_tag;   // informational
};

// The interface each kind implements, and the kind of each interface.
template <typename Interface>
struct PluginKindOf;
template <>
struct PluginKindOf<VirtDriver> {
  static constexpr PluginKind value = PluginKind::kVirtDriver;
};
template <>
struct PluginKindOf<SchedulerFilter> {
  static constexpr PluginKind value = PluginKind::kSchedulerFilter;
};
template <>
struct PluginKindOf<SchedulerWeigher> {
  static constexpr PluginKind value = PluginKind::kSchedulerWeigher;
};

// The exported factory of a plugin of interface I. The export macro's factory
// is noexcept (it turns an exception into kInternal); the type is not, so that
// a loader calling a hand-written export can still catch what it throws.
template <typename Interface>
using PluginFactory = Result<std::unique_ptr<Interface>> (*)(const PluginConfig& config);

// Symbol names. One library may export several plugins, each under its own
// name; the loader lists the symbols of kSymbolSection to find them.
inline constexpr std::string_view kDescriptorSymbolPrefix = "stratus_descriptor__";
inline constexpr std::string_view kFactorySymbolPrefix = "stratus_factory__";
inline constexpr const char* kSymbolSection = "stratus";

}  // namespace stratus::sdk
