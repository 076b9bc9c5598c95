#!/usr/bin/env bash
# Installs what dismake needs to build and test, from Debian's archive, when it
# is missing, then configures and builds the tree into ./build (or $BUILD_DIR).
# Safe to run again: it installs and rebuilds only what is missing or stale.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config          # toolchain
  libwim-dev wimtools                       # WIM files (wimlib) and the reference CLI
  ntfs-3g ntfs-3g-dev                       # NTFS staging volumes: changed files keep Windows metadata
  libhivex-dev libhivex-bin                 # offline registry hives
  reglookup libregf-utils xz-utils          # tests: independent hive readers (dirty hives, big values, diff), xz data
  libxml2-dev                               # unattend.xml checks
  nlohmann-json3-dev libcli11-dev libssl-dev
  googletest libgtest-dev                   # unit tests
  python3 openssl                           # test scripts: JSON, deterministic bytes
  python3-sphinx groff-base man-db          # docs: HTML and manual pages, and their test
  bubblewrap                                # confines `run` steps to the mount
  mono-devel                                # tests: a .NET client (mcs, mono) of libDismApi
  libudfread-dev xorriso                    # install media: UDF reading; ISO 9660 reading and writing
  mtools dosfstools                         # install media: FAT32 USB images without root
  genisoimage                               # tests: UDF-bridge ISOs laid out as Microsoft's
  qemu-system-x86 ovmf grub-efi-amd64-bin   # tests: boot the media (BIOS and UEFI)
)

root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install_packages.sh" setup "${packages[@]}"

build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} >/dev/null
cmake --build "$build"
