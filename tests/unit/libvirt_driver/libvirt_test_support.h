// Helpers shared by the libvirt driver's tests: a temporary directory, unique
// instances, a recording disk double that can fail at any step, and a driver
// over libvirt's built-in test:///default hypervisor behind a FaultyConnection.
//
// test:///default is shared by every connection of one process, so each test
// uses fresh uuids and names and removes what it creates.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "stratus/drivers/libvirt/connection.h"
#include "stratus/drivers/libvirt/disk_backend.h"
#include "stratus/drivers/libvirt/faulty_connection.h"
#include "stratus/drivers/libvirt/libvirt_driver.h"

namespace stratus::drivers::libvirt::testing {

namespace fs = std::filesystem;

inline std::string random_uuid() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lock(mu);
  const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += hex[rng() % 16];
  }
  return out;
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("stratus-libvirt-test-" + random_uuid());
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline sdk::Flavor small_flavor() {
  sdk::Flavor f;
  f.id = "2";
  f.name = "m1.small";
  f.vcpus = 2;
  f.memory_mb = 512;
  f.root_gb = 1;
  return f;
}

inline sdk::Instance make_instance(sdk::Flavor flavor = small_flavor()) {
  sdk::Instance i;
  i.uuid = random_uuid();
  i.name = "instance-" + i.uuid.substr(0, 8);
  i.display_name = "web " + i.uuid.substr(0, 4);
  i.project_id = "project-a";
  i.user_id = "user-a";
  i.flavor = std::move(flavor);
  return i;
}

inline sdk::ImageMeta image(const std::string& id = "cirros", const std::string& format = "qcow2") {
  sdk::ImageMeta m;
  m.id = id;
  m.name = id;
  m.disk_format = format;
  m.container_format = "bare";
  return m;
}

inline sdk::RequestContext ctx() { return sdk::RequestContext{"req-libvirt-test", "user-a", "project-a", {}}; }

// A DiskBackend that creates small placeholder files instead of running
// qemu-img, records every step, and fails the step numbered `fail_at`
// (1-based, counting every call) with `failure`.
class RecordingDisks final : public DiskBackend {
 public:
  struct Call {
    std::string op;  // "cache", "overlay", "blank", "export"
    std::string target;
    std::int64_t size = 0;
  };

  sdk::Result<CachedImage> cache_image(const sdk::RequestContext&, const sdk::ImageMeta& image) override {
    if (auto s = step("cache", image.id, 0); !s.ok()) return s;
    const fs::path path = cache.path() / image.id;
    std::ofstream(path) << "image " << image.id;
    return CachedImage{path, image.disk_format == "qcow2" ? "qcow2" : "raw",
                       image.disk_format == "aki" || image.disk_format == "ari" ? 0 : image_size};
  }
  sdk::Status create_overlay(const sdk::RequestContext&, const CachedImage& base, const fs::path& dest,
                             std::int64_t size) override {
    if (size != 0 && size < base.virtual_size) return sdk::Status::InvalidArgument("smaller than its image");
    if (auto s = step("overlay", dest.string(), size); !s.ok()) return s;
    std::ofstream(dest) << "overlay of " << base.path.string();
    return sdk::Status::OK();
  }
  sdk::Status create_blank(const sdk::RequestContext&, const fs::path& dest, std::int64_t size) override {
    if (auto s = step("blank", dest.string(), size); !s.ok()) return s;
    std::ofstream(dest) << "blank";
    return sdk::Status::OK();
  }
  sdk::Status export_disk(const sdk::RequestContext&, const fs::path& disk, const std::string& format,
                          const fs::path& dest) override {
    if (auto s = step("export", disk.string(), 0); !s.ok()) return s;
    std::ofstream(dest) << format << " copy of " << disk.string();
    return sdk::Status::OK();
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

  TempDir cache;
  int fail_at = 0;
  sdk::Status failure = sdk::Status::Internal("injected disk failure");
  std::int64_t image_size = 512LL << 20;

 private:
  sdk::Status step(const std::string& op, const std::string& target, std::int64_t size) {
    std::lock_guard lock(mu_);
    calls_.push_back({op, target, size});
    if (static_cast<int>(calls_.size()) == fail_at) return failure;
    return sdk::Status::OK();
  }
  mutable std::mutex mu_;
  std::vector<Call> calls_;
};

// A driver on test:///default with faults and recording disks, its files in a
// temporary directory.
struct TestDriver {
  explicit TestDriver(LibvirtConfig cfg = {}, std::shared_ptr<DiskBackend> disk_backend = nullptr) {
    cfg.uri = "test:///default";
    cfg.instances_path = (dir.path() / "instances").string();
    cfg.state_poll = std::chrono::milliseconds(5);
    if (cfg.soft_reboot_timeout.count() == 120) cfg.soft_reboot_timeout = std::chrono::seconds(1);
    if (cfg.clean_shutdown_timeout.count() == 60) cfg.clean_shutdown_timeout = std::chrono::seconds(1);
    config = cfg;
    if (!disk_backend) {
      recording = std::make_shared<RecordingDisks>();
      disk_backend = recording;
    }
    driver = std::make_unique<LibvirtDriver>(cfg, faulty_connection_factory(open_libvirt_connection, faults),
                                             disk_backend);
  }

  // A direct connection (no faults) to look at test:///default behind the driver's back.
  std::unique_ptr<LibvirtConnection> raw() {
    auto c = open_libvirt_connection("test:///default");
    return c.ok() ? std::move(*c) : nullptr;
  }

  sdk::Status spawn(const sdk::Instance& i, const sdk::ImageMeta& m = image(), const sdk::NetworkInfo& n = {},
                    const sdk::BlockDeviceInfo& b = {}) {
    return driver->spawn(ctx(), i, m, {}, "", n, b);
  }
  sdk::Status destroy(const sdk::Instance& i) { return driver->destroy(ctx(), i, {}, {}, true); }
  sdk::PowerState state(const sdk::Instance& i) {
    auto info = driver->get_info(i);
    return info.ok() ? info->state : sdk::PowerState::kNoState;
  }
  bool domain_exists(const sdk::Instance& i) {
    auto c = raw();
    return c && c->lookup(i.name).ok();
  }

  TempDir dir;
  // test:///default keeps its domains only while some connection to it is
  // open; this one keeps them across the driver's reconnects.
  std::unique_ptr<LibvirtConnection> keep_alive = raw();
  LibvirtConfig config;
  std::shared_ptr<ConnectionFaults> faults = std::make_shared<ConnectionFaults>();
  std::shared_ptr<RecordingDisks> recording;
  std::unique_ptr<LibvirtDriver> driver;
};

// Removes a domain left behind by a failed assertion, so the shared
// test:///default stays clean for the next test in this process.
struct DomainSweeper {
  TestDriver& t;
  std::vector<sdk::Instance> instances;
  ~DomainSweeper() {
    for (const auto& i : instances) (void)t.driver->destroy(ctx(), i, {}, {}, true);
  }
};

}  // namespace stratus::drivers::libvirt::testing
