// The service catalog a token carries: where this deployment's compute,
// image, network and identity APIs are, one endpoint per interface (public,
// internal, admin) in region "RegionOne", in Keystone v3's shape. All of
// them are on the one API port, under the paths docs/identity.md lists.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stratus::core::identity {

inline constexpr const char* kRegion = "RegionOne";

// The catalog for the API at `base_url` ("http://127.0.0.1:8774", no
// trailing slash). Service and endpoint ids are stable: derived from the
// service type and interface, so a client may cache them.
nlohmann::json service_catalog(const std::string& base_url);

// The same catalog as Keystone's service, endpoint and region resources
// (GET /v3/services, /v3/endpoints, /v3/regions): the ids and URLs the
// token's catalog shows.
struct CatalogEndpoint {
  std::string id;
  std::string interface;  // public, internal, admin
  std::string url;
};
struct CatalogService {
  std::string id;
  std::string type;  // compute, image, network, identity
  std::string name;  // nova, glance, neutron, keystone
  std::string description;
  std::vector<CatalogEndpoint> endpoints;
};
std::vector<CatalogService> catalog_services(const std::string& base_url);

}  // namespace stratus::core::identity
