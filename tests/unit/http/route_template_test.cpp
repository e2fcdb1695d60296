// core/http/route_template: the label a route's regex gets in /metrics.
#include <gtest/gtest.h>

#include "core/http/route_template.h"

namespace stratus::core::api {
namespace {

TEST(RouteTemplate, CaptureGroupsBecomeNumberedIds) {
  EXPECT_EQ(route_template(R"(/v2\.1/servers)"), "/v2.1/servers");
  EXPECT_EQ(route_template(R"(/v2\.1/servers/([^/]+))"), "/v2.1/servers/{id}");
  EXPECT_EQ(route_template(R"(/v2\.1/servers/([^/]+)/action)"), "/v2.1/servers/{id}/action");
  EXPECT_EQ(route_template(R"(/v2\.1/flavors/([^/]+)/os-extra_specs/([^/]+))"),
            "/v2.1/flavors/{id}/os-extra_specs/{id2}");
}

TEST(RouteTemplate, OptionalPartsAndNestedGroupsAreFolded) {
  EXPECT_EQ(route_template(R"(/image/v2/?)"), "/image/v2");
  EXPECT_EQ(route_template("/"), "/");
  EXPECT_EQ(route_template("/dashboard(/.*)?"), "/dashboard{id}");
  EXPECT_EQ(route_template(R"(/network/v2\.0/(networks|subnets|ports|quotas)(/[^/]+)?)"),
            "/network/v2.0/{id}{id2}");
  EXPECT_EQ(route_template(R"(/network/v2\.0/quotas/([^/]+)/details(\.json)?)"),
            "/network/v2.0/quotas/{id}/details{id2}");
  EXPECT_EQ(route_template(R"(/x/([^)(/]+)/y)"), "/x/{id}/y");
}

}  // namespace
}  // namespace stratus::core::api
