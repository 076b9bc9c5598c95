#!/usr/bin/env bash
# Every documented error of the CLI: the exact HRESULT and name, a message in
# the "dismake: error: <what>; <what to do> (0x... NAME)" form, and nothing
# written: no output file, no mount or record dir, no registration, the source
# WIM byte-identical, and an existing mount still intact and committable.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_bad_input

BASE=$DISMAKE_FIXTURES/base.wim
BASE_SHA=$(sha256 "$BASE")

# Codes, named once.
FILE_NOT_FOUND=0x80070002
BAD_FORMAT=0x8007000B
FILE_CORRUPT=0x80070570
INVALID_INDEX=0xC0040005
INVALID_NAME=0xC0040006
DIR_NOT_EMPTY=0x80070091
ALREADY_EXISTS=0x800700B7
INVALIDARG=0x80070057
NOT_FOUND=0x80070490
WRITE_PROTECT=0x80070013
NEEDS_REMOUNT=0xC1510114

# --- inputs that are not (valid) WIM files ----------------------------------

make_bad_inputs() {
  mkdir -p "$T/bad"
  printf 'this is not a WIM file\n' >"$T/bad/x.wim"
  : >"$T/bad/empty.wim"
  # A real WIM cut short: the header is valid, the blobs and XML are gone.
  head -c 1000000 "$BASE" >"$T/bad/truncated.wim"
  mkdir "$T/bad/dir.wim"
}

# Each bad WIM is refused by `info` and by `mount` with the same code, and
# the mount leaves no directory, record dir or registration behind.
check_bad_wim() {
  local wim=$1 codes=$2 regex=$3
  step "bad WIM: ${wim#"$T/"}"
  expect_refused "$codes" "$regex" -- "$DISMAKE" info "$wim"
  expect_refused "$codes" "$regex" -- "$DISMAKE" info "$wim" --json
  expect_refused "$codes" "$regex" -- "$DISMAKE" mount "$wim" "$T/bad-mnt" --index 1
  assert_absent "$T/bad-mnt"
  assert_absent "$T/bad-mnt.dismake"
}

make_bad_inputs
check_bad_wim "$T/bad/missing.wim" $FILE_NOT_FOUND 'missing\.wim'
check_bad_wim "$T/bad/x.wim" $BAD_FORMAT 'x\.wim'
check_bad_wim "$T/bad/empty.wim" $BAD_FORMAT 'empty\.wim'
check_bad_wim "$T/bad/truncated.wim" "$FILE_CORRUPT|$BAD_FORMAT" 'truncated\.wim'
check_bad_wim "$T/bad/dir.wim" $BAD_FORMAT 'dir\.wim'
assert_no_mounts

# --- image selection ----------------------------------------------------------

step "image index and name out of range"
expect_refused $INVALID_INDEX 'index' -- "$DISMAKE" info "$BASE" --index 3
expect_refused $INVALID_INDEX 'index' -- "$DISMAKE" mount "$BASE" "$T/m" --index 3
expect_refused $INVALID_NAME 'Windows 11 Home' -- "$DISMAKE" mount "$BASE" "$T/m" --name "Windows 11 Home"
# Names are matched exactly as DISM does: a prefix is not a name.
expect_refused $INVALID_NAME 'Windows 10' -- "$DISMAKE" mount "$BASE" "$T/m" --name "Windows 10"
assert_absent "$T/m"
assert_absent "$T/m.dismake"
assert_no_mounts

# --- mount targets ------------------------------------------------------------

step "mount into a non-empty directory"
mkdir -p "$T/full"
echo "user data" >"$T/full/keep.txt"
expect_refused $DIR_NOT_EMPTY 'full' -- "$DISMAKE" mount "$BASE" "$T/full" --index 1
assert_eq "user data" "$(cat "$T/full/keep.txt")" "file in the non-empty dir"
assert_absent "$T/full.dismake"

# A good mount that every later failure must leave alone.
COPY=$T/copy.wim
fixture_copy base.wim "$COPY"
COPY_SHA=$(sha256 "$COPY")
MNT=$T/mnt
dismake_ok mount "$COPY" "$MNT" --index 1
echo "pending change" >"$MNT/Windows/pending.txt"

step "mount onto an existing mount, and inside one"
expect_refused $ALREADY_EXISTS 'mnt' -- "$DISMAKE" mount "$BASE" "$MNT" --index 2
# A relative spelling of the same directory is the same mount.
# shellcheck disable=SC2016 # $1.. are expanded by the inner bash
expect_refused $ALREADY_EXISTS 'mnt' -- bash -c 'cd "$1" && "$2" mount "$3" ./mnt/../mnt --index 2' \
  _ "$T" "$DISMAKE" "$BASE"
