// Exports "test_driver" again: the second library to register it is refused.
#include "test_doubles.h"

namespace {
stratus::sdk::Result<std::unique_ptr<stratus::sdk::VirtDriver>> make(const stratus::sdk::PluginConfig&) {
  return std::unique_ptr<stratus::sdk::VirtDriver>(new loader_test::EchoDriver("duplicate"));
}
}  // namespace

STRATUS_PLUGIN(stratus::sdk::VirtDriver, test_driver, "9.9.9", "Duplicate of test_driver", make)
