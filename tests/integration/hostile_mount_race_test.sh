#!/usr/bin/env bash
# Two read-write mounts of one image started at the same instant: the check
# and the registration are one step (a lock in the mount registry), so
# exactly one succeeds and the other is refused with
# WIMGAPI_E_ALREADY_MOUNTED_READ_WRITE naming the first, every time. A
# commit whose source WIM changed under its mount says how to keep the work,
# not just to discard it.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_mount_race

ALREADY_RW=0xC1420127
fixture_copy base.wim "$T/w.wim"

step "two read-write mounts at once: one wins, ten times out of ten"
for round in $(seq 1 10); do
  "$DISMAKE" mount "$T/w.wim" "$T/a" --index 1 >"$T/a.log" 2>&1 &
  a=$!
  "$DISMAKE" mount "$T/w.wim" "$T/b" --index 1 >"$T/b.log" 2>&1 &
  b=$!
  ra=0 rb=0
  wait $a || ra=$?
  wait $b || rb=$?
  if ((ra == 0 && rb != 0)); then
    winner=$T/a loser=$T/b
  elif ((rb == 0 && ra != 0)); then
    winner=$T/b loser=$T/a
  else
    cat "$T/a.log" "$T/b.log" >&2
    fail "round $round: the two mounts exited $ra and $rb; exactly one must succeed"
  fi
  why=$(error_problem "$(cat "$loser.log")" $ALREADY_RW "already mounted read-write at '$winner'")
  [[ -z $why ]] || { cat "$loser.log" >&2; fail "round $round: $why"; }
  assert_absent "$loser"
  assert_absent "$loser.dismake"
  assert_eq 1 "$(mounts_json 'len(m)')" "mounts registered in round $round"
  dismake_ok unmount "$winner" --discard
done
assert_no_mounts

step "a source changed under a mount: the advice keeps the work"
dismake_ok mount "$T/w.wim" "$T/a" --index 1
printf 'x\n' >"$T/x.txt"
dismake_ok add "$T/a" "$T/x.txt" Windows/x.txt
printf 'other\n' >"$T/other.txt"
wimlib-imagex update "$T/w.wim" 1 --command="add $T/other.txt /other.txt" >/dev/null
expect_fail 0xC1510114 "changed since it was mounted; its changes .*copy them out.*--output" -- \
  "$DISMAKE" commit "$T/a"
dismake_ok unmount "$T/a" --discard
end_test
