#include "core/http/api_error.h"

namespace stratus::core::api {

std::string_view nova_fault_name(int http_status) {
  switch (http_status) {
    case 400: return "badRequest";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "itemNotFound";
    case 405: return "badMethod";
    case 406: return "notAcceptable";
    case 409: return "conflictingRequest";
    case 413: return "overLimit";
    case 415: return "badMediaType";
    case 429: return "overLimit";
    case 501: return "notImplemented";
    case 503: return "serviceUnavailable";
    default: return "computeFault";
  }
}

nlohmann::json nova_error_body(int http_status, const std::string& message) {
  return {{std::string(nova_fault_name(http_status)), {{"code", http_status}, {"message", message}}}};
}

}  // namespace stratus::core::api
