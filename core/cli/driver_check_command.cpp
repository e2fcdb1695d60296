// `stratus driver check libvirt [--config FILE] [--kernel K --initrd I]`:
// boots a tiny guest with the driver as configured ([driver.libvirt]: uri,
// virt_type, cpu_mode, ...) and says whether it reached userspace. Its files
// (images, instance directory, cache) live in a temporary directory that is
// removed afterwards, whatever the config's paths say; the guest is destroyed.
// Exit 0: it booted; 1: it did not (or the driver failed); 2: bad usage.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <system_error>

#include "core/cli/commands.h"
#include "core/cli/driver_check/boot_check.h"
#include "core/cli/driver_check/tiny_guest.h"

namespace stratus::core {

namespace {

namespace fs = std::filesystem;

struct DriverCheckArgs {
  std::string driver;
  std::string config_file;
  std::string kernel;
  std::string initrd;
  std::string busybox = "/bin/busybox";
  double timeout_s = 180;
};

constexpr const char* kMarker = "STRATUS-DRIVER-CHECK-OK";
// Fixed ids in the check's own image directory.
constexpr const char* kKernelId = "driver-check-kernel";
constexpr const char* kRamdiskId = "driver-check-ramdisk";
constexpr const char* kRootId = "driver-check-root";

// A directory removed with everything in it when this goes out of scope.
class TempDir {
 public:
  static sdk::Result<TempDir> make() {
    std::string tmpl = (fs::temp_directory_path() / "stratus-driver-check.XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return sdk::Status::Internal("cannot create a temporary directory");
    // QEMU runs as its own user (libvirt-qemu) and must reach the files.
    std::error_code ec;
    fs::permissions(tmpl, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec, ec);
    return TempDir(tmpl);
  }
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  explicit TempDir(fs::path p) : path_(std::move(p)) {}
  fs::path path_;
};

sdk::Status copy_image(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return sdk::Status::NotFound("cannot read " + from.string() + ": " + ec.message());
  fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read,
                  ec);
  return sdk::Status::OK();
}

int fail(const std::string& message) {
  std::cerr << "stratus: driver check: " << message << "\n";
  return 1;
}

int run_driver_check(GlobalOptions options, const DriverCheckArgs& args) {
  if (args.driver != "libvirt") {
    std::cerr << "stratus: driver check: only the libvirt driver can be checked (it boots a real guest); got '"
              << args.driver << "'\n";
    return 2;
  }
  if (!args.config_file.empty()) options.config_file = args.config_file;
  auto made = make_environment(options);
  if (!made.ok()) {
    std::cerr << "stratus: " << made.status().message() << "\n";
    return 2;
  }
  CliEnvironment& env = **made;

  auto dir = TempDir::make();
  if (!dir.ok()) return fail(dir.status().message());
  const fs::path images = dir->path() / "images";
  const fs::path instances = dir->path() / "instances";
  std::error_code ec;
  fs::create_directories(images, ec);
  fs::create_directories(instances, ec);
  if (ec) return fail("cannot create " + images.string() + ": " + ec.message());
  for (const fs::path& d : {images, instances}) {
    fs::permissions(d, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                           fs::perms::others_exec, ec);
  }

  // The guest: the given kernel or the host's, the given initramfs or ours.
  fs::path kernel = args.kernel;
  if (kernel.empty()) {
    auto found = driver_check::find_host_kernel();
    if (!found.ok()) return fail(found.status().message());
    kernel = *found;
  }
  if (auto s = copy_image(kernel, images / kKernelId); !s.ok()) return fail("kernel: " + s.message());
  if (!args.initrd.empty()) {
    if (auto s = copy_image(args.initrd, images / kRamdiskId); !s.ok()) return fail("initrd: " + s.message());
  } else if (auto s = driver_check::write_tiny_initramfs(images / kRamdiskId, args.busybox, kMarker); !s.ok()) {
    return fail("initramfs: " + s.message());
  }
  {
    std::ofstream root(images / kRootId, std::ios::binary);
    root.seekp((1 << 20) - 1);
    root.put('\0');
    if (!root) return fail("cannot write the root disk in " + images.string());
  }
  fs::permissions(images / kRootId, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                        fs::perms::others_read, ec);

  sdk::PluginConfig table = env.config.plugin_config(sdk::PluginKind::kVirtDriver, args.driver);
  table.set("instances_path", instances.string(), "stratus driver check");
  table.set("images_path", (instances / "_base").string(), "stratus driver check");
  table.set("image_source_path", images.string(), "stratus driver check");
  const std::string uri = table.get_string("uri", "qemu:///system").value_or("?");
  const std::string virt_type = table.get_string("virt_type", "qemu").value_or("?");

  auto driver = env.registry.create<sdk::VirtDriver>(args.driver, table);
  if (!driver.ok()) return fail(driver.status().message());
  if (auto s = (*driver)->init_host("driver-check"); !s.ok()) return fail(s.message());

  std::cout << "stratus driver check: booting a tiny guest with " << args.driver << " (uri " << uri
            << ", virt_type " << virt_type << ") from " << kernel.string() << "; waiting up to " << args.timeout_s
            << " s for it to reach userspace" << std::endl;
  driver_check::BootCheckGuest guest;
  guest.kernel_image_id = kKernelId;
  guest.ramdisk_image_id = kRamdiskId;
  guest.root_image_id = kRootId;
  guest.marker = kMarker;
  driver_check::BootCheckOptions check_options;
  check_options.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(args.timeout_s * 1000));
  auto report = driver_check::run_boot_check(**driver, guest, check_options);
  (void)(*driver)->cleanup_host("driver-check");
  if (!report.ok()) return fail("the guest did not start: " + report.status().message());

