// Percent-encoding of a query value for the links the API writes ("next"
// pages carry markers and filters that may hold spaces, '&' or '=').
#pragma once

#include <string>

namespace stratus::core::api {

// RFC 3986: unreserved characters stay, every other byte becomes %XX.
std::string url_encode(const std::string& value);

}  // namespace stratus::core::api
