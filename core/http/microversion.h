// Microversion: the Compute API version a request asks for, as Nova reads it
// from `OpenStack-API-Version: compute 2.37` (or the legacy
// `X-OpenStack-Nova-API-Version: 2.37`). No header means the minimum, 2.1;
// "latest" means the maximum this server implements.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "stratus/sdk/result.h"

namespace stratus::core::api {

struct Microversion {
  int major = 2;
  int minor = 1;

  auto operator<=>(const Microversion&) const = default;
  std::string to_string() const { return std::to_string(major) + "." + std::to_string(minor); }
};

// The range this server implements; the maximum is raised only when the
// behaviour of the new version is implemented, never to look current.
inline constexpr Microversion kMinMicroversion{2, 1};
inline constexpr Microversion kMaxMicroversion{2, 93};

// "2.37" -> {2, 37}; kInvalidArgument with Nova's wording otherwise.
sdk::Result<Microversion> parse_microversion(std::string_view text);

// The version a request asks for, from its two possible headers (either may be
// absent). kInvalidArgument (400) for a malformed value; kNotSupported, which
// the API answers with 406, for a version outside [min, max].
sdk::Result<Microversion> negotiate_microversion(const std::optional<std::string>& openstack_api_version,
                                                 const std::optional<std::string>& legacy_nova_version,
                                                 Microversion min = kMinMicroversion,
                                                 Microversion max = kMaxMicroversion);

}  // namespace stratus::core::api
