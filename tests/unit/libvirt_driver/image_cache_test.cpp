// The base image cache (Nova's image cache manager) with the real qemu-img:
// two instances of one image share one base; a base an instance disk is
// backed by is never removed, an unused one only after its minimum age
// since its last use; and snapshots: a disk written out flattened, through
// the driver on test:///default with the guest paused meanwhile.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "image_cache.h"
#include "libvirt_test_support.h"
#include "process.h"
#include "stratus/drivers/libvirt/qemu_img_disks.h"

namespace stratus::drivers::libvirt::testing {
namespace {

using sdk::PowerState;
using sdk::StatusCode;
using namespace std::chrono_literals;

bool run(const std::vector<std::string>& argv) { return run_program(argv).ok(); }

void age(const fs::path& file, std::chrono::seconds by) {
  fs::last_write_time(file, fs::file_time_type::clock::now() - by);
}

struct Cache {
  Cache() {
    fs::create_directories(store);
    fs::create_directories(instances);
    ok = run({"qemu-img", "create", "-q", "-f", "qcow2", (store / "cirros").string(), "16M"});
    disks = std::make_shared<QemuImgDisks>(instances / "_base", std::make_shared<DirectoryImageFetcher>(store));
  }
  // An instance directory with a root disk on `image`'s base.
  sdk::Result<fs::path> instance_on(const std::string& uuid, const sdk::ImageMeta& m) {
    auto base = disks->cache_image(ctx(), m);
    if (!base.ok()) return base.status();
    fs::create_directories(instances / uuid);
    if (auto s = disks->create_overlay(ctx(), *base, instances / uuid / "disk", 0); !s.ok()) return s;
    return base->path;
  }
  // The image cached, last used `ago`.
  sdk::Result<CachedImage> cached(const sdk::ImageMeta& m, std::chrono::seconds ago) {
    auto base = disks->cache_image(ctx(), m);
    if (base.ok()) age(base->path, ago);
    return base;
  }
  TempDir dir;
  fs::path store = dir.path() / "store";
  fs::path instances = dir.path() / "instances";
  bool ok = false;
  std::shared_ptr<QemuImgDisks> disks;
};

sdk::ImageMeta cirros() { return image("cirros", "qcow2"); }

TEST(ImageCache, TwoInstancesShareOneBaseKeptUntilNeitherUsesIt) {
  Cache c;
  ASSERT_TRUE(c.ok) << "qemu-img is missing: run scripts/install-deps.sh";
  auto a = c.instance_on("a", cirros());
  auto b = c.instance_on("b", cirros());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b) << "one base file for both";
  int files = 0;
  for (const auto& e : fs::directory_iterator(c.instances / "_base")) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1);

  age(*a, 48h);
  auto sweep = c.disks->remove_unused_bases(c.instances, 3600s);
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  EXPECT_EQ(sweep->in_use, 1u);
  EXPECT_TRUE(sweep->removed.empty());

  fs::remove_all(c.instances / "a");
  sweep = c.disks->remove_unused_bases(c.instances, 3600s);
  ASSERT_TRUE(sweep.ok());
  EXPECT_EQ(sweep->in_use, 1u) << "b still uses it";
  EXPECT_TRUE(fs::exists(*a));

  fs::remove_all(c.instances / "b");
  sweep = c.disks->remove_unused_bases(c.instances, 3600s);
  ASSERT_TRUE(sweep.ok());
  ASSERT_EQ(sweep->removed.size(), 1u);
  EXPECT_EQ(sweep->removed[0], *a);
  EXPECT_FALSE(fs::exists(*a));
  // The next spawn fetches it again.
  EXPECT_TRUE(c.instance_on("c", cirros()).ok());
  EXPECT_TRUE(fs::exists(*a));
}

TEST(ImageCache, UnusedBaseIsKeptForItsMinimumAgeAfterItsLastUse) {
  Cache c;
  ASSERT_TRUE(c.ok);
  auto base = c.cached(cirros(), 2h);
  ASSERT_TRUE(base.ok());
  // A use (a spawn caching it again) counts from now.
  ASSERT_TRUE(c.disks->cache_image(ctx(), cirros()).ok());
  auto sweep = c.disks->remove_unused_bases(c.instances, 3600s);
  ASSERT_TRUE(sweep.ok());
  EXPECT_EQ(sweep->recent, 1u);
  EXPECT_TRUE(fs::exists(base->path));

  // A fetch in progress is never touched, however old.
  const fs::path part = c.instances / "_base" / "0123.part-1-1";
  std::ofstream(part) << "half";
  age(part, 48h);
  age(base->path, 2h);
  sweep = c.disks->remove_unused_bases(c.instances, 3600s);
  ASSERT_TRUE(sweep.ok());
  EXPECT_EQ(sweep->removed.size(), 1u);
  EXPECT_FALSE(fs::exists(base->path));
  EXPECT_TRUE(fs::exists(part));
}

TEST(ImageCache, AnUnreadableDiskRemovesNothing) {
  Cache c;
  ASSERT_TRUE(c.ok);
  auto base = c.cached(cirros(), 48h);
  ASSERT_TRUE(base.ok());
  // A qcow2 header naming a backing file beyond its end: which base it
  // uses cannot be told, so none may be taken as unused.
  fs::create_directories(c.instances / "x");
  std::string header("QFI\xfb\0\0\0\3", 8);
  header += std::string("\0\0\0\0\0\x0f\x42\x40", 8);  // offset 1000000
  header += std::string("\0\0\0\x10", 4);              // 16 bytes
  std::ofstream(c.instances / "x" / "disk", std::ios::binary) << header;
  auto sweep = c.disks->remove_unused_bases(c.instances, 60s);
  EXPECT_EQ(sweep.status().code(), StatusCode::kInternal);
  EXPECT_TRUE(fs::exists(base->path));
}

