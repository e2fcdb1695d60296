#include "core/http/route_template.h"

namespace stratus::core::api {

std::string route_template(std::string_view pattern) {
  std::string out;
  int groups = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out += pattern[++i];
    } else if (c == '(') {
      // Skip to the matching ')', minding nesting, classes and escapes.
      int depth = 1;
      bool in_class = false;
      while (++i < pattern.size() && depth > 0) {
        const char g = pattern[i];
        if (g == '\\') {
          ++i;
        } else if (in_class) {
          in_class = g != ']';
        } else if (g == '[') {
          in_class = true;
        } else if (g == '(') {
          ++depth;
        } else if (g == ')') {
          --depth;
        }
      }
      --i;  // at the closing ')'
      ++groups;
      out += groups == 1 ? std::string("{id}") : "{id" + std::to_string(groups) + "}";
    } else if (c == '?' || c == '^' || c == '$') {
      // optional marks and anchors say nothing about the route
    } else {
      out += c;
    }
  }
  // "/v2/?" -> "/v2/" -> "/v2": a trailing slash was optional.
  if (out.size() > 1 && out.back() == '/' && pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == "/?") {
    out.pop_back();
  }
  return out;
}

}  // namespace stratus::core::api
