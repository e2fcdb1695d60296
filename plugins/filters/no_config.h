// Helpers for the factories of filters that take no config keys.
#pragma once

#include <memory>
#include <utility>

#include "stratus/plugins/filters/filters.h"

namespace stratus::plugins::filters::detail {

// Refuses any key in `config`, else builds a `Filter`.
template <typename Filter>
FilterResult make_without_config(const sdk::PluginConfig& config) {
  if (sdk::Status s = config.check_known_keys({}); !s.ok()) return s;
  return std::unique_ptr<sdk::SchedulerFilter>(std::make_unique<Filter>());
}

}  // namespace stratus::plugins::filters::detail
