// The service catalog a token carries: where this deployment's compute,
// image, network and identity APIs are, one endpoint per interface (public,
// internal, admin) in region "RegionOne", in Keystone v3's shape. All of
// them are on the one API port, under the paths docs/identity.md lists.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace stratus::core::identity {

inline constexpr const char* kRegion = "RegionOne";

// The catalog for the API at `base_url` ("http://127.0.0.1:8774", no
// trailing slash). Service and endpoint ids are stable: derived from the
// service type and interface, so a client may cache them.
nlohmann::json service_catalog(const std::string& base_url);

}  // namespace stratus::core::identity
