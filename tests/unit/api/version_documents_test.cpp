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

// GET / links v2.0 to /v2/; that document's self link is the same (tempest's
// test_get_version_details follows every self link).
TEST(VersionDocuments, V20DocumentSelfLinkMatchesTheRootList) {
  const std::string base = "http://h:1";
  auto root = versions_document(base);
  auto doc = v20_version_document(base);
  EXPECT_EQ(doc["version"]["id"], "v2.0");
  EXPECT_EQ(doc["version"]["links"][0], root["versions"][0]["links"][0]);
  EXPECT_EQ(doc["version"]["media-types"][0]["type"], "application/vnd.openstack.compute+json;version=2");
}

TEST(VersionDocuments, AdvertisesNovasZedMaximum) { EXPECT_EQ(kMaxMicroversion.to_string(), "2.93"); }

}  // namespace
}  // namespace stratus::core::api