expect_refused $INVALIDARG 'mnt' -- "$DISMAKE" mount "$BASE" "$MNT/Windows/nested" --index 1
expect_refused $INVALIDARG 'mnt' -- "$DISMAKE" mount "$BASE" "$MNT/ProgramData/Empty Dir" --index 1
assert_absent "$MNT/Windows/nested"

# --- commit/unmount of things that are not mounts ----------------------------

step "commit/unmount of a path that is not a mount"
mkdir -p "$T/plain-dir"
expect_refused $NOT_FOUND 'plain-dir' -- "$DISMAKE" commit "$T/plain-dir" --output "$T/never.wim"
expect_refused $NOT_FOUND 'plain-dir' -- "$DISMAKE" unmount "$T/plain-dir" --discard
expect_refused $NOT_FOUND 'nowhere' -- "$DISMAKE" commit "$T/nowhere"
expect_refused $NOT_FOUND 'nowhere' -- "$DISMAKE" unmount "$T/nowhere" --commit
# A directory inside a mount is not the mount.
expect_refused $NOT_FOUND 'Windows' -- "$DISMAKE" commit "$MNT/Windows" --output "$T/never.wim"
assert_absent "$T/never.wim"
assert_absent "$T/plain-dir.dismake"

step "the existing mount survived every refusal and still commits"
assert_sha256 "$COPY" "$COPY_SHA"
assert_eq Ok "$(mounts_json 'm[0]["status"]')" "status of the existing mount"
assert_eq 1 "$(mounts_json 'len(m)')" "registered mounts"
dismake_ok commit "$MNT" --output "$T/good.wim"
verify_wim "$T/good.wim"
assert_eq "pending change" "$(wim_cat "$T/good.wim" 1 /Windows/pending.txt)" "committed change"
assert_sha256 "$COPY" "$COPY_SHA"

step "a touched (not changed) source WIM is still the same base"
# The base's identity is its GUID + image metadata, never the mtime alone.
touch -d '+1 minute' "$COPY"
dismake_ok commit "$MNT" --output "$T/good2.wim"
verify_wim "$T/good2.wim"
assert_sha256 "$COPY" "$COPY_SHA"

# --- read-only mount ------------------------------------------------------------

step "commit of a read-only mount"
RO=$T/ro
dismake_ok mount "$BASE" "$RO" --index 2 --readonly
echo "must not be committed" >"$RO/Windows/ro-change.txt" 2>/dev/null || true
expect_refused $WRITE_PROTECT 'read-only|read only|readonly' -- "$DISMAKE" commit "$RO" --output "$T/ro-out.wim"
expect_refused $WRITE_PROTECT 'read-only|read only|readonly' -- "$DISMAKE" commit "$RO"
expect_refused $WRITE_PROTECT 'read-only|read only|readonly' -- "$DISMAKE" unmount "$RO" --commit
assert_absent "$T/ro-out.wim"
dismake_ok unmount "$RO" --discard
assert_absent "$RO"
assert_absent "$RO.dismake"
assert_sha256 "$BASE" "$BASE_SHA"

# --- source WIM changed under a mount --------------------------------------------

step "source WIM changed since mount"
# Another tool rewrites image 1 of the mounted WIM behind dismake's back.
wimlib-imagex update "$COPY" 1 --command="delete /Windows/win.ini" >/dev/null
CHANGED_SHA=$(sha256 "$COPY")
expect_refused $NEEDS_REMOUNT 'remount|changed' -- "$DISMAKE" commit "$MNT"
expect_refused $NEEDS_REMOUNT 'remount|changed' -- "$DISMAKE" commit "$MNT" --output "$T/stale.wim"
expect_refused $NEEDS_REMOUNT 'remount|changed' -- "$DISMAKE" unmount "$MNT" --commit
assert_absent "$T/stale.wim"
assert_sha256 "$COPY" "$CHANGED_SHA"
# Replaced by a different WIM altogether (new GUID, same path).
cp "$DISMAKE_FIXTURES/single.wim" "$COPY"
expect_refused $NEEDS_REMOUNT 'remount|changed' -- "$DISMAKE" commit "$MNT" --output "$T/stale.wim"
assert_absent "$T/stale.wim"
# Discarding needs no base, so it still works.
dismake_ok unmount "$MNT" --discard
assert_absent "$MNT"
assert_absent "$MNT.dismake"
assert_no_mounts

step "an explicit --index 0 is an index out of range, not a missing option"
expect_refused $INVALID_INDEX 'index' -- "$DISMAKE" mount "$BASE" "$T/m" --index 0
expect_refused $INVALID_INDEX 'index' -- "$DISMAKE" info "$BASE" --index 0

assert_sha256 "$BASE" "$BASE_SHA"
assert_no_temp_files "$T"
end_test
