// Flavor extra spec validation as Nova does it from microversion 2.86: a key
// in a namespace Nova knows (hw:, hw_rng:, hw_video:) must be one of that
// namespace's keys and carry a value of its type; other keys pass unchecked.
#pragma once

#include <string>

#include "stratus/sdk/result.h"

namespace stratus::core::api {

// OK, or kInvalidArgument with Nova's "Validation failed; ..." message.
sdk::Status validate_extra_spec(const std::string& name, const std::string& value);

}  // namespace stratus::core::api
