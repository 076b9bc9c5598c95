#!/usr/bin/env bash
# A sparse file stays sparse: a 1 GiB file with a few bytes of data, added
# by a step, takes a few blocks in the working tree and in the mount's blob
# store, and again after `restore` puts it back from the blob store.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_sparse

# Disk use of a file or tree, in KiB.
disk_kib() {
  du -sk "$1" | cut -f1
}
assert_small() {
  local kib
  kib=$(disk_kib "$1")
  ((kib < 16384)) || fail "$2 takes $kib KiB on disk (sparse source: $(disk_kib "$T/sparse.bin") KiB)"
}

truncate -s 1G "$T/sparse.bin"
printf 'data in the middle' | dd of="$T/sparse.bin" bs=1 seek=5000000 conv=notrunc status=none
((($(disk_kib "$T/sparse.bin")) < 1024)) || skip_test "this filesystem does not keep sparse files"

M=$T/m
dismake_ok mount "$DISMAKE_FIXTURES/base.wim" "$M" --index 1 --lazy

step "add: the tree and the blob store keep the holes"
dismake_ok add "$M" "$T/sparse.bin" Windows/sparse.bin
cmp "$T/sparse.bin" "$M/Windows/sparse.bin" || fail "the added file differs from its source"
assert_small "$M/Windows/sparse.bin" "the added file in the tree"
assert_small "$M.dismake/blobs" "the blob store"

step "restore puts it back from the blob store, sparse"
rm "$M/Windows/sparse.bin"
dismake_ok restore "$M"
cmp "$T/sparse.bin" "$M/Windows/sparse.bin" || fail "the restored file differs from its source"
assert_small "$M/Windows/sparse.bin" "the restored file"

dismake_ok unmount "$M" --discard
end_test
