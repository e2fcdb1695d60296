// SHA-224 (FIPS 180-4), for the "hostId" Nova shows: sha224(project_id + host)
// in hex, which lets a project tell whether two of its servers share a host
// without learning the host's name.
#pragma once

#include <string>
#include <string_view>

namespace stratus::core::api {

// Lower-case hex digest (56 characters).
std::string sha224_hex(std::string_view data);

}  // namespace stratus::core::api
