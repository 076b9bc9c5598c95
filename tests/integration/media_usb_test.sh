#!/usr/bin/env bash
# `dismake make-usb`: a raw USB disk image, MBR with one active FAT32 (LBA)
# partition from 1 MiB, written with mkfs.fat and mtools (no root). Every
# file comes back byte for byte; install.wim becomes install.swm parts
# (which join back into it) with --split-size; two builds give the same
# bytes; bad input leaves nothing under the output's name. (Booting it on
# UEFI: media_boot_test.sh.)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/media_lib.sh"

begin_test media_usb
require_tools mkfs.fat mcopy
make_media_tree "$T/media"
export SOURCE_DATE_EPOCH=1700000000
export MTOOLS_SKIP_CHECK=1

json_field() { "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# The MBR's partition entry 1: "<status> <type> <first LBA> <sectors>".
partition_entry() {
  "$PYTHON" - "$1" <<'PY'
import struct, sys
mbr = open(sys.argv[1], "rb").read(512)
assert mbr[510:512] == b"\x55\xaa", "no MBR signature"
e = mbr[446:462]
print("0x%02X 0x%02X %d %d" % (e[0], e[4], struct.unpack_from("<I", e, 8)[0], struct.unpack_from("<I", e, 12)[0]))
assert all(b == 0 for b in mbr[462:510]), "more than one partition"
PY
}

# copy_out IMAGE DIR: every file of the image's FAT32 partition into DIR.
copy_out() {
  mkdir -p "$2"
  mcopy -s -n -i "$1@@1M" '::/*' "$2/"
}

step "make-usb: MBR, one active FAT32 (0x0C) partition at 1 MiB covering the rest of the disk"
cp "$DISMAKE_FIXTURES/base.wim" "$T/pro.wim"
dismake_ok make-usb --media "$T/media" --output "$T/out/a.img" \
  --replace sources/install.wim="$T/pro.wim" --json
size=$(stat -c %s "$T/out/a.img")
read -r status type first sectors <<<"$(partition_entry "$T/out/a.img")"
assert_eq "0x80 0x0C 2048" "$status $type $first" "the partition entry"
assert_eq "$size" "$(((first + sectors) * 512))" "the disk's size (partition end)"
minfo -i "$T/out/a.img@@1M" :: | grep -q 'disk type="FAT32' ||
  fail "the partition is not FAT32: $(minfo -i "$T/out/a.img@@1M" ::)"
mlabel -s -i "$T/out/a.img@@1M" :: | grep -q 'ESD-USB' || fail "the volume label is not ESD-USB"

step "every file comes back byte for byte, install.wim replaced"
copy_out "$T/out/a.img" "$T/back"
cp -a "$T/media" "$T/expected"
cp "$T/pro.wim" "$T/expected/sources/install.wim"
assert_same_tree "$T/expected" "$T/back"
wipe_dir "$T/back"

step "two builds: the same bytes"
touch "$T/pro.wim" "$T/media/setup.exe"
dismake_ok make-usb --media "$T/media" --output "$T/out/b.img" \
  --replace sources/install.wim="$T/pro.wim"
cmp "$T/out/a.img" "$T/out/b.img" || fail "two builds of the USB image differ"

step "--split-size: install.wim as install.swm parts that join back into it"
dismake_ok make-usb --media "$T/media" --output "$T/out/split.img" \
  --replace sources/install.wim="$T/pro.wim" --split-size 1 --json
parts=$(json_field install_swm_parts <<<"$LAST_STDOUT")
((parts >= 2)) || fail "expected install.wim in parts, got $parts"
copy_out "$T/out/split.img" "$T/split"
[[ ! -e $T/split/sources/install.wim ]] || fail "install.wim is on the stick beside its parts"
assert_eq "$parts" "$(ls "$T/split/sources"/install*.swm | wc -l)" "the parts on the stick"
wimlib-imagex join "$T/joined.wim" "$T/split/sources"/install*.swm >/dev/null
assert_eq "$(wimlib-imagex dir "$T/pro.wim" 1 | sort | sha256sum)" \
  "$(wimlib-imagex dir "$T/joined.wim" 1 | sort | sha256sum)" "the joined parts' image 1"
dismake_ok make-usb --media "$T/media" --output "$T/out/split2.img" \
  --replace sources/install.wim="$T/pro.wim" --split-size 1
cmp "$T/out/split.img" "$T/out/split2.img" || fail "two split builds differ"

step "bad input: no bootx64.efi, a bad label, a file over FAT32's limit"
mv "$T/media/efi/boot/bootx64.efi" "$T/bootx64.efi"
expect_fail 0x80070002 'has no efi/boot/bootx64.efi, what UEFI firmware starts from a USB disk' -- \
  "$DISMAKE" make-usb --media "$T/media" --output "$T/out/bad.img"
mv "$T/bootx64.efi" "$T/media/efi/boot/bootx64.efi"
expect_fail 0x80070057 "volume label 'lower' is not usable on FAT32" -- \
  "$DISMAKE" make-usb --media "$T/media" --output "$T/out/bad.img" --label lower
truncate -s 5G "$T/media/support/big.bin"
expect_fail 0x80070057 'support/big.bin .* is larger than FAT32.s 4 GiB limit' -- \
  "$DISMAKE" make-usb --media "$T/media" --output "$T/out/bad.img"
rm "$T/media/support/big.bin"
[[ ! -e $T/out/bad.img && -z $(find "$T/out" -name '*.tmp-*') ]] ||
  fail "a failed make-usb left an output or a temporary"
end_test
