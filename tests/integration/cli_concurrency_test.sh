#!/usr/bin/env bash
# Commands that change the same mount are serialised by the mount's lock:
# two commits at once both succeed one after the other, or, with
# DISMAKE_LOCK_TIMEOUT=0, the loser fails cleanly with DISMAPI_E_BUSY. Either
# way every output written is a valid, complete WIM. Two mounts racing for
# the same directory end with exactly one mount.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_concurrency

BASE=$DISMAKE_FIXTURES/base.wim
BASE_SHA=$(sha256 "$BASE")
MNT=$T/mnt
BUSY=0x800F0902

# Runs `dismake ARGS...` in the background, its output in $T/NAME.log; the
# caller takes the pid from $!.
start() {
  local name=$1
  shift
  "$DISMAKE" "$@" >"$T/$name.log" 2>&1 &
}

# Waits for PID (in this shell: a $(...) subshell cannot wait for it) and
# sets OUTCOME to "ok" or "busy"; any other failure fails the test.
outcome_of() {
  local pid=$1 name=$2 rc=0 why
  wait "$pid" || rc=$?
  if ((rc == 0)); then
    OUTCOME=ok
    return
  fi
  why=$(error_problem "$(cat "$T/$name.log")" $BUSY 'lock|busy|another')
  [[ -z $why ]] || { cat "$T/$name.log" >&2; fail "$name failed (exit $rc), and not with DISMAPI_E_BUSY: $why"; }
  OUTCOME=busy
}

# The listing every commit of this mount must produce.
EXPECTED=$( (tree_listing "$BASE" 1; printf '%s\n' /Payload /Payload/a.bin /Payload/b.bin \
  /Payload/c.bin /Windows/concurrent.txt) | sort)

check_output() {
  local wim=$1
  verify_wim "$wim"
  assert_same_listing "$EXPECTED" "$(tree_listing "$wim" 1)" "image 1 of ${wim##*/}"
  assert_eq "written while racing" "$(wim_cat "$wim" 1 /Windows/concurrent.txt)" "concurrent.txt in ${wim##*/}"
}

step "mount, with enough new data that a commit takes a moment"
dismake_ok mount "$BASE" "$MNT" --index 1
mkdir "$MNT/Payload"
for f in a b c; do random_file "$MNT/Payload/$f.bin" $((8 * 1024 * 1024)) "$f"; done
echo "written while racing" >"$MNT/Windows/concurrent.txt"

step "two commits at once, waiting for the lock: both succeed"
for round in 1 2; do
  DISMAKE_LOCK_TIMEOUT=60 start a$round commit "$MNT" --output "$T/a$round.wim"
  pid_a=$!
  DISMAKE_LOCK_TIMEOUT=60 start b$round commit "$MNT" --output "$T/b$round.wim"
  pid_b=$!
  outcome_of $pid_a a$round
  assert_eq ok "$OUTCOME" "first commit, round $round"
  outcome_of $pid_b b$round
  assert_eq ok "$OUTCOME" "second commit, round $round"
  check_output "$T/a$round.wim"
  check_output "$T/b$round.wim"
done
assert_no_temp_files "$T"

step "two commits at once, DISMAKE_LOCK_TIMEOUT=0: each succeeds or is BUSY"
for round in 1 2 3; do
  DISMAKE_LOCK_TIMEOUT=0 start c$round commit "$MNT" --output "$T/c$round.wim"
  pid_c=$!
  DISMAKE_LOCK_TIMEOUT=0 start d$round commit "$MNT" --output "$T/d$round.wim"
  pid_d=$!
  outcome_of $pid_c c$round
  c=$OUTCOME
  outcome_of $pid_d d$round
  d=$OUTCOME
  echo "   round $round: $c / $d"
  [[ $c == ok || $d == ok ]] || fail "both commits were refused as busy"
  if [[ $c == ok ]]; then check_output "$T/c$round.wim"; else assert_absent "$T/c$round.wim"; fi
  if [[ $d == ok ]]; then check_output "$T/d$round.wim"; else assert_absent "$T/d$round.wim"; fi
