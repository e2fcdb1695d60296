#include "core/compute/api/service_state.h"

#include "core/common/digest.h"


namespace stratus::core::api {

std::string service_zone(const db::ServiceRecord& service) {
  return service.binary == kComputeBinary || service.topic == "compute" ? "nova" : "internal";
}

std::string service_uuid(const db::ServiceRecord& service) {
  std::string h = common::md5_hex("stratus-service:" + std::to_string(service.id) + ":" + service.host + ":" +
                                  service.binary);
  // RFC 4122 name-based MD5: version nibble 3, variant bits 10xx.
  h[12] = '3';
  static const char* kHex = "0123456789abcdef";
  const int variant = std::stoi(std::string(1, h[16]), nullptr, 16);
  h[16] = kHex[(variant & 0x3) | 0x8];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
}

}  // namespace stratus::core::api
