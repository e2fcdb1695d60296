#include "core/identity/service_catalog.h"

#include <sodium.h>

#include "core/identity/sodium_init.h"

namespace stratus::core::identity {

namespace {

using nlohmann::json;

// 32 hex digits derived from `seed`: ids that look like Keystone's and stay
// the same across restarts.
std::string stable_id(const std::string& seed) {
  (void)ensure_sodium();
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(seed.data()), seed.size(),
                     nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

struct Service {
  const char* type;
  const char* name;
  const char* path;
  const char* description;
};

constexpr Service kServices[] = {
    {"compute", "nova", "/v2.1", "Stratus compute (OpenStack Compute API)"},
    {"image", "glance", "/image", "Stratus images (OpenStack Image API v2)"},
    {"network", "neutron", "/network", "Stratus networks (OpenStack Networking API v2.0)"},
    {"identity", "keystone", "/identity", "Stratus identity (OpenStack Identity API v3)"},
};

}  // namespace

std::vector<CatalogService> catalog_services(const std::string& base_url) {
  std::vector<CatalogService> out;
  for (const Service& s : kServices) {
    CatalogService service{stable_id(std::string("service:") + s.type), s.type, s.name, s.description, {}};
    for (const char* interface : {"public", "internal", "admin"}) {
      service.endpoints.push_back(
          {stable_id(std::string("endpoint:") + s.type + ":" + interface), interface, base_url + s.path});
    }
    out.push_back(std::move(service));
  }
  return out;
}

json service_catalog(const std::string& base_url) {
  json catalog = json::array();
  for (const CatalogService& s : catalog_services(base_url)) {
    json endpoints = json::array();
    for (const CatalogEndpoint& e : s.endpoints) {
      endpoints.push_back(
          {{"id", e.id}, {"interface", e.interface}, {"region", kRegion}, {"region_id", kRegion}, {"url", e.url}});
    }
    catalog.push_back({{"endpoints", endpoints}, {"id", s.id}, {"name", s.name}, {"type", s.type}});
  }
  return catalog;
}

}  // namespace stratus::core::identity
