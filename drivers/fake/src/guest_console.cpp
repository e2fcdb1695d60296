// What a fake guest prints on its serial console (see guest_console.h).
#include "guest_console.h"

#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <ctime>

namespace stratus::drivers::fake {
namespace {

// The kernel and cloud-init of the boot script finish by this uptime; events
// after boot are stamped with it plus the real time since boot.
constexpr double kBootScriptSeconds = 4.5;

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

}  // namespace

std::string guest_hostname(std::string_view display_name, std::string_view fallback) {
  std::string out;
  for (char c : display_name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
    if (out.size() == 63) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? std::string(fallback) : out;
}

void GuestConsole::raw_line(std::string_view line) {
  text_.append(line);
  text_ += '\n';
}

void GuestConsole::kernel_line(double seconds, std::string_view line) {
  char stamp[32];
  const auto whole = static_cast<std::int64_t>(seconds);
  const auto micros = static_cast<std::int64_t>((seconds - static_cast<double>(whole)) * 1e6);
  std::snprintf(stamp, sizeof stamp, "[%5" PRId64 ".%06" PRId64 "] ", whole, micros);
  text_ += stamp;
  raw_line(line);
}

double GuestConsole::uptime(Clock::time_point now) const {
  const auto since = std::chrono::duration<double>(now - booted_at_).count();
  return kBootScriptSeconds + (since > 0 ? since : 0);
}

void GuestConsole::boot(const GuestBootInfo& info, Clock::time_point now) {
  booted_at_ = now;
  const std::string host = info.hostname;
  const std::int64_t mem_kb = info.memory_mb * 1024;
  const std::int64_t sectors = info.root_gb * 1024 * 1024 * 2;

  kernel_line(0, "Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, "
                 "GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)");
  kernel_line(0, "Command line: BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=/dev/vda1 ro console=tty0 "
                 "console=ttyS0,115200n8");
  kernel_line(0, "DMI: Stratus Fake Compute, BIOS 1.16.2-debian-1.16.2-1 04/01/2014");
  kernel_line(0, "Hypervisor detected: " + info.hypervisor_type);
  kernel_line(0.002, "Memory: " + std::to_string(mem_kb) + "K/" + std::to_string(mem_kb) + "K available");
  kernel_line(0.011, "smp: Brought up 1 node, " + std::to_string(info.vcpus) + " CPUs");
  kernel_line(0.412, "virtio_blk virtio1: [vda] " + std::to_string(sectors) + " 512-byte logical blocks (" +
                         std::to_string(info.root_gb) + " GiB)");
  if (info.ephemeral_gb > 0) {
    kernel_line(0.413, "virtio_blk virtio2: [vdb] " + std::to_string(info.ephemeral_gb * 1024 * 1024 * 2) +
                           " 512-byte logical blocks (" + std::to_string(info.ephemeral_gb) + " GiB)");
  }
  if (info.config_drive) kernel_line(0.418, "sr 0:0:0:0: [sr0] scsi3-mmc drive: 4x/4x cd/rw xa/form2 tray");
  kernel_line(1.184, "EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.");
  kernel_line(1.603, "systemd[1]: Hostname set to <" + host + ">.");
  kernel_line(3.120, "cloud-init[402]: Cloud-init v. 22.4.2 running 'init' at " + utc_now() + ". Up 3.12 seconds.");
  if (info.network_info != nullptr) {
    int index = 0;
    for (const sdk::Vif& vif : *info.network_info) {
      const std::string ip = vif.fixed_ips.empty() ? std::string(".") : vif.fixed_ips.front();
      kernel_line(3.141, "cloud-init[402]: ci-info: | eth" + std::to_string(index++) + " | True | " + ip + " | " +
                             (vif.address.empty() ? std::string(".") : vif.address) + " |");
    }
  }
  if (info.injected_files > 0) {
    kernel_line(3.522, "cloud-init[402]: wrote " + std::to_string(info.injected_files) + " injected file(s)");
  }
  kernel_line(3.904, "cloud-init[402]: Generating public/private ed25519 key pair.");
  kernel_line(4.401, "cloud-init[545]: Cloud-init v. 22.4.2 finished at " + utc_now() + ". Datasource " +
                         (info.config_drive ? "DataSourceConfigDrive [net,ver=2][source=/dev/sr0]"
                                            : "DataSourceOpenStackLocal [net,ver=2]") +
                         ".  Up 4.40 seconds");
  raw_line("");
  raw_line("Debian GNU/Linux 12 " + host + " ttyS0");
  raw_line("");
  raw_line(host + " login: ");
  bound();
}

void GuestConsole::clean_shutdown(Clock::time_point now) {
  const double t = uptime(now);
  kernel_line(t, "systemd-shutdown[1]: Syncing filesystems and block devices.");
  kernel_line(t, "systemd-shutdown[1]: Powering off.");
  kernel_line(t, "reboot: Power down");
  bound();
}

void GuestConsole::clean_restart(Clock::time_point now) {
  const double t = uptime(now);
  kernel_line(t, "systemd-shutdown[1]: Syncing filesystems and block devices.");
  kernel_line(t, "systemd-shutdown[1]: Rebooting.");
  kernel_line(t, "reboot: Restarting system");
  bound();
}

void GuestConsole::panic(Clock::time_point now) {
  const double t = uptime(now);
  kernel_line(t, "Kernel panic - not syncing: Fatal exception in interrupt");
  kernel_line(t, "Kernel Offset: disabled");
  kernel_line(t, "---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---");
  bound();
}

void GuestConsole::note(std::string_view event) {
  raw_line("[stratus-fake] " + utc_now() + ": " + std::string(event));
  bound();
}

void GuestConsole::bound() {
  if (text_.size() <= max_bytes_) return;
  // Keep the tail, starting on a line boundary, as a real ring buffer read would.
  std::size_t cut = text_.size() - max_bytes_;
  const std::size_t newline = text_.find('\n', cut);
  if (newline != std::string::npos && newline + 1 < text_.size()) cut = newline + 1;
  text_.erase(0, cut);
}

}  // namespace stratus::drivers::fake
