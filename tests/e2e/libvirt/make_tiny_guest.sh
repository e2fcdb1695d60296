#!/usr/bin/env bash
# Builds a tiny guest from Debian packages alone, for the libvirt driver's
# end-to-end test and for trying the driver by hand:
#   make_tiny_guest.sh OUT_DIR [MARKER]
# writes
#   OUT_DIR/kernel     the host's kernel (/boot/vmlinuz-*, package linux-image-amd64)
#   OUT_DIR/initramfs  a gzip'd cpio (busybox-static, cpio) whose /init prints
#                      MARKER (default STRATUS-GUEST-UP) on the serial console
#                      and stays up; the ACPI power button powers it off
#   OUT_DIR/disk.raw   a 4 MiB empty raw root disk (the guest never mounts it)
# The guest needs console=ttyS0 on its kernel command line (the driver's default).
set -euo pipefail
out="${1:?usage: make_tiny_guest.sh OUT_DIR [MARKER]}"
marker="${2:-STRATUS-GUEST-UP}"

kernel="$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1 || true)"
[ -n "$kernel" ] && [ -r "$kernel" ] || { echo "make_tiny_guest: no readable /boot/vmlinuz-* (install linux-image-amd64)" >&2; exit 1; }
kver="${kernel#/boot/vmlinuz-}"
busybox=/bin/busybox
[ -x "$busybox" ] && "$busybox" --list | grep -x mount > /dev/null \
  || { echo "make_tiny_guest: needs busybox-static (/bin/busybox, statically linked)" >&2; exit 1; }
command -v cpio > /dev/null || { echo "make_tiny_guest: needs cpio" >&2; exit 1; }

mkdir -p "$out"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,mnt,modules}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# The modules the guest loads if it finds them: the ACPI power button and the
# event device it reports through (so a soft reboot is a clean power-off), and
# what reading a config drive (IDE cdrom, ISO 9660) takes.
moddir="/lib/modules/$kver/kernel"
for m in drivers/acpi/button drivers/input/evdev drivers/scsi/scsi_common drivers/scsi/scsi_mod \
         drivers/ata/libata drivers/ata/ata_piix drivers/cdrom/cdrom drivers/scsi/sr_mod fs/isofs/isofs; do
  for f in "$moddir/$m.ko" "$moddir/$m.ko.xz"; do
    if [ -f "$f" ]; then
      case "$f" in *.xz) xz -dc "$f" > "$root/modules/$(basename "$m").ko" ;; *) cp "$f" "$root/modules/" ;; esac
      echo "$(basename "$m")" >> "$root/modules/order"
    fi
  done
done

cat > "$root/init" <<INIT
#!/bin/sh
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec 0</dev/console 1>/dev/console 2>&1
if [ -f /modules/order ]; then
  while read -r m; do insmod "/modules/\$m.ko" 2>/dev/null; done < /modules/order
fi
sleep 1
echo "$marker"
# A config drive (label config-2), if attached: print its user data.
for dev in /dev/sr0 /dev/sr1; do
  [ -b "\$dev" ] || continue
  if mount -t iso9660 -o ro "\$dev" /mnt 2>/dev/null; then
    if [ -f /mnt/openstack/latest/user_data ]; then
      echo "STRATUS-USER-DATA-BEGIN"; cat /mnt/openstack/latest/user_data; echo; echo "STRATUS-USER-DATA-END"
    fi
    umount /mnt
  fi
done
# The ACPI power button: any event on its input device powers the guest off.
for ev in /sys/class/input/event*; do
  [ -e "\$ev" ] || continue
  if grep -q "Power Button" "\$ev/device/name" 2>/dev/null; then
    ( head -c 1 "/dev/input/\${ev##*/}" > /dev/null && { echo "STRATUS-GUEST-POWEROFF"; sync; poweroff -f; } ) &
  fi
done
while true; do sleep 3600; done
INIT
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initramfs"
cp "$kernel" "$out/kernel"
truncate -s 4M "$out/disk.raw"
chmod 644 "$out/kernel" "$out/initramfs" "$out/disk.raw"
echo "tiny guest in $out: kernel ($kver), initramfs, disk.raw; marker $marker"
