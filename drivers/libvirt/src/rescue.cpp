// LibvirtDriver::rescue and unrescue (contract in libvirt_driver.h), as
// Nova's libvirt driver does them: the original definition is kept in the
// instance directory while the domain boots the rescue image with the
// guest's own disk attached second, so the user can repair it.
#include <spdlog/fmt/fmt.h>

#include <fstream>
#include <iterator>
#include <system_error>

#include "config_drive.h"
#include "driver_util.h"
#include "instance_files.h"
#include "stratus/drivers/libvirt/libvirt_driver.h"
#include "stratus/drivers/libvirt/power_state_map.h"

namespace stratus::drivers::libvirt {

namespace fs = std::filesystem;
using sdk::PowerState;
using sdk::Status;

namespace {

// The files of a rescue, beside the instance's own (Nova's names).
constexpr const char* kUnrescueXmlFile = "unrescue.xml";
constexpr const char* kRescueDiskFile = "disk.rescue";
constexpr const char* kRescueKernelFile = "kernel.rescue";
constexpr const char* kRescueRamdiskFile = "ramdisk.rescue";

void remove_rescue_files(const fs::path& dir) {
  for (const char* f : {kRescueDiskFile, kRescueKernelFile, kRescueRamdiskFile, kUnrescueXmlFile}) {
    std::error_code ignored;
    fs::remove(dir / f, ignored);
  }
}

Status write_file(const fs::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (out) out.close();
  if (!out) return Status::Internal("cannot write " + path.string());
  return Status::OK();
}

sdk::Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Internal("cannot read " + path.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

Status LibvirtDriver::prepare_rescue_disks(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                           const sdk::ImageMeta& rescue_image, GuestConfig& guest) {
  const fs::path dir = instance_dir(instance.uuid);
  auto base = disks_->cache_image(ctx, rescue_image);
  if (!base.ok()) return base.status();
  const fs::path rescue_disk = dir / kRescueDiskFile;
  if (Status s = disks_->create_overlay(ctx, *base, rescue_disk, 0); !s.ok()) return s;
  // The rescue system boots first; the guest's own disk is the second.
  guest.disks = {{rescue_disk.string(), "qcow2", "vda"}, {(dir / kRootDiskFile).string(), "qcow2", "vdb"}};

  guest.kernel_path.clear();
  guest.ramdisk_path.clear();
  if (Status s = copy_boot_files(ctx, instance, rescue_image, kRescueKernelFile, kRescueRamdiskFile, guest); !s.ok()) {
    return s;
  }
  // The config drive made at spawn stays attached (Nova makes a new one with
  // the rescue password; the rescue image here has no agent reading it).
  const fs::path iso = dir / kConfigDriveFile;
  std::error_code ec;
  if (fs::exists(iso, ec)) guest.config_drive_path = iso.string();
  return Status::OK();
}

Status LibvirtDriver::rescue(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                             const sdk::NetworkInfo& network_info, const sdk::ImageMeta& rescue_image,
                             const std::string& admin_password) {
  (void)admin_password;  // no guest agent reads it from here: the rescue image decides its own login
  return guarded<Status>(*log_, "rescue", ctx.request_id, [&]() -> Status {
    auto opened = open_guest(ctx.request_id, instance);
    if (!opened.ok()) return opened.status();
    LibvirtConnection& c = *opened->conn;
    const DomainInfo& info = opened->info;
    const PowerState state = to_power_state(info);
    const fs::path dir = instance_dir(instance.uuid);
    std::error_code ec;
    if (fs::exists(dir / kUnrescueXmlFile, ec)) {
      return Status::InvalidState("cannot rescue instance " + instance.uuid + ": it is rescued already");
    }
    if (state != PowerState::kRunning && state != PowerState::kShutdown && state != PowerState::kCrashed) {
      return Status::InvalidState("cannot rescue instance " + instance.uuid + ": it is " + state_name(state) +
                                  " (rescue needs running, shutdown or crashed)");
    }
    auto guest = guest_config(instance, rescue_image, network_info);
    if (!guest.ok()) return guest.status();
    const std::string name = guest->name;

    log_->write(sdk::LogLevel::kInfo, ctx.request_id,
                fmt::format("instance {}: rescuing from image {}", instance.uuid, rescue_image.id));
    // Nova destroys the guest at once: the rescue is for a guest in trouble.
    if (Status s = hard_stop(c, name); !s.ok()) return s;
    // The definition of the stopped domain is the one unrescue puts back.
    auto original = c.xml(name);
    if (!original.ok()) return original.status();
    if (Status s = write_file(dir / kUnrescueXmlFile, *original); !s.ok()) return s;
    Status s = prepare_rescue_disks(ctx, instance, rescue_image, *guest);
    if (s.ok()) s = define_and_start(ctx, c, *guest);
    if (!s.ok()) {
      // Back to the guest as it was (shut off): its definition and no rescue files.
      log_->write(sdk::LogLevel::kError, ctx.request_id,
                  fmt::format("instance {}: rescue failed, restoring its definition: {}", instance.uuid,
                              s.to_string()));
      (void)hard_stop(c, name);
      if (Status back = c.define(*original); !back.ok()) {
        log_->write(sdk::LogLevel::kError, ctx.request_id,
                    fmt::format("instance {}: original definition not restored ({}); it is kept in {}",
                                instance.uuid, back.to_string(), (dir / kUnrescueXmlFile).string()));
        return s;
      }
      remove_rescue_files(dir);
      return s;
    }
    log_->write(sdk::LogLevel::kInfo, ctx.request_id,
                fmt::format("instance {}: rescued (domain {} runs image {}, its disk as vdb)", instance.uuid, name,
                            rescue_image.id));
    return Status::OK();
  });
}

Status LibvirtDriver::unrescue(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                               const sdk::NetworkInfo& network_info) {
  (void)network_info;  // the saved definition has the guest's ports
  return guarded<Status>(*log_, "unrescue", ctx.request_id, [&]() -> Status {
    auto opened = open_guest(ctx.request_id, instance);
    if (!opened.ok()) return opened.status();
    LibvirtConnection& c = *opened->conn;  // the guest exists (its info was read)
    const fs::path dir = instance_dir(instance.uuid);
    std::error_code ec;
    if (!fs::exists(dir / kUnrescueXmlFile, ec)) {
      return Status::InvalidState("cannot unrescue instance " + instance.uuid + ": it is not rescued");
    }
    auto original = read_file(dir / kUnrescueXmlFile);
    if (!original.ok()) return original.status();
    const std::string name = domain_name(instance);
    if (Status s = hard_stop(c, name); !s.ok()) return s;
    if (Status s = c.define(*original); !s.ok()) return s;
    remove_rescue_files(dir);
    if (Status s = c.create(name); !s.ok()) return s;
    log_->write(sdk::LogLevel::kInfo, ctx.request_id,
                fmt::format("instance {}: unrescued (domain {} boots its own disk)", instance.uuid, name));
    return Status::OK();
  });
}

}  // namespace stratus::drivers::libvirt
