// Hypervisor version requirements of images (img_hv_requested_version).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace stratus::plugins::filters::detail {

// Whether `version` (Nova's encoding, major * 1000000 + minor * 1000 + micro)
// meets `requirement`: one or more comma-separated clauses "<op> <version>",
// op one of < <= == != >= >, all of which must hold. A version is either the
// encoded integer itself ("6000") or dotted ("2.11", "2.11.1"; each part after
// the first below 1000). nullopt if the requirement cannot be parsed.
std::optional<bool> version_satisfies(std::int64_t version, std::string_view requirement);

}  // namespace stratus::plugins::filters::detail
