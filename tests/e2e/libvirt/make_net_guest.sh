#!/usr/bin/env bash
# Builds a tiny networked guest from Debian packages alone (the host's kernel,
# busybox-static, cpio), for the libvirt network end-to-end test:
#   make_net_guest.sh OUT_DIR MARKER
# writes OUT_DIR/kernel, OUT_DIR/initramfs (gzip'd newc cpio) and
# OUT_DIR/disk.raw (4 MiB, never mounted). The guest's /init, on the serial
# console (console=ttyS0):
#   - prints MARKER, then "STRATUS-DISKS: vda ..." (its virtio disks);
#   - mounts the config drive (label config-2, /dev/sr0) and configures the
#     interface whose MAC network_data.json names with its ip_address,
#     netmask and default route (Nova's format, static "ipv4" networks), then
#     prints "STRATUS-NET-UP <address>" (or "STRATUS-NET-NONE");
#   - runs the user data, if any, as a shell script in the background;
#   - prints "STRATUS-ALIVE <n>" every 2 seconds, so a paused or suspended
#     guest shows as a gap and a resumed one as a counter that went on.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
out="${1:?usage: make_net_guest.sh OUT_DIR MARKER}"
marker="${2:?usage: make_net_guest.sh OUT_DIR MARKER}"

kernel="$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1 || true)"
[ -n "$kernel" ] && [ -r "$kernel" ] || { echo "make_net_guest: no readable /boot/vmlinuz-*" >&2; exit 1; }
kver="${kernel#/boot/vmlinuz-}"
# grep without -q reads the whole list: under pipefail, grep -q leaving early
# can kill busybox with SIGPIPE and fail the pipeline although ipcalc is there.
[ -x /bin/busybox ] && /bin/busybox --list | grep -x ipcalc > /dev/null || { echo "make_net_guest: needs busybox-static" >&2; exit 1; }

mkdir -p "$out"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,mnt,modules,tmp}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# virtio (PCI, net, block), and what reading a config drive takes (IDE cdrom,
# ISO 9660), in load order; a module built into the kernel is simply absent.
copy_guest_modules "$root" "$kver" drivers/virtio/virtio_ring drivers/virtio/virtio \
  drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci \
  net/core/failover drivers/net/net_failover drivers/net/virtio_net drivers/block/virtio_blk \
  drivers/scsi/scsi_common drivers/scsi/scsi_mod drivers/ata/libata drivers/ata/ata_piix \
  drivers/cdrom/cdrom drivers/scsi/sr_mod fs/isofs/isofs

cat > "$root/init" <<INIT
#!/bin/sh
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec 0</dev/console 1>/dev/console 2>&1
[ -f /modules/order ] && while read -r m; do insmod "/modules/\$m.ko" 2>/dev/null; done < /modules/order
sleep 1
echo "$marker"
echo "STRATUS-DISKS:" \$(ls /sys/block | grep '^vd')
ip link set lo up
# The first value of a string member (the network's netmask, not its route's).
field() { grep -o "\"\$1\":\"[^\"]*\"" /tmp/nd.json | head -1 | cut -d'"' -f4; }
net=none
for dev in /dev/sr0 /dev/sr1; do
  [ -b "\$dev" ] && mount -t iso9660 -o ro "\$dev" /mnt 2>/dev/null || continue
  [ -f /mnt/openstack/latest/network_data.json ] && cp /mnt/openstack/latest/network_data.json /tmp/nd.json
  [ -f /mnt/openstack/latest/user_data ] && cp /mnt/openstack/latest/user_data /tmp/user_data
  umount /mnt
done
if [ -f /tmp/nd.json ] && grep -q '"type":"ipv4"' /tmp/nd.json; then
  ip="\$(field ip_address)" mask="\$(field netmask)" mac="\$(field ethernet_mac_address)" gw="\$(field gateway)"
  for n in /sys/class/net/*; do
    [ "\$(cat "\$n/address")" = "\$mac" ] || continue
    eval "\$(ipcalc -p "\$ip" "\$mask")"
    ip link set "\${n##*/}" up && ip addr add "\$ip/\$PREFIX" dev "\${n##*/}" && net="\$ip"
    [ -n "\$gw" ] && ip route add default via "\$gw"
  done
fi
if [ "\$net" = none ]; then echo "STRATUS-NET-NONE"; else echo "STRATUS-NET-UP \$net"; fi
[ -f /tmp/user_data ] && sh /tmp/user_data &
n=0
while true; do n=\$((n + 1)); echo "STRATUS-ALIVE \$n"; sleep 2; done
INIT
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initramfs"
cp "$kernel" "$out/kernel"
truncate -s 4M "$out/disk.raw"
chmod 644 "$out/kernel" "$out/initramfs" "$out/disk.raw"
echo "networked guest in $out: kernel ($kver), initramfs, disk.raw; marker $marker"
