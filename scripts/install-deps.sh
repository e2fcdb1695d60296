#!/usr/bin/env bash
# Installs the Debian 12 packages Stratus needs to build, run and test, and only
# those that are missing (so a machine that has them all does no network work).
# Needs root (or sudo). Safe to run again.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config ccache git clang libclang-rt-14-dev
  # libraries
  libboost-dev libboost-filesystem-dev
  libzmq3-dev cppzmq-dev libmsgpack-cxx-dev
  libspdlog-dev nlohmann-json3-dev libvalijson-dev libcpp-httplib-dev
  libcli11-dev libtomlplusplus-dev libsqlite3-dev libpq-dev libsodium-dev libssl-dev libvirt-dev libxml2-dev
  # clouds.yaml for the client's login
  libyaml-cpp-dev
  libgtest-dev libgmock-dev
  # the libvirt driver runs qemu-img for its disks (also in its unit tests)
  qemu-utils
  # the libvirt end-to-end test and `stratus driver check libvirt`: real QEMU
  # guests (libvirtd, virtlogd, virsh), a tiny guest built from the host's
  # kernel and a busybox initramfs, and config drives (ISO 9660)
  libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86
  linux-image-amd64 busybox-static cpio genisoimage
  # the same tiny guest as a disk the BIOS boots: a FAT file system written
  # into an image file (mtools) with SYSLINUX in its boot sector
  mtools syslinux
  # the PostgreSQL backend's tests start their own server (initdb + postgres
  # in a temporary folder; as the user nobody when run as root)
  postgresql
  # the multi-node test (tests/e2e/multinode): network namespaces, veth and a
  # bridge (ip), processes run as nobody and killed with their parent (setpriv)
  iproute2 util-linux
  # test tools: Debian's own Python (/usr/bin/python3) and its packages
  python3 python3-zmq python3-msgpack openssh-client
  python3-novaclient python3-openstackclient python3-openstacksdk
  # Tempest: its response schemas (the contract the compute replies are
  # checked against) and its compute API tests run against an aio (tests/tempest);
  # curl reads the advertised microversion range
  python3-tempest python3-jsonschema subunit curl
  # the dashboard's browser tests drive Debian's chromium (playwright-core)
  chromium
  # profiles for the benchmarks (perf record -g, docs/performance.md)
  linux-perf
)
# The dashboard's tests run under node, and npm installs the pinned
# playwright-core (tests/browser/package-lock.json): Debian's nodejs and npm,
# unless a node with npm is there already (another vendor's nodejs bundles npm
# and conflicts with Debian's npm package).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
