// The route template of a route's path regex, for metric labels and logs:
//   R"(/v2\.1/servers/([^/]+)/action)"       -> "/v2.1/servers/{id}/action"
//   R"(/v2\.1/flavors/([^/]+)/os-extra_specs/([^/]+))"
//                                            -> "/v2.1/flavors/{id}/os-extra_specs/{id2}"
//   R"(/image/v2/?)"                         -> "/image/v2"
//   "/dashboard(/.*)?"                       -> "/dashboard{id}"
// Each capture group becomes {id}, {id2}, ...; escapes lose their backslash;
// '?' after a group or a character is dropped. A template has one value per
// route, never per request, so it is a bounded label.
#pragma once

#include <string>
#include <string_view>

namespace stratus::core::api {

std::string route_template(std::string_view pattern);

}  // namespace stratus::core::api