TEST(ImageCache, BackingFilesAreReadFromQcow2HeadersRelativeOrAbsolute) {
  Cache c;
  ASSERT_TRUE(c.ok);
  fs::create_directories(c.instances / "r");
  // qemu-img resolves a relative backing name against the overlay's directory.
  ASSERT_TRUE(run({"qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", "../../store/cirros",
                   (c.instances / "r" / "disk").string()}));
  auto name = qcow2_backing_file(c.instances / "r" / "disk");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "../../store/cirros");
  EXPECT_EQ(*qcow2_backing_file(c.store / "cirros"), "") << "no backing file";
  std::ofstream(c.instances / "r" / "console.log") << "not a disk";
  auto used = bases_in_use(c.instances, c.instances / "_base");
  ASSERT_TRUE(used.ok()) << used.status();
  ASSERT_EQ(used->size(), 1u);
  EXPECT_EQ(*used->begin(), fs::canonical(c.store / "cirros"));
  // No instances directory yet: nothing is in use.
  auto none = bases_in_use(c.dir.path() / "absent", {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(ImageCache, PeriodicManagerRemovesUnusedBases) {
  Cache c;
  ASSERT_TRUE(c.ok);
  auto base = c.cached(cirros(), 48h);
  ASSERT_TRUE(base.ok());
  c.disks->start_cache_manager(c.instances, 60s, 1s);
  for (int i = 0; i < 100 && fs::exists(base->path); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(fs::exists(base->path));
}

TEST(ExportDisk, WritesTheOverlayFlattenedAsQcow2OrRaw) {
  Cache c;
  ASSERT_TRUE(c.ok);
  ASSERT_TRUE(run({"qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 64k", (c.store / "cirros").string()}));
  auto base = c.instance_on("i", cirros());
  ASSERT_TRUE(base.ok());
  const fs::path disk = c.instances / "i" / "disk";
  ASSERT_TRUE(run({"qemu-io", "-f", "qcow2", "-c", "write -P 0xa5 1M 64k", disk.string()}));

  for (const std::string format : {"qcow2", "raw"}) {
    const fs::path out = c.dir.path() / ("snap." + format);
    ASSERT_TRUE(c.disks->export_disk(ctx(), disk, format, out).ok()) << format;
    auto info = run_program({"qemu-img", "info", "--output=json", "-f", format, out.string()});
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->find("backing-filename"), std::string::npos) << "flattened: " << *info;
    // Byte for byte what the guest sees: the base's data and the overlay's.
    EXPECT_TRUE(run({"qemu-img", "compare", "-q", "-f", "qcow2", "-F", format, disk.string(), out.string()}))
        << format;
  }
  EXPECT_EQ(c.disks->export_disk(ctx(), disk, "vmdk", c.dir.path() / "snap.vmdk").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(c.disks->export_disk(ctx(), c.instances / "none" / "disk", "qcow2", c.dir.path() / "x").code(),
            StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(c.dir.path() / "snap.vmdk"));
  EXPECT_FALSE(fs::exists(c.dir.path() / "x"));
}

TEST(LibvirtSnapshot, RunningGuestIsPausedForTheCopyAndRunsAfter) {
  TestDriver t;
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  const fs::path out = t.dir.path() / "snap";
  sdk::ImageMeta snap = image("snap", "qcow2");
  ASSERT_TRUE(t.driver->snapshot(ctx(), i, snap, out.string()).ok());
  EXPECT_EQ(t.state(i), PowerState::kRunning);
  auto calls = t.recording->calls();
  ASSERT_EQ(calls.back().op, "export");
  EXPECT_EQ(calls.back().target, (t.driver->instance_dir(i.uuid) / "disk").string());
  std::ifstream in(out);
  std::string first;
  in >> first;
  EXPECT_EQ(first, "qcow2");

  // A paused guest stays paused.
  ASSERT_TRUE(t.driver->pause(ctx(), i).ok());
  ASSERT_TRUE(t.driver->snapshot(ctx(), i, snap, out.string()).ok());
  EXPECT_EQ(t.state(i), PowerState::kPaused);
  ASSERT_TRUE(t.driver->unpause(ctx(), i).ok());

  // A failed copy leaves the guest running as it was.
  t.recording->fail_at = static_cast<int>(t.recording->calls().size()) + 1;
  EXPECT_EQ(t.driver->snapshot(ctx(), i, snap, (t.dir.path() / "failed").string()).code(), StatusCode::kInternal);
  EXPECT_EQ(t.state(i), PowerState::kRunning);
}

TEST(LibvirtSnapshot, OddFormatsAndUnknownGuestsAreRefusedBeforeAnyCopy) {
  TestDriver t;
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  const std::size_t before = t.recording->calls().size();
  EXPECT_EQ(t.driver->snapshot(ctx(), i, image("s", "vmdk"), (t.dir.path() / "s").string()).code(),
            StatusCode::kInvalidArgument);
  sdk::Instance other = make_instance();
  EXPECT_EQ(t.driver->snapshot(ctx(), other, image("s", "qcow2"), (t.dir.path() / "s").string()).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(t.recording->calls().size(), before);
  EXPECT_EQ(t.state(i), PowerState::kRunning);
}

}  // namespace
}  // namespace stratus::drivers::libvirt::testing
