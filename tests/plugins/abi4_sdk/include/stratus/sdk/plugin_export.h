// STRATUS_PLUGIN: the one macro a plugin library uses to export a plugin.
//
//   stratus::sdk::Result<std::unique_ptr<stratus::sdk::SchedulerFilter>>
//   make_my_filter(const stratus::sdk::PluginConfig& config);
//
//   STRATUS_PLUGIN(stratus::sdk::SchedulerFilter, my_filter, "1.2.0",
//                  "Rejects hosts without a GPU", make_my_filter)
//
// exports, through Boost.DLL aliases in the "stratus" section, a descriptor
// (kind from the interface, name "my_filter", version, this SDK's ABI version
// and standard-library tag) and a noexcept factory that calls make_my_filter
// and turns an exception or a null object into a kInternal Status. Use it once
// per plugin, at namespace scope in a .cpp file; one library may use it several
// times with different names.
#pragma once

#include <exception>
#include <memory>
#include <string>

#include <boost/dll/alias.hpp>

#include "stratus/sdk/plugin_config.h"
#include "stratus/sdk/plugin_descriptor.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"
#include "stratus/sdk/version.h"

namespace stratus::sdk::detail {

template <typename Interface, typename Function>
Result<std::unique_ptr<Interface>> guarded_create(Function&& function, const PluginConfig& config) noexcept {
  try {
    Result<std::unique_ptr<Interface>> created = function(config);
    if (created.ok() && created.value() == nullptr) return Status::Internal("factory returned no object");
    return created;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("factory threw: ") + e.what());
  } catch (...) {
    return Status::Internal("factory threw a non-standard exception");
  }
}

}  // namespace stratus::sdk::detail

#define STRATUS_PLUGIN(Interface, plugin_name, version_string, description_string, factory_function)          \
  namespace stratus_plugin_##plugin_name {                                                                    \
  static const ::stratus::sdk::PluginDescriptor descriptor = {                                                \
      ::stratus::sdk::kAbiVersion,                                                                            \
      static_cast<std::uint32_t>(::stratus::sdk::PluginKindOf<Interface>::value),                             \
      #plugin_name,                                                                                           \
      version_string,                                                                                         \
      description_string,                                                                                     \
      ::stratus::sdk::kSdkVersion,                                                                            \
      STRATUS_SDK_STDLIB_TAG,                                                                                 \
      STRATUS_SDK_COMPILER_TAG};                                                                              \
  static ::stratus::sdk::Result<std::unique_ptr<Interface>> factory(                                          \
      const ::stratus::sdk::PluginConfig& config) noexcept {                                                  \
    return ::stratus::sdk::detail::guarded_create<Interface>(factory_function, config);                       \
  }                                                                                                           \
  }                                                                                                           \
  BOOST_DLL_ALIAS_SECTIONED(stratus_plugin_##plugin_name::descriptor, stratus_descriptor__##plugin_name, stratus) \
  BOOST_DLL_ALIAS_SECTIONED(stratus_plugin_##plugin_name::factory, stratus_factory__##plugin_name, stratus)
