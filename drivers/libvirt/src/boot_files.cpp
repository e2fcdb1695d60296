// LibvirtDriver::copy_boot_files: direct kernel boot (Nova's kernel_id and
// ramdisk_id image properties), for spawn, rebuild and rescue alike.
#include <system_error>

#include "stratus/drivers/libvirt/libvirt_driver.h"

namespace stratus::drivers::libvirt {

namespace {
constexpr const char* kDefaultCmdline = "root=/dev/vda console=tty0 console=ttyS0";
}  // namespace

sdk::Status LibvirtDriver::copy_boot_files(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                           const sdk::ImageMeta& image_meta, const char* kernel_file,
                                           const char* ramdisk_file, GuestConfig& guest) {
  const std::filesystem::path dir = instance_dir(instance.uuid);
  const std::pair<const char*, const char*> boot_files[] = {{"kernel_id", kernel_file}, {"ramdisk_id", ramdisk_file}};
  for (auto [property, file] : boot_files) {
    const std::string id = image_meta.property(property);
    if (id.empty()) continue;
    sdk::ImageMeta part;
    part.id = id;
    part.disk_format = std::string(property) == "kernel_id" ? "aki" : "ari";
    auto cached = disks_->cache_image(ctx, part);
    if (!cached.ok()) return cached.status();
    std::error_code ec;
    std::filesystem::copy_file(cached->path, dir / file, std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) {
      return sdk::Status::Internal("instance " + instance.uuid + ": cannot copy " + property + " " + id + ": " +
                                   ec.message());
    }
    (std::string(property) == "kernel_id" ? guest.kernel_path : guest.ramdisk_path) = (dir / file).string();
  }
  if (!guest.kernel_path.empty()) {
    const std::string cmdline = image_meta.property("os_command_line");
    guest.kernel_cmdline = cmdline.empty() ? kDefaultCmdline : cmdline;
  } else {
    guest.ramdisk_path.clear();  // an initrd without a kernel means nothing to libvirt
  }
  return sdk::Status::OK();
}

}  // namespace stratus::drivers::libvirt
