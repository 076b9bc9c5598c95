#!/usr/bin/env bash
# The per-user mount registry, like DISM's /Get-MountedImageInfo,
# /Remount-Image and /Cleanup-Mountpoints: list-mounts reports each mount and
# its status, remount brings back a vanished working tree, cleanup reaps mounts
# whose state is gone or corrupt (and deletes their leftover directory only
# with --force), and healthy mounts are never touched by any of it.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_mounts

BASE=$DISMAKE_FIXTURES/base.wim
BASE_SHA=$(sha256 "$BASE")

# Every path under a working tree, as wimlib-imagex dir prints an image.
dir_listing() {
  (cd "$1" && find . -mindepth 1 -printf '/%P\n'; echo /) | sort
}

# The status list-mounts reports for one mount dir ("" when not listed).
status_of() {
  mounts_json "next((x['status'] for x in m if x['mount_dir'] == '$1'), '')"
}

# A healthy mount that must come through every other step untouched.
HEALTHY=$T/healthy
dismake_ok mount "$BASE" "$HEALTHY" --index 1
echo "healthy edit" >"$HEALTHY/Windows/healthy.txt"

step "list-mounts shows a fresh mount"
MNT=$T/mnt
dismake_ok mount "$BASE" "$MNT" --index 2
assert_eq 2 "$(mounts_json 'len(m)')" "registered mounts"
# Sorted by mount directory.
assert_eq "[\"$HEALTHY\", \"$MNT\"]" "$(mounts_json '[x["mount_dir"] for x in m]')" "mount dirs"
assert_eq "$BASE" "$(mounts_json 'm[1]["image_file"]')" "image_file"
assert_eq 2 "$(mounts_json 'm[1]["index"]')" "index"
assert_eq false "$(mounts_json 'm[1]["read_only"]')" "read_only"
assert_eq Ok "$(mounts_json 'm[1]["status"]')" "status"
assert_eq list "$(mounts_json 'type(m[1]["sessions"]).__name__')" "sessions is a list"
assert_eq 0 "$(mounts_json 'len(m[1]["sessions"])')" "open sessions"

step "list-mounts (text) has a block per mount"
dismake_ok list-mounts
for want in "$HEALTHY" "$MNT" "$BASE" Ok; do
  grep -qF -- "$want" <<<"$LAST_STDOUT" || fail "list-mounts text lacks '$want'"
done

# --- a working tree that vanished -------------------------------------------

step "rm -rf the mount dir: NeedsRemount"
rm -rf "$MNT"
assert_eq NeedsRemount "$(status_of "$MNT")" "status after rm -rf"
dismake_ok list-mounts
grep -qF NeedsRemount <<<"$LAST_STDOUT" || fail "list-mounts text does not say NeedsRemount"

step "remount brings the base content back"
dismake_ok remount "$MNT"
assert_eq Ok "$(status_of "$MNT")" "status after remount"
assert_same_listing "$(tree_listing "$BASE" 2)" "$(dir_listing "$MNT")" "remounted tree"
assert_same_file "$DISMAKE_FIXTURES/tree/Windows/Fonts/big.ttf" "$MNT/Windows/Fonts/big.ttf"
assert_eq "enterprise edition"$'\r' "$(cat "$MNT/Windows/edition2.txt")" "edition2.txt"

step "remount of an intact mount keeps its edits"
echo "edit after remount" >"$MNT/Windows/after-remount.txt"
# As DismRemountImage on a healthy mount: success, and nothing is re-extracted.
dismake_ok remount "$MNT"
assert_eq "$MNT is mounted and needs no remount" "$LAST_STDOUT" "remount of an intact mount"
assert_eq "edit after remount" "$(cat "$MNT/Windows/after-remount.txt")" "edit in an intact mount"
assert_eq Ok "$(status_of "$MNT")" "status"

step "the remounted mount commits"
dismake_ok commit "$MNT" --output "$T/remounted.wim"
verify_wim "$T/remounted.wim"
assert_same_listing "$( (tree_listing "$BASE" 2; echo /Windows/after-remount.txt) | sort)" \
  "$(tree_listing "$T/remounted.wim" 2)" "remounted.wim image 2"
