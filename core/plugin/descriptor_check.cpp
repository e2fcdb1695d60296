#include "core/plugin/descriptor_check.h"

#include <cstring>
#include <string>

#include "stratus/sdk/version.h"

namespace stratus::core {

using sdk::Status;

bool is_valid_plugin_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

Status check_descriptor(const sdk::PluginDescriptor& d, std::string_view symbol_name) {
  const std::string abi = std::to_string(d.abi_version);
  if (d.abi_version > sdk::kAbiVersion) {
    return Status::InvalidArgument("ABI mismatch: the plugin is newer (built for ABI " + abi +
                                   ", this stratus supports ABI " + std::to_string(sdk::kMinSupportedAbiVersion) +
                                   " to " + std::to_string(sdk::kAbiVersion) + "); upgrade stratus or rebuild the plugin against an older SDK");
  }
  if (d.abi_version < sdk::kMinSupportedAbiVersion) {
    return Status::InvalidArgument("ABI mismatch: the plugin is older (built for ABI " + abi +
                                   ", this stratus supports ABI " + std::to_string(sdk::kMinSupportedAbiVersion) +
                                   " to " + std::to_string(sdk::kAbiVersion) + "); rebuild the plugin against the current SDK");
  }
  if (d.name == nullptr || !is_valid_plugin_name(d.name)) {
    return Status::InvalidArgument("descriptor has an invalid name (want [a-z0-9_]+, at most 64 characters)");
  }
  // The symbol carries the name too; a mismatch means the exports were not made
  // by STRATUS_PLUGIN and cannot be trusted.
  if (symbol_name != d.name) {
    return Status::InvalidArgument("descriptor name '" + std::string(d.name) + "' does not match its symbol suffix '" +
                                   std::string(symbol_name) + "'");
  }
  switch (static_cast<sdk::PluginKind>(d.kind)) {
    case sdk::PluginKind::kVirtDriver:
    case sdk::PluginKind::kSchedulerFilter:
    case sdk::PluginKind::kSchedulerWeigher:
      break;
    default:
      return Status::InvalidArgument("unknown plugin kind " + std::to_string(d.kind));
  }
  for (const char* field : {d.version, d.description, d.sdk_version, d.stdlib_tag, d.compiler_tag}) {
    if (field == nullptr) return Status::InvalidArgument("descriptor has a null field");
  }
  if (std::strcmp(d.stdlib_tag, sdk::kStdlibTag) != 0) {
    return Status::InvalidArgument(std::string("standard library mismatch: the plugin was built with ") +
                                   d.stdlib_tag + " (" + d.compiler_tag + "), this stratus with " +
                                   sdk::kStdlibTag + "; rebuild it with the same standard library");
  }
  return Status::OK();
}

}  // namespace stratus::core
