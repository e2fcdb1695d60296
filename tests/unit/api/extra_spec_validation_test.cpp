// Nova's 2.86 extra spec validation: keys of the namespaces Nova knows are
// checked by name and value; other keys pass.
#include <gtest/gtest.h>

#include "core/compute/api/extra_spec_validation.h"

namespace stratus::core::api {
namespace {

TEST(ExtraSpecValidation, KnownKeysAreCheckedByType) {
  EXPECT_TRUE(validate_extra_spec("hw:cpu_policy", "dedicated").ok());
  EXPECT_TRUE(validate_extra_spec("hw:numa_nodes", "2").ok());
  EXPECT_TRUE(validate_extra_spec("hw:numa_cpus.0", "0-3").ok());
  EXPECT_TRUE(validate_extra_spec("hw_rng:allowed", "True").ok());
  auto bad_enum = validate_extra_spec("hw:cpu_policy", "sometimes");
  EXPECT_TRUE(bad_enum.is(sdk::StatusCode::kInvalidArgument));
  EXPECT_NE(bad_enum.message().find("is not one of: dedicated, shared, mixed"), std::string::npos);
  EXPECT_FALSE(validate_extra_spec("hw:numa_nodes", "0").ok());    // below min 1
  EXPECT_FALSE(validate_extra_spec("hw:numa_nodes", "two").ok());  // not an integer
  EXPECT_FALSE(validate_extra_spec("hw_rng:allowed", "maybe").ok());
}

TEST(ExtraSpecValidation, UnknownKeysInKnownNamespacesAreRefused) {
  auto unknown = validate_extra_spec("hw:frobnicate", "1");
  EXPECT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("does not appear to be a valid extra spec"), std::string::npos);
  EXPECT_TRUE(validate_extra_spec("foo:bar", "baz").ok());  // a namespace Nova does not know
  EXPECT_TRUE(validate_extra_spec("plain", "anything").ok());
}

}  // namespace
}  // namespace stratus::core::api