dismake_ok unmount "$MNT" --discard

step "remount of a path that is not a mount"
expect_fail 0x80070490 'nothing-here' -- "$DISMAKE" remount "$T/nothing-here"

# --- corrupt or missing state: cleanup ------------------------------------------

step "corrupt mount.json: Invalid, cleanup keeps the dir without --force"
BROKEN=$T/broken
# Index 2: index 1 is mounted read-write (HEALTHY), and only once is allowed.
dismake_ok mount "$BASE" "$BROKEN" --index 2
echo "work in progress" >"$BROKEN/Windows/wip.txt"
echo garbage >"$BROKEN.dismake/mount.json"
assert_eq Invalid "$(status_of "$BROKEN")" "status with corrupt state"
dismake_ok cleanup
CLEANUP_OUT="$LAST_STDOUT$LAST_STDERR"
grep -qF -- "$BROKEN" <<<"$CLEANUP_OUT" || fail "cleanup does not say what it did with $BROKEN: $CLEANUP_OUT"
# Still listed, so that a later `cleanup --force` can delete what it left.
assert_eq Invalid "$(status_of "$BROKEN")" "the reaped mount whose directory was left"
# Without --force the leftover tree (it may hold work) is kept.
assert_eq "work in progress" "$(cat "$BROKEN/Windows/wip.txt")" "leftover file after cleanup"
# Cleanup says what it left alone, so the user knows the dir is still there.
assert_eq Ok "$(status_of "$HEALTHY")" "healthy mount after cleanup"

step "record dir deleted: Invalid, cleanup --force removes the leftover dir"
GONE=$T/gone
dismake_ok mount "$BASE" "$GONE" --index 2
rm -rf "$GONE.dismake"
assert_eq Invalid "$(status_of "$GONE")" "status without a record dir"
BROKEN2=$T/broken2
dismake_ok mount "$BASE" "$BROKEN2" --index 2
echo '{"truncated": ' >"$BROKEN2.dismake/mount.json"
assert_eq Invalid "$(status_of "$BROKEN2")" "status with truncated state"
dismake_ok cleanup --force
CLEANUP_OUT="$LAST_STDOUT$LAST_STDERR"
for p in "$GONE" "$BROKEN2" "$BROKEN"; do
  grep -qF -- "$p" <<<"$CLEANUP_OUT" || fail "cleanup --force does not mention $p: $CLEANUP_OUT"
  assert_eq "" "$(status_of "$p")" "registration of $p"
  assert_absent "$p"
  assert_absent "$p.dismake"
done

step "cleanup leaves healthy mounts alone"
assert_eq 1 "$(mounts_json 'len(m)')" "registered mounts after cleanup"
assert_eq Ok "$(status_of "$HEALTHY")" "healthy mount"
dismake_ok commit "$HEALTHY" --output "$T/healthy.wim"
assert_eq "healthy edit" "$(wim_cat "$T/healthy.wim" 1 /Windows/healthy.txt)" "healthy edit committed"
dismake_ok cleanup
assert_eq Ok "$(status_of "$HEALTHY")" "healthy mount after a no-op cleanup"

# --- read-only mounts -----------------------------------------------------------

step "read-only mount: listed as such, commit refused, discard works"
RO=$T/ro
dismake_ok mount "$BASE" "$RO" --index 1 --readonly
assert_eq true "$(mounts_json "[x['read_only'] for x in m if x['mount_dir'] == '$RO'][0]")" "read_only"
echo "change" >"$RO/Windows/ro.txt" 2>/dev/null || true
expect_fail 0x80070013 'read-only|read only|readonly' -- "$DISMAKE" commit "$RO" --output "$T/ro.wim"
assert_absent "$T/ro.wim"
dismake_ok unmount "$RO" --discard
assert_absent "$RO"
assert_absent "$RO.dismake"

dismake_ok unmount "$HEALTHY" --discard
assert_no_mounts
assert_sha256 "$BASE" "$BASE_SHA"
end_test
