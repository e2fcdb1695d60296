// Strict base64 as the API checks user_data: RFC 4648 test vectors, binary
// bytes, and every kind of text Python's b64decode(validate=True) refuses,
// plus the one libsodium refuses beyond it (non-zero unused bits).
#include <gtest/gtest.h>

#include <string>

#include "core/common/base64.h"

namespace stratus::core::common {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},           {"Zg==", "f"},         {"Zm8=", "fo"},         {"Zm9v", "foo"},
      {"Zm9vYg==", "foob"}, {"Zm9vYmE=", "fooba"}, {"Zm9vYmFy", "foobar"},
  };
  for (const auto& [text, bytes] : vectors) {
    auto decoded = base64_decode_strict(text);
    ASSERT_TRUE(decoded) << text;
    EXPECT_EQ(*decoded, bytes) << text;
  }
}

TEST(Base64, BinaryBytesAndTheWholeAlphabet) {
  EXPECT_EQ(base64_decode_strict("AP8KgA=="), std::string("\x00\xff\x0a\x80", 4));
  // Every one of the 64 characters, '+' and '/' included.
  auto all = base64_decode_strict("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 48u);
  EXPECT_EQ(all->substr(0, 3), std::string("\x00\x10\x83", 3));  // A B C D: 0 1 2 3
  EXPECT_EQ(all->substr(45), "\xf3\xdf\xbf");                    // 8 9 + /: 60 61 62 63
  // Large input decodes whole (user_data may be 65535 characters).
  std::string big;
  for (int i = 0; i < 16383; ++i) big += "QUJD";
  auto decoded = base64_decode_strict(big);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->size(), 16383u * 3);
  EXPECT_EQ(decoded->substr(0, 6), "ABCABC");
}

TEST(Base64, RefusesWhatIsNotStrictBase64) {
  const std::string bad[] = {
      "not base64!",  // stray characters
      "QUJD\n",       // whitespace, even a trailing newline
      " QUJD",        "QU JD", "QUJD\r\n", "QU\tJD",
      "QUJ",          // length not a multiple of four
      "QUJDR",        "QQ",      "Q",     "QQ=",
      "QQ===",        // too much padding
      "Q===",         "====",    "=QQQ",  "QUJD====",
      "QQ==QUJD",     // data after padding
      "Q=Q=",         "QUJ=D===",
      "QUJD-_==",     // the URL-safe alphabet is another variant
      std::string("QU\0D", 4),  // a NUL inside
  };
  for (const std::string& text : bad) EXPECT_FALSE(base64_decode_strict(text)) << '"' << text << '"';
}

TEST(Base64, RefusesNonZeroUnusedBits) {
  // "QQ==" and "QUI=" are the canonical forms; the same text with the unused
  // low bits of the last character set is not what any encoder writes.
  EXPECT_EQ(base64_decode_strict("QQ=="), "A");
  EXPECT_EQ(base64_decode_strict("QUI="), "AB");
  EXPECT_FALSE(base64_decode_strict("QR=="));
  EXPECT_FALSE(base64_decode_strict("QUJ="));
}

}  // namespace
}  // namespace stratus::core::common
