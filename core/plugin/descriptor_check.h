// The checks the loader makes on a descriptor before it calls anything of the
// plugin: ABI version range, kind, name, standard-library tag.
#pragma once

#include <string_view>

#include "stratus/sdk/plugin_descriptor.h"
#include "stratus/sdk/status.h"
#include "stratus/sdk/version.h"

namespace stratus::core {

// OK if a plugin with this descriptor, found under symbol name `symbol_name`,
// may be used by this build; otherwise kInvalidArgument with a message that
// says what is wrong, and for an ABI mismatch, which side is newer.
// Only the frozen head (abi_version, kind, name) is read when the ABI differs.
sdk::Status check_descriptor(const sdk::PluginDescriptor& descriptor, std::string_view symbol_name);

// True if `name` is a valid plugin name: [a-z0-9_]+, at most 64 characters.
bool is_valid_plugin_name(std::string_view name);

}  // namespace stratus::core
