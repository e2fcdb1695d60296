// RequestContext: who asked for an operation, and the id that ties together
// every log line the request causes, in every process it reaches.
#pragma once

#include <string>
#include <vector>

namespace stratus::sdk {

struct RequestContext {
  std::string request_id;  // "req-<uuid>"; put it in every log line
  std::string user_id;
  std::string project_id;
  std::vector<std::string> roles;
};

}  // namespace stratus::sdk
