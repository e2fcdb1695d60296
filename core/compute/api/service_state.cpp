#include "core/compute/api/service_state.h"


namespace stratus::core::api {

std::string service_zone(const db::ServiceRecord& service) {
  return service.binary == kComputeBinary || service.topic == "compute" ? "nova" : "internal";
}

}  // namespace stratus::core::api
