#!/usr/bin/env bash
# Reproducible output and the commit options (issue: reproducible image
# output). The same state committed twice, at different times and with
# different thread counts, gives the same bytes; an incremental path to a
# state gives the bytes a clean path gives; SOURCE_DATE_EPOCH changes the
# bytes only through the times; every compression, solid, integrity, assembly
# and split output verifies and extracts to the expected tree.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test reproducible_output

base=$T/base.wim
fixture_copy single.wim "$base"
mkdir -p "$T/overlay/Windows/Setup/Scripts" "$T/overlay2"
echo 'echo first boot' >"$T/overlay/Windows/Setup/Scripts/SetupComplete.cmd"
echo 'v1' >"$T/overlay/version.txt"
echo 'other' >"$T/overlay2/other.txt"

# Builds the recipe "overlay, a registry value, a delete" on mount $1 with
# registry data $2, and commits the last state to $3 with extra options.
build() {
  local mount=$1 data=$2 output=$3
  shift 3
  dismake_ok ensure --wim "$base" --index 1 --mount-dir "$mount" --stamp "$mount.s0" --quiet
  dismake_ok add "$mount" "$T/overlay" / --after "$mount.s0" --stamp "$mount.s1"
  dismake_ok set-registry-value "$mount" 'HKLM\SOFTWARE\Contoso' Build REG_SZ "$data" \
    --after "$mount.s1" --stamp "$mount.s2"
  dismake_ok delete "$mount" 'Windows/win.ini' --after "$mount.s2" --stamp "$mount.s3"
  dismake_ok commit "$mount" --output "$output" --after "$mount.s3" --quiet "$@"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

step "same state, two mounts, two times, 1 and 2 threads: same bytes"
build "$T/m1" one "$T/a.wim" --threads 1
sleep 1.1
build "$T/m2" one "$T/b.wim" --threads 2
assert_eq "$(sha "$T/a.wim")" "$(sha "$T/b.wim")" "sha256 of two clean builds"
verify_wim "$T/a.wim"

step "incremental change gives the clean build's bytes"
build "$T/m1" two "$T/a2.wim"   # m1 re-runs from step 2 on
build "$T/m3" two "$T/c2.wim"   # a fresh mount
assert_eq "$(sha "$T/a2.wim")" "$(sha "$T/c2.wim")" "sha256 incremental vs clean"
[[ $(sha "$T/a2.wim") != "$(sha "$T/a.wim")" ]] || fail "a changed input left the output as it was"
step "going back to the first input restores, and gives the first bytes again"
build "$T/m1" one "$T/a3.wim"
assert_eq "$(sha "$T/a.wim")" "$(sha "$T/a3.wim")" "sha256 after going back"
grep -q '"action":"restored","event":"step","key":"[0-9a-f]*","op":"set-registry-value"' \
  "$T/m1.dismake/events.log" || fail "going back to an earlier input re-ran the step instead of restoring it"

step "a commit resetting its previous output in place gives the fresh copy's bytes"
build "$T/m1" one "$T/r.wim"
inode=$(stat -c %i "$T/r.wim")
log=$("$DISMAKE" commit "$T/m1" --output "$T/r.wim" --after "$T/m1.s3" --quiet) ||
  fail "commit failed: $log"
[[ $log == *" reclaimable"* ]] || fail "the commit line does not say what is reclaimable: $log"
build "$T/m1" two "$T/r.wim"
assert_eq "$inode" "$(stat -c %i "$T/r.wim")" "inode of r.wim (reset in place, not copied)"
assert_eq "$(sha "$T/c2.wim")" "$(sha "$T/r.wim")" "sha256 reset-in-place vs fresh copy"
build "$T/m1" one "$T/r.wim"
assert_eq "$(sha "$T/a.wim")" "$(sha "$T/r.wim")" "sha256 reset back to the first state"
verify_wim "$T/r.wim"

step "--compact: no garbage, still reproducible"
build "$T/m1" two "$T/k1.wim" --compact
build "$T/m3" two "$T/k2.wim" --compact --threads 1
assert_eq "$(sha "$T/k1.wim")" "$(sha "$T/k2.wim")" "sha256 of two compact commits"
verify_wim "$T/k1.wim"
assert_same_listing "$(tree_listing "$T/c2.wim" 1)" "$(tree_listing "$T/k1.wim" 1)" "tree of k1.wim"
(( $(stat -c %s "$T/k1.wim") < $(stat -c %s "$T/c2.wim") )) ||
  fail "the compact output is not smaller than the appended one"
log=$("$DISMAKE" commit "$T/m3" --output "$T/k3.wim" --after "$T/m3.s3" --compact --quiet)
[[ $log == *"; 0 bytes reclaimable"* ]] || fail "a compact output has garbage: $log"

step "SOURCE_DATE_EPOCH changes the bytes only through the times"
SOURCE_DATE_EPOCH=1700000000 build "$T/m1" one "$T/e1.wim"
SOURCE_DATE_EPOCH=1700000000 build "$T/m2" one "$T/e2.wim"
assert_eq "$(sha "$T/e1.wim")" "$(sha "$T/e2.wim")" "sha256 with SOURCE_DATE_EPOCH"
[[ $(sha "$T/e1.wim") != "$(sha "$T/a.wim")" ]] || fail "SOURCE_DATE_EPOCH did not change the times"
assert_same_listing "$(tree_listing "$T/a.wim" 1)" "$(tree_listing "$T/e1.wim" 1)" "tree with SOURCE_DATE_EPOCH"
wimlib-imagex info "$T/e1.wim" 1 | grep -q 'Last Modification Time: Tue Nov 14 22:13:20 2023 UTC' ||
  fail "the image's XML time is not SOURCE_DATE_EPOCH"
wimlib-imagex dir "$T/e1.wim" 1 --detailed --path=/version.txt --one-file-only |
  grep -q 'Last Write Time     = Tue Nov 14 22:13:20 2023 UTC' ||
  fail "an added file's time is not SOURCE_DATE_EPOCH"
expect_fail 0x80070057 'SOURCE_DATE_EPOCH' -- env SOURCE_DATE_EPOCH=yesterday "$DISMAKE" commit "$T/m1" --output "$T/bad.wim" --after "$T/m1.s3"
assert_absent "$T/bad.wim"

step "each compression, solid, integrity: verifies, extracts the same tree"
expected=$(tree_listing "$T/a.wim" 1)
for compress in none xpress lzx lzms; do
  dismake_ok commit "$T/m1" --output "$T/$compress.wim" --compress "$compress" --after "$T/m1.s3" --quiet
  verify_wim "$T/$compress.wim"
  wimlib-imagex info "$T/$compress.wim" | grep -qi "^Compression: *$compress" ||
    fail "$compress.wim is not $compress-compressed"
  assert_same_listing "$expected" "$(tree_listing "$T/$compress.wim" 1)" "tree of $compress.wim"
  assert_eq 'v1' "$(wim_cat "$T/$compress.wim" 1 /version.txt)" "version.txt in $compress.wim"
done
dismake_ok commit "$T/m1" --output "$T/solid.esd" --solid --after "$T/m1.s3" --quiet
verify_wim "$T/solid.esd"
wimlib-imagex info "$T/solid.esd" | grep -q '^Compression: *LZMS' || fail "the solid archive is not LZMS"
assert_same_listing "$expected" "$(tree_listing "$T/solid.esd" 1)" "tree of solid.esd"
dismake_ok commit "$T/m1" --output "$T/check.wim" --check --after "$T/m1.s3" --quiet
wimlib-imagex info "$T/check.wim" | grep -q '^Attributes:.*Integrity info' || fail "no integrity table"
wimlib-imagex verify "$T/check.wim" >/dev/null 2>&1 || fail "check.wim does not verify"
dismake_ok commit "$T/m1" --output "$T/boot.wim" --boot-index 1 --after "$T/m1.s3" --quiet
wimlib-imagex info "$T/boot.wim" | grep -q '^Boot Index: *1' || fail "boot index not set"

step "assemble two built images into one multi-image WIM, reproducibly"
dismake_ok add "$T/m2" "$T/overlay2" / --after "$T/m2.s3" --stamp "$T/m2.s4"
dismake_ok set-image-info "$T/m2" --name "Second edition" --after "$T/m2.s4" --stamp "$T/m2.s5"
dismake_ok commit "$T/m2" --output "$T/second.wim" --after "$T/m2.s5" --quiet
dismake_ok assemble --output "$T/install.wim" "$T/a.wim" "$T/second.wim:1" --boot-index 2 --quiet
dismake_ok assemble --output "$T/install2.wim" "$T/a.wim" "$T/second.wim:1" --boot-index 2 --threads 1 --quiet
assert_eq "$(sha "$T/install.wim")" "$(sha "$T/install2.wim")" "sha256 of two assemblies"
verify_wim "$T/install.wim"
assert_eq 2 "$(wim_image_count "$T/install.wim")" "images in install.wim"
assert_same_listing "$expected" "$(tree_listing "$T/install.wim" 1)" "image 1 of install.wim"
assert_eq 'other' "$(wim_cat "$T/install.wim" 2 /other.txt)" "other.txt in image 2"
wimlib-imagex info "$T/install.wim" 2 | grep -q '^Name: *Second edition' || fail "image 2 lost its name"
expect_fail 0x800700B7 'already in use' -- "$DISMAKE" assemble --output "$T/dup.wim" "$T/a.wim" "$T/a.wim" --quiet
assert_absent "$T/dup.wim"

step "split into .swm parts that wimlib reads back whole"
random_file "$T/big.bin" $((3 * 1024 * 1024)) split
mkdir -p "$T/bigtree" && mv "$T/big.bin" "$T/bigtree/" && echo small >"$T/bigtree/small.txt"
wimlib-imagex capture "$T/bigtree" "$T/big.wim" big --compress=none >/dev/null
dismake_ok split "$T/big.wim" "$T/parts/install.swm" --size 1
(( $(ls "$T/parts" | wc -l) >= 3 )) || fail "expected at least 3 parts, got: $(ls "$T/parts")"
mkdir -p "$T/extracted"
wimlib-imagex apply "$T/parts/install.swm" 1 "$T/extracted" --ref="$T/parts/install*.swm" >/dev/null
cmp "$T/bigtree/big.bin" "$T/extracted/big.bin" || fail "the split image does not extract to its content"
step "a later split into fewer parts leaves no stale part behind"
dismake_ok split "$T/big.wim" "$T/parts/install.swm" --size 100
assert_eq "install.swm" "$(ls "$T/parts")" "parts after the second split"
assert_no_temp_files "$T"

end_test
