// The qemu-img backend with the real qemu-img (Debian: qemu-utils) in a
// temporary directory: the cache fetches once per checksum, overlays are
// backed by the cached base and sized as asked, hostile images are refused;
// and a whole spawn through the driver on real disks.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "process.h"
#include "libvirt_test_support.h"
#include "stratus/drivers/libvirt/qemu_img_disks.h"

namespace stratus::drivers::libvirt::testing {
namespace {

using sdk::StatusCode;

std::string qemu_img_info(const fs::path& p) {
  auto out = run_program({"qemu-img", "info", "--output=json", p.string()});
  return out.ok() ? *out : "error: " + out.status().to_string();
}

class CountingFetcher final : public ImageFetcher {
 public:
  explicit CountingFetcher(fs::path dir) : inner_(std::move(dir)) {}
  sdk::Status fetch(const sdk::RequestContext& ctx, const sdk::ImageMeta& image, const fs::path& dest) override {
    ++fetches;
    return inner_.fetch(ctx, image, dest);
  }
  std::atomic<int> fetches{0};

 private:
  DirectoryImageFetcher inner_;
};

struct Fixture {
  Fixture() {
    fs::create_directories(store);
    auto made = run_program({"qemu-img", "create", "-q", "-f", "qcow2", (store / "cirros").string(), "64M"});
    ok = made.ok();
    fetcher = std::make_shared<CountingFetcher>(store);
    disks = std::make_shared<QemuImgDisks>(dir.path() / "cache", fetcher);
  }
  TempDir dir;
  fs::path store = dir.path() / "store";
  bool ok = false;
  std::shared_ptr<CountingFetcher> fetcher;
  std::shared_ptr<QemuImgDisks> disks;
};

sdk::ImageMeta cirros() {
  sdk::ImageMeta m = image("cirros", "qcow2");
  m.checksum = "0123456789abcdef0123456789abcdef";
  return m;
}

TEST(QemuImgDisks, CachesOncePerChecksumEvenWhenRacing) {
  Fixture f;
  ASSERT_TRUE(f.ok) << "qemu-img is missing: run scripts/install-deps.sh";
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&] {
      auto c = f.disks->cache_image(ctx(), cirros());
      if (c.ok() && c->virtual_size == (64LL << 20) && c->format == "qcow2") ++good;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 4);
  EXPECT_EQ(f.fetcher->fetches.load(), 1);
  EXPECT_TRUE(fs::exists(f.dir.path() / "cache" / cirros().checksum));
  // Nothing half-written is left in the cache.
  int files = 0;
  for (const auto& e : fs::directory_iterator(f.dir.path() / "cache")) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1);
}

TEST(QemuImgDisks, OverlayIsBackedByTheBaseAndSized) {
  Fixture f;
  ASSERT_TRUE(f.ok);
  auto base = f.disks->cache_image(ctx(), cirros());
  ASSERT_TRUE(base.ok()) << base.status();
  const fs::path disk = f.dir.path() / "disk";
  ASSERT_TRUE(f.disks->create_overlay(ctx(), *base, disk, 1LL << 30).ok());
  const std::string info = qemu_img_info(disk);
  EXPECT_NE(info.find("\"virtual-size\": 1073741824"), std::string::npos) << info;
  EXPECT_NE(info.find("\"backing-filename\": \"" + base->path.string() + "\""), std::string::npos) << info;
  EXPECT_NE(info.find("\"backing-filename-format\": \"qcow2\""), std::string::npos) << info;

  const fs::path same = f.dir.path() / "same";
  ASSERT_TRUE(f.disks->create_overlay(ctx(), *base, same, 0).ok());
  EXPECT_NE(qemu_img_info(same).find("\"virtual-size\": 67108864"), std::string::npos);

  EXPECT_EQ(f.disks->create_overlay(ctx(), *base, f.dir.path() / "small", 1LL << 20).code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(f.dir.path() / "small"));

  ASSERT_TRUE(f.disks->create_blank(ctx(), f.dir.path() / "swap", 128LL << 20).ok());
  EXPECT_NE(qemu_img_info(f.dir.path() / "swap").find("\"virtual-size\": 134217728"), std::string::npos);
}

