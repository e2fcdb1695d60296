// PluginInfo: what the registry knows of one plugin, copied out of its
// descriptor so it stays valid whatever happens to the library.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "stratus/sdk/plugin_descriptor.h"

namespace stratus::core {

struct PluginInfo {
  std::string name;
  sdk::PluginKind kind = sdk::PluginKind::kVirtDriver;
  std::string version;
  std::string description;
  std::uint32_t abi_version = 0;
  std::string sdk_version;
  std::string stdlib_tag;
  std::string compiler_tag;
  std::filesystem::path path;  // the library it came from; empty for an in-process factory
};

// Why the registry did not take a plugin (or a whole file): `plugin` is empty
// when the refusal is about the file itself.
struct PluginRefusal {
  std::filesystem::path path;
  std::string plugin;
  std::string reason;

  // "/usr/lib/stratus/plugins/libx.so: plugin 'x': ABI mismatch: ..."
  std::string to_string() const;
};

}  // namespace stratus::core
