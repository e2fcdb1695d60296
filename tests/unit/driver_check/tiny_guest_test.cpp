// The tiny guest's initramfs is a newc cpio archive the kernel can unpack:
// parsed back here member by member; and the host kernel is picked by version.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "core/cli/driver_check/tiny_guest.h"

namespace stratus::core::driver_check {
namespace {

namespace fs = std::filesystem;

struct Member {
  std::uint32_t mode = 0;
  std::uint32_t rdev_major = 0;
  std::uint32_t rdev_minor = 0;
  std::string data;
};

// A strict newc reader: every header field, alignment and the trailer.
std::map<std::string, Member> read_newc(const std::string& archive, bool& trailer_seen) {
  std::map<std::string, Member> out;
  std::size_t pos = 0;
  trailer_seen = false;
  auto field = [&](std::size_t index) {
    return static_cast<std::uint32_t>(std::stoul(archive.substr(pos + 6 + index * 8, 8), nullptr, 16));
  };
  while (pos + 110 <= archive.size()) {
    EXPECT_EQ(archive.substr(pos, 6), "070701") << "at " << pos;
    if (archive.substr(pos, 6) != "070701") break;
    const std::uint32_t size = field(6), name_size = field(11);
    Member m;
    m.mode = field(1);
    m.rdev_major = field(9);
    m.rdev_minor = field(10);
    std::string name = archive.substr(pos + 110, name_size - 1);
    EXPECT_EQ(archive[pos + 110 + name_size - 1], '\0');
    pos += 110 + name_size;
    pos = (pos + 3) & ~std::size_t{3};
    m.data = archive.substr(pos, size);
    pos += size;
    pos = (pos + 3) & ~std::size_t{3};
    if (name == "TRAILER!!!") {
      trailer_seen = true;
      break;
    }
    out[name] = m;
  }
  return out;
}

class TinyGuestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "tiny-guest-test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    // Any ELF file stands in for busybox: the writer copies it, never runs it.
    fake_busybox_ = dir_ / "busybox";
    std::ofstream(fake_busybox_, std::ios::binary) << std::string("\x7f" "ELF", 4) << std::string(1001, 'x');
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  fs::path dir_;
  fs::path fake_busybox_;
};

TEST_F(TinyGuestTest, InitramfsIsANewcArchiveWithBusyboxInitAndConsole) {
  const fs::path out = dir_ / "initramfs";
  ASSERT_TRUE(write_tiny_initramfs(out, fake_busybox_, "MARK-1_x").ok());
  bool trailer = false;
  auto members = read_newc(slurp(out), trailer);
  EXPECT_TRUE(trailer);
  ASSERT_EQ(members.count("init"), 1u);
  ASSERT_EQ(members.count("bin/busybox"), 1u);
  ASSERT_EQ(members.count("dev/console"), 1u);
  for (const char* d : {"bin", "dev", "proc", "sys"}) {
    ASSERT_EQ(members.count(d), 1u) << d;
    EXPECT_TRUE(S_ISDIR(members[d].mode)) << d;
  }
  EXPECT_EQ(members["bin/busybox"].data, slurp(fake_busybox_));
  EXPECT_EQ(members["bin/busybox"].mode, static_cast<std::uint32_t>(S_IFREG | 0755));
  EXPECT_EQ(members["init"].mode, static_cast<std::uint32_t>(S_IFREG | 0755));
  const std::string& init = members["init"].data;
  EXPECT_EQ(init.rfind("#!/bin/busybox sh\n", 0), 0u) << init;
  EXPECT_NE(init.find("\necho MARK-1_x\n"), std::string::npos) << init;
  EXPECT_NE(init.find("mount -t proc proc /proc"), std::string::npos);
  // The console device, so init has a stdout before devtmpfs is mounted.
  EXPECT_TRUE(S_ISCHR(members["dev/console"].mode));
  EXPECT_EQ(members["dev/console"].rdev_major, 5u);
  EXPECT_EQ(members["dev/console"].rdev_minor, 1u);
}

TEST_F(TinyGuestTest, MarkerThatCouldBreakTheScriptIsRefused) {
  for (const char* bad : {"", "a b", "x;reboot", "$(id)", "m\n"}) {
    auto s = write_tiny_initramfs(dir_ / "initramfs", fake_busybox_, bad);
    EXPECT_TRUE(s.is(sdk::StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_FALSE(fs::exists(dir_ / "initramfs"));
}

TEST_F(TinyGuestTest, MissingOrNonElfBusyboxIsNamed) {
  auto missing = write_tiny_initramfs(dir_ / "initramfs", dir_ / "nope", "M");
  EXPECT_TRUE(missing.is(sdk::StatusCode::kNotFound));
  EXPECT_NE(missing.message().find("busybox-static"), std::string::npos) << missing.message();
  std::ofstream(dir_ / "script") << "#!/bin/sh\n";
  auto script = write_tiny_initramfs(dir_ / "initramfs", dir_ / "script", "M");
  EXPECT_TRUE(script.is(sdk::StatusCode::kInvalidArgument)) << script.to_string();
}

TEST_F(TinyGuestTest, HostKernelIsTheNewestByVersion) {
  const fs::path boot = dir_ / "boot";
  fs::create_directories(boot);
  for (const char* k : {"vmlinuz-6.9.0-1-amd64", "vmlinuz-6.10.0-1-amd64", "vmlinuz-5.19.2", "config-7.0.0"}) {
    std::ofstream(boot / k) << "k";
  }
  auto kernel = find_host_kernel(boot);
  ASSERT_TRUE(kernel.ok()) << kernel.status().to_string();
  EXPECT_EQ(kernel->filename(), "vmlinuz-6.10.0-1-amd64");
}

TEST_F(TinyGuestTest, NoKernelSaysWhatToInstall) {
  auto kernel = find_host_kernel(dir_);
  ASSERT_FALSE(kernel.ok());
  EXPECT_TRUE(kernel.status().is(sdk::StatusCode::kNotFound));
  EXPECT_NE(kernel.status().message().find("linux-image-amd64"), std::string::npos);
}

}  // namespace
}  // namespace stratus::core::driver_check
