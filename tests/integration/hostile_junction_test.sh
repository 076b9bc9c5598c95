#!/usr/bin/env bash
# A real NTFS junction ("Documents and Settings" -> C:\Users, as Windows has
# it), captured from an NTFS-3G volume, is a link like any other: adding
# through it is refused with ERROR_REPARSE_POINT_ENCOUNTERED naming it, the
# mount does not wedge, and the junction is committed unchanged, from a full
# and a lazy mount. Writing the reparse data needs NTFS-3G with FUSE;
# without it the test reports itself skipped.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_junction

REPARSE=0x8007112B
printf 'payload\n' >"$T/f.txt"

make_junction_wim() {
  command -v mkntfs >/dev/null && command -v ntfs-3g >/dev/null && [[ -c /dev/fuse ]] || return 1
  truncate -s 8M "$T/vol.img"
  mkntfs -F -q -f "$T/vol.img" >/dev/null 2>&1 || return 1
  mkdir -p "$T/vol"
  ntfs-3g "$T/vol.img" "$T/vol" 2>/dev/null || return 1
  mkdir -p "$T/vol/Users/Default"
  "$PYTHON" - "$T/vol/Documents and Settings" <<'EOF' || { umount "$T/vol"; return 1; }
import os, struct, sys
target, printed = "\\??\\C:\\Users".encode("utf-16-le"), "C:\\Users".encode("utf-16-le")
body = struct.pack("<HHHH", 0, len(target), len(target) + 2, len(printed))
body += target + b"\0\0" + printed + b"\0\0"
os.mkdir(sys.argv[1])
os.setxattr(sys.argv[1], "system.ntfs_reparse_data", struct.pack("<IHH", 0xA0000003, len(body), 0) + body)
EOF
  umount "$T/vol"
  wimlib-imagex capture "$T/vol.img" "$T/junction.wim" junction >/dev/null 2>&1
}

make_junction_wim || skip_test "no NTFS-3G with FUSE here to make a junction"

step "a junction is a link too: adding through it is refused, and the mount does not wedge"
JUNCTION_SHA=$(sha256 "$T/junction.wim")
for mode in full lazy; do
  m=$T/mj-$mode
  args=(mount "$T/junction.wim" "$m" --index 1)
  [[ $mode == full ]] || args+=(--lazy)
  dismake_ok "${args[@]}"
  expect_fail $REPARSE "goes through the link 'Documents and Settings'" -- \
    "$DISMAKE" add "$m" "$T/f.txt" "documents and settings/Default/f.txt"
  dismake_ok restore "$m"
  dismake_ok add "$m" "$T/f.txt" Users/Default/f.txt
  dismake_ok commit "$m" --output "$T/junction-$mode.wim"
  assert_same_listing "$(wim_detailed "$T/junction.wim" 1 "/Documents and Settings")" \
    "$(wim_detailed "$T/junction-$mode.wim" 1 "/Documents and Settings")" "the junction"
  dismake_ok unmount "$m" --discard
done
assert_sha256 "$T/junction.wim" "$JUNCTION_SHA"

end_test
