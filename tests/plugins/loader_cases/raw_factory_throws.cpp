// A hand-written factory export that throws: the loader itself must catch it.
#include <stdexcept>

#include "handmade_export.h"
#include "test_doubles.h"

HANDMADE_DESCRIPTOR(raw_factory_throws, ::stratus::sdk::kAbiVersion, ::stratus::sdk::PluginKind::kVirtDriver,
                    "raw_factory_throws", STRATUS_SDK_STDLIB_TAG)

namespace handmade_raw_factory_throws {
stratus::sdk::Result<std::unique_ptr<stratus::sdk::VirtDriver>> factory(const stratus::sdk::PluginConfig&) {
  throw std::logic_error("raw boom");
}
}  // namespace handmade_raw_factory_throws
BOOST_DLL_ALIAS_SECTIONED(handmade_raw_factory_throws::factory, stratus_factory__raw_factory_throws, stratus)
