#!/usr/bin/env bash
# A full disk during a step: the error is ERROR_DISK_FULL naming the
# filesystem, and the mount stays usable (nothing untracked is left). Needs
# a small tmpfs, so root; elsewhere it reports itself skipped.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_full_disk

BASE=$DISMAKE_FIXTURES/base.wim
printf 'payload\n' >"$T/f.txt"

step "a full disk is named, with its filesystem, and the mount stays usable"
mkdir -p "$T/small"
mount -t tmpfs -o size=1m tmpfs "$T/small" 2>/dev/null || skip_test "cannot mount a small tmpfs here (needs root)"
trap 'umount "$T/small" 2>/dev/null || true' EXIT
dismake_ok mount "$BASE" "$T/small/m" --index 1 --lazy
random_file "$T/big.bin" $((3 * 1024 * 1024)) full
expect_fail 0x80070070 "cannot copy to '$T/small/m/Windows/big.bin': no space left on $T/small \(tmpfs\)" -- \
  "$DISMAKE" add "$T/small/m" "$T/big.bin" Windows/big.bin
dismake_ok status "$T/small/m"
grep -q 'Untracked changes : none' <<<"$LAST_STDOUT" || fail "untracked changes: $LAST_STDOUT"
dismake_ok add "$T/small/m" "$T/f.txt" Windows/f.txt
dismake_ok unmount "$T/small/m" --discard
umount "$T/small"
trap - EXIT
end_test
