// TinyGuest: the smallest Linux guest that shows a hypervisor runs guests up
// to userspace: the host's own kernel and an initramfs holding busybox-static
// and an /init that prints a marker on the console, then sleeps forever.
//
// The initramfs is written here as an uncompressed "newc" cpio archive (the
// kernel unpacks it as is), so building it needs no cpio program and no root:
// /dev/console is a device node inside the archive, not on the host.
#pragma once

#include <filesystem>
#include <string>

#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::core::driver_check {

// The newest /boot/vmlinuz-* (by version order) that this process can read
// (Debian's linux-image-amd64). Errors: kNotFound naming the directory.
sdk::Result<std::filesystem::path> find_host_kernel(const std::filesystem::path& boot_dir = "/boot");

// Writes the initramfs to `out`: /bin/busybox (a copy of `busybox`, which must
// be statically linked: busybox-static) and /init, which mounts /proc, /sys
// and /dev and prints `marker` on its own line on the console (the kernel
// command line must say console=ttyS0 for it to reach a serial log). The
// marker may hold letters, digits, '-' and '_' only.
// Errors: kInvalidArgument (marker), kNotFound (busybox), kInternal (I/O).
sdk::Status write_tiny_initramfs(const std::filesystem::path& out, const std::filesystem::path& busybox,
                                 const std::string& marker);

}  // namespace stratus::core::driver_check
