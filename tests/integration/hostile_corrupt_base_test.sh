#!/usr/bin/env bash
# Hostile images, corruption: a base WIM with a flipped byte inside a
# compressed resource (no integrity table: caught by re-hashing every blob),
# and one whose integrity table flags the damage, are refused, naming the
# damage, by `mount --lazy`, a full mount and the default (lazy) CMake build;
# nothing is left behind. A base damaged after it was mounted is refused by
# commit, in place (no integrity table written over it) and with --output.
# A sound base is verified once: the result is recorded per user.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=cmake_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"
begin_test hostile_corrupt_base

FILE_CORRUPT=0x80070570

# A small image whose one big file is a single LZX resource.
mkdir -p "$T/tree/Windows/System32/config"
cp "$DISMAKE_TESTDATA/minimal.hive" "$T/tree/Windows/System32/config/SOFTWARE"
chmod 644 "$T/tree/Windows/System32/config/SOFTWARE"
seq 1 300000 >"$T/tree/Windows/big.txt"
wimlib-imagex capture "$T/tree" "$T/good.wim" good --compress=LZX >/dev/null

# flip_byte WIM: damages the middle of big.txt's compressed resource.
flip_byte() {
  local wim=$1 offset size
  offset=$(wimlib-imagex dir "$wim" 1 --detailed --path=/Windows/big.txt --one-file-only |
    awk -F'= *' '/^Offset in WIM/ {print $2 + 0; exit}')
  size=$(wimlib-imagex dir "$wim" 1 --detailed --path=/Windows/big.txt --one-file-only |
    awk -F'= *' '/^Compressed size/ {print $2 + 0; exit}')
  [[ -n $offset && -n $size ]] || fail "cannot find big.txt's resource in $wim"
  local at=$((offset + size / 2)) byte
  byte=$(od -An -tu1 -j "$at" -N1 "$wim" | tr -d ' ')
  printf "$(printf '\\%03o' $(((byte + 1) % 256)))" |
    dd of="$wim" bs=1 seek="$at" conv=notrunc status=none
}

cp "$T/good.wim" "$T/damaged.wim"
flip_byte "$T/damaged.wim"
! wimlib-imagex verify "$T/damaged.wim" >/dev/null 2>&1 || fail "the flipped byte went unnoticed by wimlib"

cp "$T/good.wim" "$T/checked.wim"
wimlib-imagex optimize "$T/checked.wim" --check >/dev/null
wimlib-imagex info "$T/checked.wim" 2>/dev/null | grep -q 'Attributes:.*Integrity info' || fail "no integrity table"
flip_byte "$T/checked.wim"

refused_mount() {
  local wim=$1 regex=$2
  shift 2
  local sha
  sha=$(sha256 "$wim")
  expect_fail $FILE_CORRUPT "$regex" -- "$DISMAKE" mount "$wim" "$T/m" --index 1 "$@"
  assert_absent "$T/m"
  assert_absent "$T/m.dismake"
  assert_no_mounts
  assert_sha256 "$wim" "$sha"
}

step "a flipped byte in a blob: every mount is refused"
refused_mount "$T/damaged.wim" "base WIM '$T/damaged.wim' is damaged: The SHA-1 message digest" --lazy
refused_mount "$T/damaged.wim" "base WIM '$T/damaged.wim' is damaged" --readonly --lazy
refused_mount "$T/damaged.wim" "base WIM '$T/damaged.wim' is damaged"

step "a WIM whose integrity table flags damage is refused"
refused_mount "$T/checked.wim" "base WIM '$T/checked.wim' is damaged: .*integrity" --lazy

step "the default (lazy) CMake build refuses a damaged base"
write_project "$T/src" "$(recipe img "$T/damaged.wim" "dismake_set_registry_value(img_s KEY \"HKLM\\\\SOFTWARE\\\\X\" NAME a TYPE REG_SZ DATA b)")"
configure "$T/src" "$T/build"
build_fails "$T/build"
grep -q "base WIM '$T/damaged.wim' is damaged" <<<"$LAST_STDOUT" ||
  fail "the build did not name the damage: $LAST_STDOUT"
assert_absent "$T/build/img.wim"

step "a sound base is verified once, and recorded"
cp "$T/good.wim" "$T/base.wim"
dismake_ok mount "$T/base.wim" "$T/m" --index 1 --lazy
assert_eq 1 "$(find "$DISMAKE_HOME/verified-bases" -type f | wc -l)" "verification records"
printf 'x\n' >"$T/x.txt"
dismake_ok add "$T/m" "$T/x.txt" Windows/x.txt
dismake_ok commit "$T/m" --output "$T/out.wim"
verify_wim "$T/out.wim"
assert_eq 1 "$(find "$DISMAKE_HOME/verified-bases" -type f | wc -l)" "verification records after commit"

step "a base damaged after mounting: commit refuses, in place and with --output"
flip_byte "$T/base.wim"
DAMAGED_SHA=$(sha256 "$T/base.wim")
expect_fail $FILE_CORRUPT "base WIM '$T/base.wim' is damaged" -- \
  "$DISMAKE" commit "$T/m" --check
assert_sha256 "$T/base.wim" "$DAMAGED_SHA"
! wimlib-imagex info "$T/base.wim" 2>/dev/null | grep -q 'Attributes:.*Integrity info' ||
  fail "an integrity table was written over the damaged base"
expect_fail $FILE_CORRUPT "base WIM '$T/base.wim' is damaged" -- \
  "$DISMAKE" commit "$T/m" --output "$T/out2.wim"
assert_absent "$T/out2.wim"
assert_no_temp_files "$T"
dismake_ok unmount "$T/m" --discard

end_test
