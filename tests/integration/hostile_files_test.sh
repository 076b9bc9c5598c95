#!/usr/bin/env bash
# Hostile files: FIFOs and device nodes in overlays and made by run steps are
# refused by name, never opened (no hang); a 255-byte file name does not
# wedge later steps or restore; under umask 000 the record directory and its
# blobs are private; a tampered blob is never restored or committed (a full disk:
# hostile_full_disk_test.sh). Every
# hang-prone command runs under `timeout`, so a regression fails, not hangs.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_files

NOT_SUPPORTED=0x80070032
FILE_CORRUPT=0x80070570
E_FAIL=0x80004005
BASE=$DISMAKE_FIXTURES/base.wim
BASE_SHA=$(sha256 "$BASE")
M=$T/m

assert_clean() {
  dismake_ok status "$M"
  grep -q 'Untracked changes : none' <<<"$LAST_STDOUT" || fail "untracked changes: $LAST_STDOUT"
}

umask 000 # the record directory must be private whatever the umask
dismake_ok mount "$BASE" "$M" --index 1
printf 'payload\n' >"$T/f.txt"

step "umask 000: the record directory is 0700, its files and blobs 0600"
dismake_ok add "$M" "$T/f.txt" Windows/f.txt
assert_eq 700 "$(stat -c %a "$M.dismake")" "mode of the record directory"
assert_eq 700 "$(stat -c %a "$M.dismake/blobs")" "mode of the blob store"
for f in "$M.dismake"/blobs/* "$M.dismake/state.json" "$M.dismake/tree.index" \
  "$M.dismake/mount.json" "$M.dismake/base.list"; do
  assert_eq 600 "$(stat -c %a "$f")" "mode of $f"
done
assert_eq 700 "$(stat -c %a "$DISMAKE_HOME/mounts")" "mode of the mount registry"
umask 022

step "a FIFO, a socket or a device in an overlay is refused by name, never opened"
mkdir -p "$T/fifo-overlay/sub" "$T/sock-overlay" "$T/dev-overlay"
printf 'a\n' >"$T/fifo-overlay/a.txt"
mkfifo "$T/fifo-overlay/sub/pipe"
mkfifo "$T/lone-pipe"
"$PYTHON" -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/sock-overlay/s"
expect_fail $NOT_SUPPORTED "'$T/fifo-overlay/sub/pipe' is a FIFO" -- \
  timeout 60 "$DISMAKE" add "$M" "$T/fifo-overlay" Windows/x
expect_fail $NOT_SUPPORTED "'$T/lone-pipe' is a FIFO" -- \
  timeout 60 "$DISMAKE" add "$M" "$T/lone-pipe" Windows/pipe
expect_fail $NOT_SUPPORTED "'$T/sock-overlay/s' is a socket" -- \
  timeout 60 "$DISMAKE" add "$M" "$T/sock-overlay" Windows/x
if mknod "$T/dev-overlay/null" c 1 3 2>/dev/null; then
  expect_fail $NOT_SUPPORTED "'$T/dev-overlay/null' is a character device" -- \
    timeout 60 "$DISMAKE" add "$M" "$T/dev-overlay" Windows/x
fi
assert_absent "$M/Windows/x"
assert_clean

step "a run step that makes a FIFO fails by name, and its other changes are rolled back"
HOSTS_SHA=$(sha256 "$M/Windows/System32/drivers/etc/hosts")
expect_fail $NOT_SUPPORTED "Windows/pipe' is a FIFO" -- \
  timeout 60 "$DISMAKE" run "$M" -- sh -c \
  'echo changed > Windows/System32/drivers/etc/hosts; mkfifo Windows/pipe'
assert_absent "$M/Windows/pipe"
assert_sha256 "$M/Windows/System32/drivers/etc/hosts" "$HOSTS_SHA"
assert_clean

step "a 255-byte name: a failed step, restore and later steps still work"
LONG=$(printf 'n%.0s' $(seq 255))
printf 'long\n' >"$T/$LONG"
dismake_ok add "$M" "$T/$LONG" "Windows/$LONG"
expect_fail $E_FAIL "exited with status 3" -- \
  "$DISMAKE" run "$M" -- sh -c "echo changed > 'Windows/$LONG'; exit 3"
assert_eq long "$(cat "$M/Windows/$LONG")" "the long-named file after the failed step"
printf 'edited by hand\n' >"$M/Windows/$LONG"
dismake_ok restore "$M"
assert_eq long "$(cat "$M/Windows/$LONG")" "the long-named file after restore"
dismake_ok delete "$M" "Windows/$LONG"
assert_clean
assert_no_temp_files "$M/Windows"

step "a tampered blob is refused on restore and on commit, naming it"
printf 'blob v1\n' >"$T/v1.txt"
dismake_ok add "$M" "$T/v1.txt" Windows/v1.txt
BLOB=$M.dismake/blobs/$(sha256 "$T/v1.txt")
assert_exists "$BLOB"
printf 'evil\n' >"$BLOB"
expect_fail $FILE_CORRUPT "stored blob '$BLOB' does not match its hash" -- \
  "$DISMAKE" commit "$M" --output "$T/out.wim"
assert_absent "$T/out.wim"
printf 'edited\n' >"$M/Windows/v1.txt"
expect_fail $FILE_CORRUPT "stored blob '$BLOB' does not match its hash" -- \
  "$DISMAKE" restore "$M"
assert_eq edited "$(cat "$M/Windows/v1.txt")" "the working file after a refused restore"
# Put back by hand; the same content stored again by a step heals the blob.
cp "$T/v1.txt" "$M/Windows/v1.txt"
assert_clean
dismake_ok add "$M" "$T/v1.txt" Windows/v1-again.txt
dismake_ok commit "$M" --output "$T/out.wim"
assert_eq "blob v1" "$(wim_cat "$T/out.wim" 1 Windows/v1.txt)" "committed Windows/v1.txt"
verify_wim "$T/out.wim"

step "what a killed commit left beside an output goes with the next command on the mount"
cp "$T/out.wim" "$T/out.wim.tmp-999999-0"  # pid 999999: a commit that was killed
cp "$T/out.wim" "$T/out.wim.tmp-$$-0"      # a live process's: kept
dismake_ok status "$M"
assert_absent "$T/out.wim.tmp-999999-0"
assert_exists "$T/out.wim.tmp-$$-0"
rm "$T/out.wim.tmp-$$-0"

step "a run step's chmod 000 does not wedge the mount"
dismake_ok run "$M" -- sh -c 'mkdir Windows/locked && echo x > Windows/locked/x && chmod 000 Windows/locked Windows/System32'
assert_clean
dismake_ok add "$M" "$T/f.txt" Windows/System32/after-chmod.txt
dismake_ok commit "$M" --output "$T/out2.wim"
assert_eq x "$(wim_cat "$T/out2.wim" 1 Windows/locked/x)" "a file below the chmod-000 directory"

dismake_ok unmount "$M" --discard
assert_sha256 "$BASE" "$BASE_SHA"

end_test
