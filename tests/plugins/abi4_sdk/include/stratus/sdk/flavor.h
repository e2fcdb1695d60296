// Flavor: the size of a server, as the user chose it (a snapshot is kept with
// each instance, so later edits to the flavor do not change running servers).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace stratus::sdk {

struct Flavor {
  std::string id;            // Nova's flavorid, e.g. "1"
  std::string name;          // e.g. "m1.tiny"
  std::int32_t vcpus = 0;
  std::int64_t memory_mb = 0;
  std::int64_t root_gb = 0;
  std::int64_t ephemeral_gb = 0;
  std::int64_t swap_mb = 0;
  double rxtx_factor = 1.0;
  bool is_public = true;
  // Free-form "key" or "scope:key" pairs, e.g. "aggregate_instance_extra_specs:ssd".
  std::map<std::string, std::string> extra_specs;
};

}  // namespace stratus::sdk