  const double seconds = static_cast<double>(report->elapsed.count()) / 1000.0;
  if (!report->cleanup.ok()) {
    std::cerr << "stratus: driver check: could not remove the test guest " << report->instance_uuid << ": "
              << report->cleanup.message() << "\n";
  }
  if (report->reached_userspace) {
    std::cout << "stratus driver check: OK: a " << virt_type << " guest reached userspace in " << seconds
              << " s" << std::endl;
    return report->cleanup.ok() ? 0 : 1;
  }
  std::cerr << "stratus driver check: FAILED: no guest userspace within " << seconds << " s with virt_type "
            << virt_type << (virt_type == "kvm" ? " (try virt_type = \"qemu\")" : "")
            << ". The console's last lines:\n"
            << report->console_tail << "\n";
  return 1;
}

}  // namespace

void add_driver_commands(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  static DriverCheckArgs args;
  CLI::App* driver = app.add_subcommand("driver", "Check a hypervisor driver on this host");
  driver->require_subcommand(1);
  CLI::App* check = driver->add_subcommand(
      "check", "Boot a tiny guest with the driver as configured and report whether it reaches userspace");
  check->add_option("driver", args.driver, "The driver plugin (libvirt)")->required();
  check->add_option("--config", args.config_file, "TOML config file (as the global --config)");
  check->add_option("--kernel", args.kernel, "Guest kernel (default: the newest readable /boot/vmlinuz-*)");
  check->add_option("--initrd", args.initrd,
                    "Guest initramfs whose init prints " + std::string(kMarker) +
                        " on its own line (default: one built with busybox-static)");
  check->add_option("--busybox", args.busybox, "Static busybox for the built initramfs")->capture_default_str();
  check->add_option("--timeout", args.timeout_s, "Seconds to wait for the guest")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  check->callback([&options, &exit_code] {
    try {
      exit_code = run_driver_check(options, args);
    } catch (const std::exception& e) {
      std::cerr << "stratus: driver check: " << e.what() << "\n";
      exit_code = 1;
    }
  });
}

}  // namespace stratus::core
