#!/usr/bin/env bash
# The per-user list of mounts needs a home: without $HOME (nor DISMAKE_HOME or
# XDG_STATE_HOME), or where the default one cannot be written, dismake says
# to set DISMAKE_HOME and creates nothing; with DISMAKE_HOME set, it works.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_registry_home

BASE=$DISMAKE_FIXTURES/base.wim

step "no HOME: every command says to set DISMAKE_HOME"
expect_refused 0x800700CB 'HOME is not set.*set DISMAKE_HOME' -- \
  env -u HOME -u DISMAKE_HOME -u XDG_STATE_HOME "$DISMAKE" mount "$BASE" "$T/m" --index 1
expect_refused 0x800700CB 'set DISMAKE_HOME' -- \
  env -u HOME -u DISMAKE_HOME -u XDG_STATE_HOME "$DISMAKE" list-mounts
expect_refused 0x800700CB 'set DISMAKE_HOME' -- \
  env -u DISMAKE_HOME -u XDG_STATE_HOME HOME= "$DISMAKE" cleanup

step "a default home that cannot be written: set DISMAKE_HOME, nothing left behind"
: >"$T/not-a-dir"
expect_refused 0x80070005 "cannot write the list of mounts in '$T/not-a-dir/.local/state/dismake'.*set DISMAKE_HOME" -- \
  env -u DISMAKE_HOME -u XDG_STATE_HOME HOME="$T/not-a-dir" "$DISMAKE" mount "$BASE" "$T/m" --index 1

step "with DISMAKE_HOME set, the same commands work"
run_ok env -u HOME DISMAKE_HOME="$T/home" "$DISMAKE" mount "$BASE" "$T/m" --index 1 --quiet
run_ok env -u HOME DISMAKE_HOME="$T/home" "$DISMAKE" list-mounts --json
assert_eq "$T/m" "$(json_eval "$LAST_STDOUT" 'j[0]["mount_dir"]')" "listed mount"
run_ok env -u HOME DISMAKE_HOME="$T/home" "$DISMAKE" unmount "$T/m" --discard
end_test
