// The version documents against the shape of Nova's (GET / and GET /v2.1).
#include "core/compute/api/version_documents.h"

#include <gtest/gtest.h>

#include "core/http/microversion.h"

namespace stratus::core::api {
namespace {

TEST(VersionDocuments, RootListsV20AndV21WithOurRange) {
  auto doc = versions_document("http://127.0.0.1:8774");
  ASSERT_EQ(doc["versions"].size(), 2u);
  const auto& v21 = doc["versions"][1];
  EXPECT_EQ(v21["id"], "v2.1");
  EXPECT_EQ(v21["status"], "CURRENT");
  EXPECT_EQ(v21["min_version"], kMinMicroversion.to_string());
  EXPECT_EQ(v21["version"], kMaxMicroversion.to_string());
  EXPECT_EQ(v21["links"][0]["href"], "http://127.0.0.1:8774/v2.1/");
  EXPECT_EQ(doc["versions"][0]["status"], "SUPPORTED");
}

TEST(VersionDocuments, V21DocumentHasMediaTypes) {
  auto doc = v21_version_document("http://h:1");
  EXPECT_EQ(doc["version"]["id"], "v2.1");
  EXPECT_EQ(doc["version"]["media-types"][0]["base"], "application/json");
  EXPECT_EQ(doc["version"]["links"][0]["rel"], "self");
}

}  // namespace
}  // namespace stratus::core::api
