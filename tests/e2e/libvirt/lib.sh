# Shared by the libvirt end-to-end scripts of this folder (sourced, not run).

# copy_guest_modules ROOT KVER MODULE...: copies each kernel module named by
# its path under /lib/modules/KVER/kernel without the suffix (e.g.
# drivers/block/virtio_blk), .ko or .ko.xz (unpacked), to ROOT/modules/NAME.ko
# and appends NAME to ROOT/modules/order, the order the guest's /init loads
# them in; a module built into the kernel is simply absent.
copy_guest_modules() {
  local root="$1" moddir="/lib/modules/$2/kernel" m name
  shift 2
  mkdir -p "$root/modules"
  for m in "$@"; do
    name="$(basename "$m")"
    if [ -f "$moddir/$m.ko" ]; then cp "$moddir/$m.ko" "$root/modules/$name.ko"
    elif [ -f "$moddir/$m.ko.xz" ]; then xz -dc "$moddir/$m.ko.xz" > "$root/modules/$name.ko"
    else continue; fi
    echo "$name" >> "$root/modules/order"
  done
}

# aio_config HOST WORK IMAGES URI NETWORK_MODE [COMPUTE_KEYS [LIBVIRT_KEYS]]:
# prints the `stratus aio` config the e2e tests share: data under WORK, the
# API on a loopback port of its own without auth, the libvirt driver on URI
# (QEMU TCG) with its instances under WORK/instances, image data fetched to
# IMAGES; COMPUTE_KEYS and LIBVIRT_KEYS (TOML lines) go into [compute] and
# [driver.libvirt]. The caller may append sub-tables of [driver.libvirt].
aio_config() {
  cat <<EOF
host = "$1"
data_dir = "$2/data"
log_level = "info"

[api]
listen = "127.0.0.1:0"
auth_strategy = "noauth"

[compute]
driver = "libvirt"
heartbeat_interval = 1.0
resource_report_interval = 2.0
${6:-}

[driver.libvirt]
uri = "$4"
virt_type = "qemu"
instances_path = "$2/instances"
images_path = "$2/instances/_base"
image_source_path = "$3"
network_mode = "$5"
${7:-}
EOF
}
