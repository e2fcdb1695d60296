// Exports a descriptor and factory by hand, without STRATUS_PLUGIN, so the
// broken-plugin libraries can put wrong values where the macro never would.
#pragma once

#include <boost/dll/alias.hpp>

#include "stratus/sdk/plugin_descriptor.h"
#include "stratus/sdk/version.h"

#define HANDMADE_DESCRIPTOR(symbol_suffix, abi, kind_value, name_string, stdlib)                         \
  namespace handmade_##symbol_suffix {                                                                   \
  static const ::stratus::sdk::PluginDescriptor descriptor = {                                           \
      abi, static_cast<std::uint32_t>(kind_value), name_string, "0.0.1", "handmade test plugin",        \
      ::stratus::sdk::kSdkVersion, stdlib, STRATUS_SDK_COMPILER_TAG};                                    \
  }                                                                                                      \
  BOOST_DLL_ALIAS_SECTIONED(handmade_##symbol_suffix::descriptor, stratus_descriptor__##symbol_suffix, stratus)
