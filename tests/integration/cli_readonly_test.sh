#!/usr/bin/env bash
# A --readonly mount is read-only: its tree has no write bits, so a write
# fails at once (not at commit); status still works and finds nothing
# untracked; servicing verbs and commit are refused; unmount, cleanup and
# remount still work on it (write bits are given back before deleting).
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_readonly

# Runs a command as a user that mode bits bind: root keeps its uid but
# loses the capabilities that override them.
as_bound_user() {
  if (($(id -u) == 0)); then
    setpriv --bounding-set=-dac_override,-dac_read_search,-fowner "$@"
  else
    "$@"
  fi
}

# Paths in the tree with a write bit (symlinks aside).
writable_paths() {
  find "$1" ! -type l -perm /222 -printf '%P\n' | head -n 5
}

R=$T/ro
dismake_ok mount "$DISMAKE_FIXTURES/base.wim" "$R" --index 1 --readonly

step "no write bits anywhere in the tree; writes fail at once"
assert_eq "" "$(writable_paths "$R")" "writable paths in a read-only mount"
as_bound_user sh -c "echo x > '$R/Windows/new.txt'" 2>/dev/null &&
  fail "a new file could be written into a read-only mount"
as_bound_user sh -c "echo x > '$R/Windows/win.ini'" 2>/dev/null &&
  fail "a file of a read-only mount could be overwritten"
as_bound_user rm -f "$R/Windows/win.ini" 2>/dev/null &&
  fail "a file of a read-only mount could be deleted"
assert_exists "$R/Windows/win.ini"
assert_absent "$R/Windows/new.txt"

step "status works and finds nothing untracked; verbs and commit are refused"
dismake_ok status "$R" --json
assert_eq 0 "$(json_eval "$LAST_STDOUT" 'sum(len(v) for v in j["untracked"].values())')" "untracked"
expect_fail 0x80070013 "read-only" -- "$DISMAKE" delete "$R" /Windows/win.ini
expect_fail 0x80070013 "read-only" -- "$DISMAKE" commit "$R" --output "$T/out.wim"

step "remount of a vanished read-only tree makes it read-only again"
wipe_dir "$R"
dismake_ok remount "$R"
assert_exists "$R/Windows/win.ini"
assert_eq "" "$(writable_paths "$R")" "writable paths after remount"

step "unmount --discard removes it"
dismake_ok unmount "$R" --discard
assert_absent "$R"

step "a read-only mount into a directory the user made: the directory is writable again after"
mkdir "$T/mine"
dismake_ok mount "$DISMAKE_FIXTURES/base.wim" "$T/mine" --index 1 --readonly
dismake_ok unmount "$T/mine" --discard
assert_exists "$T/mine"
as_bound_user touch "$T/mine/after.txt" || fail "the user's directory stayed read-only"

step "cleanup --force deletes the tree of a broken read-only mount"
dismake_ok mount "$DISMAKE_FIXTURES/base.wim" "$R" --index 1 --readonly
rm "$R.dismake/mount.json"
dismake_ok cleanup --force
assert_absent "$R"
assert_no_mounts
end_test
