// A factory that refuses with a Status, as a driver does when its hypervisor is away.
#include "test_doubles.h"

namespace {
stratus::sdk::Result<std::unique_ptr<stratus::sdk::VirtDriver>> make(const stratus::sdk::PluginConfig&) {
  return stratus::sdk::Status::Unavailable("no hypervisor at test:///nowhere");
}
}  // namespace

STRATUS_PLUGIN(stratus::sdk::VirtDriver, factory_fails, "1.0.0", "Factory returns an error", make)
