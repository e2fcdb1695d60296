#include "multiplier_config.h"

#include <cmath>

namespace stratus::plugins::weighers::detail {

sdk::Result<double> read_multiplier(const sdk::PluginConfig& config, double fallback) {
  constexpr const char* kKey = "multiplier";
  if (sdk::Status s = config.check_known_keys({kKey}); !s.ok()) return s;
  sdk::Result<double> multiplier = config.get_double(kKey, fallback);
  if (!multiplier.ok()) return multiplier;
  if (!std::isfinite(*multiplier)) return sdk::Status::InvalidArgument(config.describe(kKey) + ": must be finite");
  return multiplier;
}

}  // namespace stratus::plugins::weighers::detail
