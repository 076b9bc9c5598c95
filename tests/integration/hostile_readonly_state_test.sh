#!/usr/bin/env bash
# `status` reads a mount whose record directory cannot be written (no write
# permission; a read-only filesystem is hostile_readonly_fs_test.sh): it prints, with --json too, and
# finds untracked changes, without taking the exclusive lock or refreshing
# the tree index; the record directory is left as it was.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_readonly_state

# Runs a command as a user that mode bits bind: root keeps its uid but
# loses the capability that overrides them.
as_bound_user() {
  if (($(id -u) == 0)); then
    setpriv --inh-caps=-dac_override --bounding-set=-dac_override "$@"
  else
    "$@"
  fi
}

# The record directory's files and their modification times.
state_listing() {
  find "$1" -printf '%P %T@\n' | sort
}

M=$T/m
S=$M.dismake
dismake_ok mount "$DISMAKE_FIXTURES/base.wim" "$M" --index 1
echo hello >"$M/Windows/by-hand.txt"

step "a record directory without write permission: status and status --json print"
chmod -R a-w "$S"
before=$(state_listing "$S")
run_ok as_bound_user "$DISMAKE" status "$M"
grep -q '^Image Index : 1$' <<<"$LAST_STDOUT" || fail "status: $LAST_STDOUT"
grep -q '^  added Windows/by-hand.txt$' <<<"$LAST_STDOUT" || fail "untracked: $LAST_STDOUT"
run_ok as_bound_user "$DISMAKE" status "$M" --json
assert_eq '["Windows/by-hand.txt"]' "$(json_eval "$LAST_STDOUT" 'json.dumps(j["untracked"]["added"])')" "untracked added"
assert_eq 1 "$(json_eval "$LAST_STDOUT" 'j["index"]')" "index"
assert_eq "$before" "$(state_listing "$S")" "the record directory after status"

step "a servicing verb is still refused there, naming the lock file"
expect_fail 0x80070005 "cannot open lock file '$S/lock': Permission denied; its directory is read-only: reading commands \(.dismake status.\) still work; make it writable to change it" -- \
  as_bound_user "$DISMAKE" delete "$M" /Windows/win.ini
chmod -R u+w "$S"

step "writable again: status and unmount work as before"
dismake_ok status "$M"
dismake_ok unmount "$M" --discard
assert_absent "$S"
end_test
