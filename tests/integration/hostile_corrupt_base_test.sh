#!/usr/bin/env bash
# Hostile images, corruption. What a build reads of its base is checked as it
# is read, and damage there stops it, naming the file: a base damaged in a
# file a step extracts (the SOFTWARE hive), in the image's metadata (its file
# list), or in a replaced file's base version a commit stages after mounting.
# A WIM whose integrity table flags damage is refused by default. Damage in a
# blob no step reads passes by default (as with DISM and wimlib-imagex) and
# is refused by every full check: `dismake verify`, `mount --verify`,
# `ensure --verify` and VERIFY_BASE FULL in CMake. Nothing is left behind by a
# refused mount, and the base is never written. A passed full check is
# recorded by the WIM's content, so a copy elsewhere, or another
# $DISMAKE_HOME given the record (a CI cache), does not check it again.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=cmake_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"
begin_test hostile_corrupt_base

FILE_CORRUPT=0x80070570
HIVE=Windows/System32/config/SOFTWARE

# A small image: the hive a registry step reads, and one big file (a single
# LZX resource) no registry step reads.
mkdir -p "$T/tree/Windows/System32/config"
cp "$DISMAKE_TESTDATA/minimal.hive" "$T/tree/$HIVE"
chmod 644 "$T/tree/$HIVE"
seq 1 300000 >"$T/tree/Windows/big.txt"
wimlib-imagex capture "$T/tree" "$T/good.wim" good --compress=LZX >/dev/null

# flip_at WIM OFFSET: adds one to the byte at OFFSET.
flip_at() {
  local wim=$1 at=$2 byte
  byte=$(od -An -tu1 -j "$at" -N1 "$wim" | tr -d ' ')
  printf "$(printf '\\%03o' $(((byte + 1) % 256)))" |
    dd of="$wim" bs=1 seek="$at" conv=notrunc status=none
}
# flip_file WIM PATH: damages the middle of PATH's resource.
flip_file() {
  local wim=$1 path=$2 offset size
  offset=$(wimlib-imagex dir "$wim" 1 --detailed --path="/$path" --one-file-only |
    awk -F'= *' '/^Offset in WIM/ {print $2 + 0; exit}')
  size=$(wimlib-imagex dir "$wim" 1 --detailed --path="/$path" --one-file-only |
    awk -F'= *' '/^Compressed size/ {print $2 + 0; exit}')
  [[ -n $offset && -n $size ]] || fail "cannot find $path's resource in $wim"
  flip_at "$wim" $((offset + size / 2))
}
# flip_metadata WIM: damages the middle of image 1's metadata resource.
flip_metadata() {
  local wim=$1 found
  found=$(wimlib-imagex info "$wim" --blobs | awk -F'= *' '
    /^Compressed size/ {size = $2 + 0} /^Offset in WIM/ {offset = $2 + 0}
    /^Flags.*METADATA/ {print offset + int(size / 2); exit}')
  [[ -n $found ]] || fail "cannot find the metadata resource of $wim"
  flip_at "$wim" "$found"
}

cp "$T/good.wim" "$T/unread.wim"
flip_file "$T/unread.wim" Windows/big.txt
cp "$T/good.wim" "$T/hive.wim"
flip_file "$T/hive.wim" "$HIVE"
cp "$T/good.wim" "$T/metadata.wim"
flip_metadata "$T/metadata.wim"
for wim in unread hive metadata; do
  ! wimlib-imagex verify "$T/$wim.wim" >/dev/null 2>&1 || fail "wimlib did not notice the damage in $wim.wim"
done
cp "$T/good.wim" "$T/checked.wim"
wimlib-imagex optimize "$T/checked.wim" --check >/dev/null
wimlib-imagex info "$T/checked.wim" 2>/dev/null | grep -q 'Attributes:.*Integrity info' || fail "no integrity table"
flip_file "$T/checked.wim" Windows/big.txt

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
records() { find "$DISMAKE_HOME/verified-bases" -type f 2>/dev/null | wc -l; }

step "damage in the metadata: every mount is refused, naming it"
refused_mount "$T/metadata.wim" "WIM '$T/metadata.wim' is damaged in the metadata of image 1" --lazy
refused_mount "$T/metadata.wim" "WIM '$T/metadata.wim' is damaged in the metadata of image 1" --readonly --lazy

step "a WIM whose integrity table flags damage is refused by default"
refused_mount "$T/checked.wim" "base WIM '$T/checked.wim' is damaged: .*integrity" --lazy

step "damage in a blob no step reads: refused by every full check"
refused_mount "$T/unread.wim" "base WIM '$T/unread.wim' is damaged: The SHA-1 message digest" --lazy --verify
refused_mount "$T/unread.wim" "base WIM '$T/unread.wim' is damaged" --verify
expect_fail $FILE_CORRUPT "base WIM '$T/unread.wim' is damaged: The SHA-1" -- \
  "$DISMAKE" verify "$T/unread.wim"
expect_fail $FILE_CORRUPT "base WIM '$T/unread.wim' is damaged" -- \
  "$DISMAKE" ensure --wim "$T/unread.wim" --index 1 --mount-dir "$T/m" --verify
assert_absent "$T/m"
assert_no_mounts
assert_eq 0 "$(records)" "verification records of damaged WIMs"

step "the default CMake build refuses a base damaged in a file a step reads, naming it"
registry_step="dismake_set_registry_value(img_s KEY \"HKLM\\\\SOFTWARE\\\\X\" NAME a TYPE REG_SZ DATA b)"
write_project "$T/src-hive" "$(recipe img "$T/hive.wim" "$registry_step")"
configure "$T/src-hive" "$T/build-hive"
build_fails "$T/build-hive"
grep -q "WIM '$T/hive.wim' is damaged in '$HIVE'" <<<"$LAST_STDOUT" ||
  fail "the build did not name the damaged file: $LAST_STDOUT"
assert_absent "$T/build-hive/img.wim"
# Nothing half-extracted stays in the mount: the tree holds only what its
# index knows of, so the next build does not see hand-made changes.
assert_absent "$(mount_dir_of "$T/build-hive" img)/$HIVE"

step "... and one damaged in its metadata"
write_project "$T/src-meta" "$(recipe img "$T/metadata.wim" "$registry_step")"
configure "$T/src-meta" "$T/build-meta"
build_fails "$T/build-meta"
grep -q "WIM '$T/metadata.wim' is damaged in the metadata of image 1" <<<"$LAST_STDOUT" ||
  fail "the build did not name the damaged metadata: $LAST_STDOUT"
assert_absent "$T/build-meta/img.wim"

step "damage in a blob no step reads: the default build passes it on, VERIFY_BASE FULL refuses"
write_project "$T/src-unread" "$(recipe img "$T/unread.wim" "$registry_step")"
configure "$T/src-unread" "$T/build-unread"
build "$T/build-unread"
assert_exists "$T/build-unread/img.wim"
# The output holds the base's blob as the base holds it, as wimlib-imagex
# update would: wimlib's own check of the output finds the same damage.
! wimlib-imagex verify "$T/build-unread/img.wim" >/dev/null 2>&1 ||
  fail "the unread damaged blob did not go into the output as it was"
write_project "$T/src-full" "$(recipe img "$T/unread.wim" "$registry_step" |
  sed 's/INDEX 1)/INDEX 1 VERIFY_BASE FULL)/')"
