// Nova's over-commit arithmetic, shared by the ram, core, disk and
// image_properties filters so that they can never disagree.
#pragma once

#include <cstdint>

#include "stratus/sdk/flavor.h"
#include "stratus/sdk/host_state.h"

namespace stratus::plugins::filters::detail {

// total_usable_ram_mb * ram_allocation_ratio - (total - free) >= requested_mb.
bool ram_fits(const sdk::HostState& host, std::int64_t requested_mb);

// total_usable_disk_gb * 1024 * disk_allocation_ratio - (total - free) >= requested_mb.
bool disk_fits(const sdk::HostState& host, std::int64_t requested_mb);

// 1024 * (root_gb + ephemeral_gb) + swap_mb, with root_gb raised to
// `min_root_gb` when that is larger (an image's min_disk).
std::int64_t requested_disk_mb(const sdk::Flavor& flavor, std::int64_t min_root_gb = 0);

}  // namespace stratus::plugins::filters::detail