done
assert_no_temp_files "$T"

# The lock is flock(2) on <mount>.dismake/lock (see store/mount_record.h).
# Holding it from the outside makes "another process has the mount" certain
# instead of a matter of timing.
LOCK=$MNT.dismake/lock
assert_exists "$LOCK"

# Holds the mount's lock for SECONDS from another process; release_lock ends
# it early. The holder runs in its own process group so that the `sleep`
# (which inherits the locked descriptor) dies with it.
hold_lock() {
  setsid flock "$LOCK" sleep "$1" &
  HOLDER=$!
  # Wait until the lock is really taken.
  local _
  for _ in $(seq 50); do
    flock -n "$LOCK" true || return 0
    sleep 0.05
  done
  fail "could not take the lock $LOCK"
}

release_lock() {
  kill -- "-$HOLDER" 2>/dev/null || true
  wait "$HOLDER" 2>/dev/null || true
}

step "lock held elsewhere: DISMAKE_LOCK_TIMEOUT=0 fails at once with BUSY"
hold_lock 30
DISMAKE_LOCK_TIMEOUT=0 expect_refused $BUSY 'lock|busy|another' -- \
  "$DISMAKE" commit "$MNT" --output "$T/busy.wim"
DISMAKE_LOCK_TIMEOUT=0 expect_refused $BUSY 'lock|busy|another' -- "$DISMAKE" unmount "$MNT" --discard
assert_exists "$MNT/Windows/concurrent.txt"

step "lock held elsewhere: DISMAKE_LOCK_TIMEOUT=1 waits about a second, then BUSY"
t0=$(date +%s%N)
DISMAKE_LOCK_TIMEOUT=1 expect_fail $BUSY 'lock|busy|another' -- \
  "$DISMAKE" commit "$MNT" --output "$T/busy.wim"
waited_ms=$((($(date +%s%N) - t0) / 1000000))
echo "   waited ${waited_ms} ms"
((waited_ms >= 900 && waited_ms < 10000)) || fail "waited ${waited_ms} ms for a 1 s lock timeout"
assert_absent "$T/busy.wim"
release_lock

step "lock released while waiting: the commit goes through"
hold_lock 1
DISMAKE_LOCK_TIMEOUT=20 dismake_ok commit "$MNT" --output "$T/after-wait.wim"
release_lock
check_output "$T/after-wait.wim"

dismake_ok unmount "$MNT" --discard
assert_no_mounts

step "two mounts racing for one directory: exactly one wins"
for round in 1 2 3; do
  race=$T/race$round
  pids=()
  start m1 mount "$BASE" "$race" --index 1
  pids[1]=$!
  start m2 mount "$BASE" "$race" --index 2
  pids[2]=$!
  wins=0
  for n in 1 2; do
    if wait "${pids[n]}"; then
      wins=$((wins + 1))
      winner=$n
    else
      why=$(error_problem "$(cat "$T/m$n.log")" "0x800700B7|0x80070091|$BUSY" '.')
      [[ -z $why ]] || { cat "$T/m$n.log" >&2; fail "losing mount failed oddly: $why"; }
    fi
  done
  assert_eq 1 "$wins" "winning mounts in round $round"
  assert_eq 1 "$(mounts_json 'len(m)')" "registered mounts in round $round"
  assert_eq "$winner" "$(mounts_json 'm[0]["index"]')" "index of the registered mount"
  assert_same_listing "$(tree_listing "$BASE" "$winner")" \
    "$(cd "$race" && { find . -mindepth 1 -printf '/%P\n'; echo /; } | sort)" "tree of the winning mount"
  dismake_ok unmount "$race" --discard
  assert_absent "$race"
  assert_absent "$race.dismake"
done

assert_no_mounts
assert_sha256 "$BASE" "$BASE_SHA"
end_test
