#include "core/http/microversion.h"

#include <gtest/gtest.h>

namespace stratus::core::api {
namespace {

const Microversion kMin{2, 1};
const Microversion kMax{2, 47};

TEST(Microversion, NoHeaderMeansTheMinimum) {
  auto v = negotiate_microversion(std::nullopt, std::nullopt, kMin, kMax);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->to_string(), "2.1");
}

TEST(Microversion, ReadsTheComputeEntryOfTheStandardHeader) {
  auto v = negotiate_microversion(std::string("image 2.5, compute 2.37"), std::nullopt, kMin, kMax);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, (Microversion{2, 37}));
  // Another service's entry alone means no compute version was asked for.
  v = negotiate_microversion(std::string("image 2.5"), std::nullopt, kMin, kMax);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, kMin);
}

TEST(Microversion, LegacyHeaderAndLatest) {
  EXPECT_EQ(*negotiate_microversion(std::nullopt, std::string("2.10"), kMin, kMax), (Microversion{2, 10}));
  EXPECT_EQ(*negotiate_microversion(std::string("compute latest"), std::nullopt, kMin, kMax), kMax);
  // The standard header wins over the legacy one.
  EXPECT_EQ(*negotiate_microversion(std::string("compute 2.3"), std::string("2.10"), kMin, kMax),
            (Microversion{2, 3}));
}

TEST(Microversion, OrderIsNumericNotLexical) {
  EXPECT_LT((Microversion{2, 9}), (Microversion{2, 10}));
  EXPECT_TRUE(negotiate_microversion(std::string("compute 2.47"), std::nullopt, kMin, kMax).ok());
  auto over = negotiate_microversion(std::string("compute 2.48"), std::nullopt, kMin, kMax);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), sdk::StatusCode::kNotSupported);
  EXPECT_EQ(over.status().message(), "Version 2.48 is not supported by the API. Minimum is 2.1 and maximum is 2.47.");
  auto under = negotiate_microversion(std::string("compute 2.0"), std::nullopt, kMin, kMax);
  EXPECT_EQ(under.status().code(), sdk::StatusCode::kNotSupported);
}

TEST(Microversion, MalformedValuesAreBadRequests) {
  for (const char* bad : {"compute 2", "compute 2.x", "compute two.one", "compute 2.1.3", "compute .1",
                          "compute 2.9999999"}) {
    auto v = negotiate_microversion(std::string(bad), std::nullopt, kMin, kMax);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().code(), sdk::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(v.status().message().find("is of invalid format"), std::string::npos) << bad;
  }
}

TEST(Microversion, AdvertisedRangeIsOrdered) { EXPECT_LE(kMinMicroversion, kMaxMicroversion); }

}  // namespace
}  // namespace stratus::core::api