TEST(QemuImgDisks, RefusesImagesWithBackingFilesMissingImagesAndOddFormats) {
  Fixture f;
  ASSERT_TRUE(f.ok);
  // An image whose qcow2 header points at a host file.
  ASSERT_TRUE(run_program({"qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", "/etc/hostname",
                           (f.store / "sneaky").string(), "1M"})
                  .ok());
  auto sneaky = f.disks->cache_image(ctx(), image("sneaky", "qcow2"));
  EXPECT_EQ(sneaky.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(f.dir.path() / "cache" / "id-sneaky")) << "a refused image is not cached";

  EXPECT_EQ(f.disks->cache_image(ctx(), image("absent", "qcow2")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(f.disks->cache_image(ctx(), image("cirros", "vmdk")).status().code(), StatusCode::kNotSupported);
  EXPECT_EQ(f.disks->cache_image(ctx(), image("../store/cirros", "qcow2")).status().code(),
            StatusCode::kInvalidArgument);
  // A raw file that is really qcow2 stays raw: formats are never probed.
  auto as_raw = f.disks->cache_image(ctx(), image("cirros", "raw"));
  ASSERT_TRUE(as_raw.ok()) << as_raw.status();
  EXPECT_EQ(as_raw->format, "raw");
  EXPECT_LT(as_raw->virtual_size, 64LL << 20);
}

TEST(QemuImgDisks, SpawnOnRealDisks) {
  Fixture f;
  ASSERT_TRUE(f.ok);
  TestDriver t({}, f.disks);
  sdk::Instance i = make_instance();
  i.flavor.ephemeral_gb = 1;
  i.flavor.swap_mb = 64;
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i, cirros()).ok());
  const fs::path dir = t.driver->instance_dir(i.uuid);
  EXPECT_NE(qemu_img_info(dir / "disk").find("\"virtual-size\": 1073741824"), std::string::npos);
  EXPECT_NE(qemu_img_info(dir / "disk.eph0").find("\"virtual-size\": 1073741824"), std::string::npos);
  EXPECT_NE(qemu_img_info(dir / "disk.swap").find("\"virtual-size\": 67108864"), std::string::npos);
  EXPECT_EQ(fs::status(dir / "disk").permissions() & fs::perms::others_read, fs::perms::others_read)
      << "QEMU may run as another user: disks must be readable";

  // A flavor smaller than the image is refused, and leaves nothing.
  sdk::Instance small = make_instance();
  small.flavor.root_gb = 0;
  f.fetcher->fetches = 0;
  sdk::ImageMeta huge = image("huge", "qcow2");
  ASSERT_TRUE(run_program({"qemu-img", "create", "-q", "-f", "qcow2", (f.store / "huge").string(), "2G"}).ok());
  small.flavor.root_gb = 1;
  EXPECT_EQ(t.spawn(small, huge).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(t.driver->instance_dir(small.uuid)));
  EXPECT_FALSE(t.domain_exists(small));
}

TEST(RunProgram, ReportsMissingProgramsFailuresAndTimeouts) {
  EXPECT_EQ(run_program({"stratus-no-such-program"}).status().code(), StatusCode::kNotFound);
  auto failed = run_program({"sh", "-c", "echo oops >&2; exit 3"});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("exit status 3"), std::string::npos);
  EXPECT_NE(failed.status().message().find("oops"), std::string::npos);
  auto slow = run_program({"sleep", "10"}, std::chrono::milliseconds(100));
  EXPECT_EQ(slow.status().code(), StatusCode::kTimeout);
  auto echoed = run_program({"echo", "a'<b>& $HOME"});
  ASSERT_TRUE(echoed.ok());
  EXPECT_EQ(*echoed, "a'<b>& $HOME\n") << "arguments are never interpreted by a shell";
}

}  // namespace
}  // namespace stratus::drivers::libvirt::testing
