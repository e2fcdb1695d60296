// A factory that "succeeds" with no object.
#include "test_doubles.h"

namespace {
stratus::sdk::Result<std::unique_ptr<stratus::sdk::VirtDriver>> make(const stratus::sdk::PluginConfig&) {
  return std::unique_ptr<stratus::sdk::VirtDriver>();
}
}  // namespace

STRATUS_PLUGIN(stratus::sdk::VirtDriver, factory_null, "1.0.0", "Factory returns null", make)
