#!/usr/bin/env bash
# `status` reads a mount whose record directory is on a read-only filesystem
# (a read-only bind mount of it): it prints, untracked changes included,
# and the mount works as before once the filesystem is writable again. The
# bind mount needs root; elsewhere the test reports itself skipped.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_readonly_fs

M=$T/m
S=$M.dismake
dismake_ok mount "$DISMAKE_FIXTURES/base.wim" "$M" --index 1
echo hello >"$M/Windows/by-hand.txt"

step "a record directory on a read-only filesystem: status prints"
mount --bind "$S" "$S" 2>/dev/null || skip_test "cannot bind-mount here (needs root)"
trap 'umount "$S" 2>/dev/null || true' EXIT
mount -o remount,bind,ro "$S"
dismake_ok status "$M" --json
assert_eq '["Windows/by-hand.txt"]' "$(json_eval "$LAST_STDOUT" 'json.dumps(j["untracked"]["added"])')" "untracked added"
umount "$S"
trap - EXIT

step "writable again: status and unmount work as before"
dismake_ok status "$M"
dismake_ok unmount "$M" --discard
end_test
