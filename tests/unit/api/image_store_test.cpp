// ImageStore: streaming writes with their hashes, the size limit, and that a
// failed or abandoned write leaves no file behind.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/common/digest.h"
#include "core/image/image_store.h"

namespace stratus::core::image {
namespace {

constexpr const char* kId = "0b8a4f2e-5a36-4a0e-9d2c-7f1f6b0e9a11";

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("stratus-image-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::size_t files() const {
    if (!std::filesystem::exists(dir_)) return 0;
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir_), {}));
  }
  std::filesystem::path dir_;
};

TEST(ImageIds, OnlyUuidsBecomeFileNames) {
  EXPECT_TRUE(common::is_uuid(kId));
  EXPECT_TRUE(common::is_uuid("0B8A4F2E-5A36-4A0E-9D2C-7F1F6B0E9A11"));
  EXPECT_FALSE(common::is_uuid("../../etc/passwd"));
  EXPECT_FALSE(common::is_uuid("0b8a4f2e-5a36-4a0e-9d2c-7f1f6b0e9a1"));
  EXPECT_FALSE(common::is_uuid("0b8a4f2e/5a36-4a0e-9d2c-7f1f6b0e9a11"));
  EXPECT_FALSE(common::is_uuid(""));
}

TEST(Digests, MatchKnownValues) {
  EXPECT_EQ(common::sha512_hex("abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
            "454d4423643ce80e2a9ac94fa54ca49f");
  common::Digest d(common::DigestAlgorithm::kMd5);
  d.update("message ");
  d.update("digest");
  EXPECT_EQ(d.hex(), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(d.hex(), "d41d8cd98f00b204e9800998ecf8427e");  // starts over
}

TEST_F(ImageStoreTest, StreamsChunksToDiskWithTheirHashes) {
  ImageStore store(dir_, 1 << 20);
  auto writer = store.begin(kId);
  ASSERT_TRUE(writer.ok()) << writer.status();
  EXPECT_TRUE(std::filesystem::exists(dir_ / (std::string(kId) + ".partial")));
  std::string all;
  for (int i = 0; i < 100; ++i) {
    std::string chunk(1000, static_cast<char>('a' + i % 26));
    all += chunk;
    ASSERT_TRUE(writer->write(chunk).ok());
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / kId)) << "no final file before commit";
  auto stored = writer->commit();
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->size, all.size());
  EXPECT_EQ(stored->md5_hex, common::md5_hex(all));
  EXPECT_EQ(stored->sha512_hex, common::sha512_hex(all));
  EXPECT_EQ(files(), 1u) << "the partial was renamed into place";

  auto opened = store.open(kId);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->size, all.size());
  std::stringstream read;
  read << opened->stream->rdbuf();
  EXPECT_EQ(read.str(), all);

  EXPECT_TRUE(store.begin(kId).status().is(sdk::StatusCode::kAlreadyExists));
  EXPECT_TRUE(store.remove(kId).ok());
  EXPECT_EQ(files(), 0u);
  EXPECT_TRUE(store.open(kId).status().is(sdk::StatusCode::kNotFound));
}

TEST_F(ImageStoreTest, RefusesDataOverTheLimitAndKeepsNothing) {
  ImageStore store(dir_, 10);
  {
    auto writer = store.begin(kId);
    ASSERT_TRUE(writer.ok());
    EXPECT_TRUE(writer->write("0123456789").ok());
    EXPECT_FALSE(writer->over_limit());
    EXPECT_FALSE(writer->write("x").ok());
    EXPECT_TRUE(writer->over_limit());
  }
  EXPECT_EQ(files(), 0u) << "the abandoned partial is removed";
}

TEST_F(ImageStoreTest, AnAbandonedWriteLeavesNoFileAndALeftoverPartialIsReplaced) {
  ImageStore store(dir_, 100);
  { ASSERT_TRUE(store.begin(kId).ok()); }
  EXPECT_EQ(files(), 0u);
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / (std::string(kId) + ".partial")) << "left by a crash";
  auto writer = store.begin(kId);
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE(writer->write("new").ok());
  auto stored = writer->commit();
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size, 3u);
}

TEST_F(ImageStoreTest, IdsThatAreNotUuidsNeverTouchTheDisk) {
  ImageStore store(dir_, 100);
  EXPECT_TRUE(store.begin("../../etc/passwd").status().is(sdk::StatusCode::kInvalidArgument));
  EXPECT_TRUE(store.open("../stratus.db").status().is(sdk::StatusCode::kInvalidArgument));
  EXPECT_TRUE(store.remove("..").is(sdk::StatusCode::kInvalidArgument));
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

}  // namespace
}  // namespace stratus::core::image
