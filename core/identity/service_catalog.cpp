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
};

constexpr Service kServices[] = {
    {"compute", "nova", "/v2.1"},
    {"image", "glance", "/image"},
    {"network", "neutron", "/network"},
    {"identity", "keystone", "/identity"},
};

}  // namespace

json service_catalog(const std::string& base_url) {
  json catalog = json::array();
  for (const Service& s : kServices) {
    json endpoints = json::array();
    for (const char* interface : {"public", "internal", "admin"}) {
      endpoints.push_back({{"id", stable_id(std::string("endpoint:") + s.type + ":" + interface)},
                           {"interface", interface},
                           {"region", kRegion},
                           {"region_id", kRegion},
                           {"url", base_url + s.path}});
    }
    catalog.push_back(
        {{"endpoints", endpoints}, {"id", stable_id(std::string("service:") + s.type)}, {"name", s.name}, {"type", s.type}});
  }
  return catalog;
}

}  // namespace stratus::core::identity