configure "$T/src-full" "$T/build-full"
build_fails "$T/build-full"
grep -q "base WIM '$T/unread.wim' is damaged" <<<"$LAST_STDOUT" ||
  fail "VERIFY_BASE FULL did not name the damage: $LAST_STDOUT"
assert_absent "$T/build-full/img.wim"
configure_fails_with() {
  local rc=0 out
  out=$(cmake -S "$1" -B "$2" -G Ninja -DDISMAKE_EXECUTABLE="$DISMAKE" 2>&1) || rc=$?
  ((rc != 0)) && grep -q "$3" <<<"$out" || fail "configure did not fail with /$3/: $out"
}
write_project "$T/src-bad" "$(recipe img "$T/good.wim" "" | sed 's/INDEX 1)/INDEX 1 VERIFY_BASE SOME)/')"
configure_fails_with "$T/src-bad" "$T/build-bad" "got 'SOME'"

step "a sound base: nothing is recorded by default; a full check is, by content"
cp "$T/good.wim" "$T/base.wim"
dismake_ok mount "$T/base.wim" "$T/m" --index 1 --lazy
assert_eq 0 "$(records)" "verification records after a default mount"
dismake_ok verify "$T/good.wim"
grep -q "sound (every blob)" <<<"$LAST_STDOUT" || fail "verify did not say what it checked: $LAST_STDOUT"
assert_eq 1 "$(records)" "verification records after verify"
# The same content elsewhere (another path, another mtime) is on record.
dismake_ok verify "$T/base.wim" --use-record
grep -q "sound (on record)" <<<"$LAST_STDOUT" || fail "the record was not used: $LAST_STDOUT"
# Another runner's home, given the record (a CI cache), uses it too.
mkdir -p "$T/home2"
cp -a "$DISMAKE_HOME/verified-bases" "$T/home2/"
DISMAKE_HOME=$T/home2 run_ok "$DISMAKE" verify "$T/base.wim" --use-record
grep -q "sound (on record)" <<<"$LAST_STDOUT" || fail "the carried record was not used: $LAST_STDOUT"

step "a base damaged after mounting: a commit staging the damaged file's base version refuses"
printf 'replaced\n' >"$T/big.txt"
dismake_ok add "$T/m" "$T/big.txt" Windows/big.txt
flip_file "$T/base.wim" Windows/big.txt
DAMAGED_SHA=$(sha256 "$T/base.wim")
expect_fail $FILE_CORRUPT "WIM '$T/base.wim' is damaged in 'Windows/big.txt'" -- \
  "$DISMAKE" commit "$T/m" --output "$T/out2.wim"
assert_absent "$T/out2.wim"
expect_fail $FILE_CORRUPT "WIM '$T/base.wim' is damaged in 'Windows/big.txt'" -- \
  "$DISMAKE" commit "$T/m" --check
assert_sha256 "$T/base.wim" "$DAMAGED_SHA"
! wimlib-imagex info "$T/base.wim" 2>/dev/null | grep -q 'Attributes:.*Integrity info' ||
  fail "an integrity table was written over the damaged base"
assert_no_temp_files "$T"
dismake_ok unmount "$T/m" --discard

step "a sound base commits, and a verified base's in-place commit stays on record"
cp "$T/good.wim" "$T/inplace.wim"
dismake_ok mount "$T/inplace.wim" "$T/m" --index 1 --lazy --verify
before=$(records)
printf 'x\n' >"$T/x.txt"
dismake_ok add "$T/m" "$T/x.txt" Windows/x.txt
dismake_ok unmount "$T/m" --commit
verify_wim "$T/inplace.wim"
assert_eq $((before + 1)) "$(records)" "verification records after an in-place commit"
dismake_ok verify "$T/inplace.wim" --use-record
grep -q "sound (on record)" <<<"$LAST_STDOUT" || fail "the committed WIM is not on record: $LAST_STDOUT"

end_test
