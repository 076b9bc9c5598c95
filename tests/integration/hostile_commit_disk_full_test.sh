#!/usr/bin/env bash
# A commit to a full filesystem: before the previous output is reset in
# place, the free space the append needs is checked, and a commit that does
# not fit is refused with ERROR_DISK_FULL naming the filesystem, the
# previous output left byte for byte as it was (and still reset by the next
# commit). A commit that copies the base runs out during wimlib's write:
# ERROR_DISK_FULL too, not E_FAIL, and the previous output is intact. Once
# there is room, the commit gives a clean commit's bytes.
#
# Needs a small filesystem: a tmpfs mounted by root; elsewhere it reports
# itself skipped (hostile_full_disk covers a full disk during a step).
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_commit_disk_full

DISK_FULL=0x80070070
SMALL=$T/small
mkdir -p "$SMALL"
mount -t tmpfs -o size=16m tmpfs "$SMALL" 2>/dev/null ||
  skip_test "cannot mount a small tmpfs here (needs root)"
trap 'umount "$SMALL" 2>/dev/null || true' EXIT

fixture_copy base.wim "$T/base.wim"
MNT=$T/mnt
OUT=$SMALL/out.wim
dismake_ok mount "$T/base.wim" "$MNT" --index 1
printf 'first\n' >"$T/first.txt"
dismake_ok add "$MNT" "$T/first.txt" Windows/first.txt
dismake_ok commit "$MNT" --output "$OUT"
cp "$OUT" "$T/previous.wim"

# Leaves about LEFT bytes free on the small filesystem.
fill_leaving() {
  local left=$1 avail
  rm -f "$SMALL/filler"
  avail=$(df --output=avail -B1 "$SMALL" | tail -n 1)
  ((avail > left)) || fail "only $avail bytes free on $SMALL"
  head -c $((avail - left)) /dev/zero >"$SMALL/filler"
}

random_file "$T/big.bin" 3000000 big
dismake_ok add "$MNT" "$T/big.bin" Windows/big.bin

step "an in-place reset that would not fit is refused before it starts"
fill_leaving $((256 * 1024))
expect_fail $DISK_FULL "no space left on $SMALL \(tmpfs\) for the commit to '$OUT'" -- \
  "$DISMAKE" commit "$MNT" --output "$OUT"
assert_same_file "$T/previous.wim" "$OUT"
assert_no_temp_files "$SMALL"

step "a copy of the base that runs out during the write says disk full"
fill_leaving $(($(stat -c %s "$T/base.wim") + 512 * 1024))
expect_fail $DISK_FULL "no space left on $SMALL \(tmpfs\)" -- \
  "$DISMAKE" commit "$MNT" --output "$SMALL/other.wim"
assert_absent "$SMALL/other.wim"
assert_same_file "$T/previous.wim" "$OUT"
assert_no_temp_files "$SMALL"

step "with room again, the commit resets the output and gives a clean commit's bytes"
rm -f "$SMALL/filler"
dismake_ok commit "$MNT" --output "$OUT"
verify_wim "$OUT"
rm -rf "$MNT.dismake/packs" "$MNT.dismake/base-versions"
dismake_ok commit "$MNT" --output "$T/clean.wim"
assert_same_file "$T/clean.wim" "$OUT"

dismake_ok unmount "$MNT" --discard
umount "$SMALL"
trap - EXIT
end_test
