// A factory that throws; STRATUS_PLUGIN's wrapper must turn it into a Status.
#include <stdexcept>

#include "test_doubles.h"

namespace {
stratus::sdk::Result<std::unique_ptr<stratus::sdk::VirtDriver>> make(const stratus::sdk::PluginConfig&) {
  throw std::runtime_error("boom from the factory");
}
}  // namespace

STRATUS_PLUGIN(stratus::sdk::VirtDriver, factory_throws, "1.0.0", "Factory throws", make)
