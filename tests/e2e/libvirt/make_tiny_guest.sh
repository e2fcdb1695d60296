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
#   OUT_DIR/boot-disk.raw  a disk the BIOS boots: a FAT file system (mtools,
#                      no loop mount) with SYSLINUX in its boot sector (package
#                      syslinux), the same kernel and initramfs and a
#                      syslinux.cfg giving console=ttyS0
# The guest needs console=ttyS0 on its kernel command line (the driver's default).
#
# The root disk marker: when the guest finds its boot disk (/dev/vda, a FAT file
# system holding syslinux.cfg), it mounts it read-write and prints
#   STRATUS-DISK-MARKER-PRESENT <id>   when /stratus-marker is there already
#   STRATUS-DISK-MARKER-WRITTEN <id>   when it was not: it writes a new random id
# so a console log tells whether the disk kept what an earlier boot wrote.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
out="${1:?usage: make_tiny_guest.sh OUT_DIR [MARKER]}"
marker="${2:-STRATUS-GUEST-UP}"

kernel="$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1 || true)"
[ -n "$kernel" ] && [ -r "$kernel" ] || { echo "make_tiny_guest: no readable /boot/vmlinuz-* (install linux-image-amd64)" >&2; exit 1; }
kver="${kernel#/boot/vmlinuz-}"
busybox=/bin/busybox
[ -x "$busybox" ] && "$busybox" --list | grep -x mount > /dev/null \
  || { echo "make_tiny_guest: needs busybox-static (/bin/busybox, statically linked)" >&2; exit 1; }
for tool in cpio mformat mcopy syslinux; do
  command -v "$tool" > /dev/null || { echo "make_tiny_guest: needs $tool (packages cpio, mtools, syslinux)" >&2; exit 1; }
done

mkdir -p "$out"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,mnt,disk,modules}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# The modules the guest loads if it finds them: the ACPI power button and the
# event device it reports through (so a soft reboot is a clean power-off), and
# what reading a config drive (IDE cdrom, ISO 9660) takes, and the virtio disk
# with its FAT file system (the boot disk's marker).
copy_guest_modules "$root" "$kver" drivers/acpi/button drivers/input/evdev drivers/scsi/scsi_common \
  drivers/scsi/scsi_mod drivers/ata/libata drivers/ata/ata_piix drivers/cdrom/cdrom drivers/scsi/sr_mod \
  fs/isofs/isofs drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
  drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci drivers/block/virtio_blk \
  fs/fat/fat fs/fat/vfat fs/nls/nls_cp437 fs/nls/nls_ascii

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
# The boot disk (BIOS boot from the instance's disk): its root file system
# keeps a marker across boots of the same disk.
for _ in 1 2 3 4 5; do [ -b /dev/vda ] && break; sleep 1; done
if [ -b /dev/vda ] && mount -t vfat -o rw /dev/vda /disk 2>/dev/null; then
  if [ -f /disk/syslinux.cfg ]; then
    if [ -f /disk/stratus-marker ]; then
      echo "STRATUS-DISK-MARKER-PRESENT \$(cat /disk/stratus-marker)"
    else
      id="\$(cat /proc/sys/kernel/random/uuid)"
      echo "\$id" > /disk/stratus-marker
      sync
      echo "STRATUS-DISK-MARKER-WRITTEN \$id"
    fi
  fi
  umount /disk
fi
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

# The BIOS-bootable disk: a FAT file system on the whole disk (no partition
# table: SeaBIOS runs its boot sector, which SYSLINUX wrote), built in the
# image file itself by mtools, so no loop device and no mount.
boot="$out/boot-disk.raw"
rm -f "$boot"
truncate -s 48M "$boot"
mformat -i "$boot" -v STRATUSROOT -T $((48 * 2048)) -h 64 -s 32 ::
# no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer check
# can fail and panic the guest at boot (cloud images pass it for the same reason).
cat > "$root/syslinux.cfg" <<CFG
SERIAL 0 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL vmlinuz
  INITRD initrd.gz
  APPEND console=ttyS0 quiet loglevel=3 no_timer_check
CFG
mcopy -i "$boot" "$kernel" ::vmlinuz
mcopy -i "$boot" "$out/initramfs" ::initrd.gz
mcopy -i "$boot" "$root/syslinux.cfg" ::syslinux.cfg
syslinux --install "$boot"
chmod 644 "$out/kernel" "$out/initramfs" "$out/disk.raw" "$boot"
echo "tiny guest in $out: kernel ($kver), initramfs, disk.raw, boot-disk.raw; marker $marker"
