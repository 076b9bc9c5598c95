#!/usr/bin/env bash
# `dismake make-iso`: a BIOS+UEFI bootable ISO from a media folder, El
# Torito entries as oscdimg -bootdata:2#p0,e,bboot\etfsboot.com#pEF,e,befi\microsoft\boot\efisys.bin
# writes them, built files in place of the media's (REPLACE), every file
# back byte for byte, the same bytes from two builds; and the bad input:
# missing boot files, a REPLACE path the media lacks, a bad label, no room,
# nothing half-written under the output's name. (Booting it:
# media_boot_test.sh.)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/media_lib.sh"

begin_test media_iso
require_tools xorriso
make_media_tree "$T/media"
export SOURCE_DATE_EPOCH=1700000000
head -c 500000 /dev/urandom >"$T/pro.wim"

json_field() { "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# The El Torito catalog as xorriso reports it, one "<N> <platform> <emul>
# <load size> <path>" line per entry.
catalog() {
  local iso=$1
  xorriso -no_rc -indev "$iso" -report_el_torito plain 2>/dev/null | "$PYTHON" -c '
import sys
entries, paths = {}, {}
for line in sys.stdin:
    if line.startswith("El Torito boot img :"):
        f = line.split(":", 1)[1].split()
        entries[f[0]] = (f[1], f[3], f[6], f[7])  # platform, emulation, load size, LBA
    elif line.startswith("El Torito img path :"):
        f = line.split(":", 1)[1].split()
        paths[f[0]] = f[1]
for n in sorted(entries):
    p, e, size, lba = entries[n]
    print(n, p, e, size, lba, paths.get(n, "?"))
'
}

test_writes_bootable_iso() {
  step "make-iso: El Torito BIOS (no emulation, load size 8) and UEFI (0xEF) entries, from the media's files"
  dismake_ok make-iso --media "$T/media" --output "$T/out/contoso.iso" \
    --replace sources/install.wim="$T/pro.wim" --label CONTOSO_W11 --json
  assert_eq CONTOSO_W11 "$(json_field label <<<"$LAST_STDOUT")" "label"
  local entries
  entries=$(catalog "$T/out/contoso.iso")
  echo "$entries"
  [[ $(wc -l <<<"$entries") == 2 ]] || fail "expected two El Torito entries, got: $entries"
  read -r n platform emul size lba path <<<"$(sed -n 1p <<<"$entries")"
  assert_eq "BIOS none 8 /boot/etfsboot.com" "$platform $emul $size $path" "the BIOS entry"
  # No boot information table: the image in the ISO is the media's file
  # byte for byte.
  cmp <(dd if="$T/out/contoso.iso" bs=2048 skip="$lba" count=2 status=none) \
    "$T/media/boot/etfsboot.com" || fail "the BIOS boot image differs from boot/etfsboot.com"
  read -r n platform emul size lba path <<<"$(sed -n 2p <<<"$entries")"
  assert_eq "UEFI none /efi/microsoft/boot/efisys.bin" "$platform $emul $path" "the UEFI entry"
  cmp <(dd if="$T/out/contoso.iso" bs=2048 skip="$lba" count=720 status=none) \
    "$T/media/efi/microsoft/boot/efisys.bin" || fail "the UEFI boot image differs from efisys.bin"
  xorriso -no_rc -indev "$T/out/contoso.iso" -pvd_info 2>/dev/null | grep -q "^Volume Id *: CONTOSO_W11$" ||
    fail "the volume label is not CONTOSO_W11"

  step "every file comes back byte for byte (read back through Joliet), install.wim replaced"
  dismake_ok extract-media "$T/out/contoso.iso" "$T/back"
  cp -a "$T/media" "$T/expected"
  cp "$T/pro.wim" "$T/expected/sources/install.wim"
  assert_same_tree "$T/expected" "$T/back"
  rm -rf "$T/expected" "$T/back" "$T/back.dismake-media.json"
  [[ -z $(find "$T/out" -name '*.tmp-*') ]] || fail "make-iso left a temporary in $T/out"
}

test_reproducible() {
  step "two builds give the same bytes, whatever the files' times (SOURCE_DATE_EPOCH)"
  touch "$T/media/setup.exe" "$T/pro.wim"
  dismake_ok make-iso --media "$T/media" --output "$T/out/again.iso" \
    --replace sources/install.wim="$T/pro.wim" --label CONTOSO_W11
  cmp "$T/out/contoso.iso" "$T/out/again.iso" || fail "two builds of the ISO differ"
  step "without SOURCE_DATE_EPOCH: the media's newest file's time, still the same bytes"
  (unset SOURCE_DATE_EPOCH
   "$DISMAKE" make-iso --media "$T/media" --output "$T/out/a.iso" --label L >/dev/null
   sleep 1
   "$DISMAKE" make-iso --media "$T/media" --output "$T/out/b.iso" --label L >/dev/null)
  cmp "$T/out/a.iso" "$T/out/b.iso" || fail "two builds without SOURCE_DATE_EPOCH differ"
  rm -f "$T/out/a.iso" "$T/out/b.iso" "$T/out/again.iso"
}

test_says_why() {
  step "with --record, each run says why it ran"
  local record=$T/inputs.json
  dismake_ok make-iso --media "$T/media" --output "$T/out/why.iso" --label A --record "$record" --json
  assert_eq "first build" "$(json_field reason <<<"$LAST_STDOUT")" "first reason"
  dismake_ok make-iso --media "$T/media" --output "$T/out/why.iso" --label B --record "$record" --json
  assert_eq 'option label changed ("A" -> "B")' "$(json_field reason <<<"$LAST_STDOUT")" "label reason"
  printf 'changed\r\n' >"$T/media/autorun.inf"
  dismake_ok make-iso --media "$T/media" --output "$T/out/why.iso" --label B --record "$record" --json
  assert_eq "input autorun.inf changed" "$(json_field reason <<<"$LAST_STDOUT")" "input reason"
  rm -f "$T/out/why.iso"
}

test_no_prompt() {
  step "--no-prompt: UEFI boots efisys_noprompt.bin when the media has it, efisys.bin otherwise"
  dismake_ok make-iso --media "$T/media" --output "$T/out/np.iso" --label NP --no-prompt --json
  assert_eq efi/microsoft/boot/efisys.bin "$(json_field uefi_boot_image <<<"$LAST_STDOUT")" "without noprompt file"
  cp "$T/media/efi/microsoft/boot/efisys.bin" "$T/media/efi/microsoft/boot/efisys_noprompt.bin"
  dismake_ok make-iso --media "$T/media" --output "$T/out/np.iso" --label NP --no-prompt
  catalog "$T/out/np.iso" | grep -q ' /efi/microsoft/boot/efisys_noprompt.bin$' ||
    fail "the UEFI entry is not efisys_noprompt.bin"
  rm "$T/media/efi/microsoft/boot/efisys_noprompt.bin" "$T/out/np.iso"
}

# expect_no_output FILE: nothing under FILE's name, and no temporary.
expect_no_output() {
  [[ ! -e $1 ]] || fail "a failed make-iso left $1"
  [[ -z $(find "$(dirname "$1")" -maxdepth 1 -name "$(basename "$1").tmp-*") ]] ||
    fail "a failed make-iso left a temporary beside $1"
}

test_bad_input() {
  local out=$T/out/bad.iso
  step "media without the BIOS boot file: named, with the firmware that needs it"
  mv "$T/media/boot/etfsboot.com" "$T/etfsboot.com"
  expect_fail 0x80070002 'has no boot/etfsboot.com, the El Torito image BIOS firmware boots' -- \
    "$DISMAKE" make-iso --media "$T/media" --output "$out" --label L
  expect_no_output "$out"
  mv "$T/etfsboot.com" "$T/media/boot/etfsboot.com"
  step "media without the UEFI boot file"
  mv "$T/media/efi/microsoft/boot/efisys.bin" "$T/efisys.bin"
  expect_fail 0x80070002 'has no efi/microsoft/boot/efisys.bin, .*UEFI firmware boots' -- \
    "$DISMAKE" make-iso --media "$T/media" --output "$out" --label L
  mv "$T/efisys.bin" "$T/media/efi/microsoft/boot/efisys.bin"
  step "a REPLACE path the media lacks"
  expect_fail 0x80070003 'REPLACE sources/install2.wim: the media .* has no such file' -- \
    "$DISMAKE" make-iso --media "$T/media" --output "$out" --label L \
    --replace sources/install2.wim="$T/pro.wim"
  expect_fail 0x80070003 'REPLACE sources/install2.wim' -- \
    "$DISMAKE" make-iso --check --media "$T/media" --output "$out" \
    --replace sources/install2.wim="$T/not-built-yet.wim"
  step "--check accepts a REPLACE file not built yet"
  dismake_ok make-iso --check --media "$T/media" --output "$out" \
    --replace SOURCES/INSTALL.WIM="$T/not-built-yet.wim"
  step "a label an ISO cannot have"
  expect_fail 0x80070057 "volume label 'two words' is not usable" -- \
    "$DISMAKE" make-iso --media "$T/media" --output "$out" --label 'two words'
  step "no label and no source ISO to take it from"
  expect_fail 0x80070057 'needs a volume label' -- \
    "$DISMAKE" make-iso --media "$T/media" --output "$out"
  expect_no_output "$out"
  step "not enough room: refused before writing (a sparse 1 TiB install.wim)"
  truncate -s 1T "$T/huge.wim"
  expect_fail 0x80070070 'not enough free space for the ISO .*bad.iso' -- \
    "$DISMAKE" make-iso --media "$T/media" --output "$out" --label L \
    --replace sources/install.wim="$T/huge.wim"
  expect_no_output "$out"
  rm "$T/huge.wim"
  step "an output inside the media folder"
  expect_fail 0x80070057 'would be inside the media folder' -- \
    "$DISMAKE" make-iso --media "$T/media" --output "$T/media/self.iso" --label L
  step "an output that exists stays as it was when writing fails"
  printf 'old' >"$out"
  mv "$T/media/boot/etfsboot.com" "$T/etfsboot.com"
  expect_fail 0x80070002 'has no boot/etfsboot.com' -- \
    "$DISMAKE" make-iso --media "$T/media" --output "$out" --label L
  mv "$T/etfsboot.com" "$T/media/boot/etfsboot.com"
  assert_eq old "$(cat "$out")" "the old output"
}

test_writes_bootable_iso
test_reproducible
test_says_why
test_no_prompt
test_bad_input
end_test
