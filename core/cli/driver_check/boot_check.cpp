// Boots the tiny guest through a VirtDriver and waits for its marker (boot_check.h).
#include "core/cli/driver_check/boot_check.h"

#include <spdlog/spdlog.h>

#include <random>
#include <thread>

namespace stratus::core::driver_check {

namespace {

using Clock = std::chrono::steady_clock;

std::string random_uuid() {
  std::random_device rd;
  std::uniform_int_distribution<int> hex(0, 15);
  const char* digits = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    int v = hex(rd);
    if (i == 12) v = 4;                 // version 4
    if (i == 16) v = 8 + (v & 3);       // variant 10xx
    out += digits[v];
  }
  return out;
}

bool has_marker_line(const std::string& console, const std::string& marker) {
  for (std::size_t pos = console.find(marker); pos != std::string::npos; pos = console.find(marker, pos + 1)) {
    const bool starts = pos == 0 || console[pos - 1] == '\n';
    const std::size_t end = pos + marker.size();
    const bool ends = end == console.size() || console[end] == '\r' || console[end] == '\n';
    if (starts && ends) return true;  // the kernel echoing its command line does not count
  }
  return false;
}

std::string tail(const std::string& text, std::size_t bytes) {
  if (text.size() <= bytes) return text;
  std::size_t start = text.size() - bytes;
  if (std::size_t nl = text.find('\n', start); nl != std::string::npos) start = nl + 1;
  return text.substr(start);
}

}  // namespace

sdk::Result<BootCheckReport> run_boot_check(sdk::VirtDriver& driver, const BootCheckGuest& guest,
                                            const BootCheckOptions& options) {
  sdk::RequestContext ctx;
  ctx.request_id = "req-driver-check-" + random_uuid().substr(0, 8);
  ctx.user_id = "stratus-driver-check";
  ctx.project_id = "stratus-driver-check";

  sdk::Instance instance;
  instance.uuid = random_uuid();
  instance.name = "stratus-check-" + instance.uuid.substr(0, 8);
  instance.display_name = instance.name;
  instance.user_id = ctx.user_id;
  instance.project_id = ctx.project_id;
  instance.image_ref = guest.root_image_id;
  instance.flavor.id = "driver-check";
  instance.flavor.name = "driver-check";
  instance.flavor.vcpus = 1;
  instance.flavor.memory_mb = options.memory_mb;
  instance.flavor.root_gb = 0;

  sdk::ImageMeta image;
  image.id = guest.root_image_id;
  image.name = "stratus-driver-check";
  image.disk_format = "raw";
  image.container_format = "bare";
  image.properties = {{"kernel_id", guest.kernel_image_id},
                      {"ramdisk_id", guest.ramdisk_image_id},
                      {"os_command_line", guest.command_line}};

  BootCheckReport report;
  report.instance_uuid = instance.uuid;
  spdlog::info("[{}] driver check: booting {} ({})", ctx.request_id, instance.name, instance.uuid);
  const auto started = Clock::now();
  if (sdk::Status s = driver.spawn(ctx, instance, image, {}, "", {}, {}); !s.ok()) return s;

  std::string console;
  const auto deadline = started + options.timeout;
  while (true) {
    auto out = driver.get_console_output(ctx, instance);
    if (out.ok()) console = *out;
    if (has_marker_line(console, guest.marker)) {
      report.reached_userspace = true;
      break;
    }
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::min(options.poll, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                           deadline - Clock::now()) + std::chrono::milliseconds(1)));
  }
  report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  report.console_tail = tail(console, 2048);
  report.cleanup = driver.destroy(ctx, instance, {}, {}, true);
  if (!report.cleanup.ok()) {
    spdlog::error("[{}] driver check: cannot destroy {}: {}", ctx.request_id, instance.name,
                  report.cleanup.to_string());
  }
  return report;
}

}  // namespace stratus::core::driver_check
