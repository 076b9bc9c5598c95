#!/usr/bin/env bash
# Two `ensure`s of one new mount directory at once take turns: one mounts,
# the other waits and then reuses that mount; both succeed and the mount is
# whole (nothing untracked, every file of the image there). Repeated, since
# a race shows only sometimes.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_ensure_race

BASE=$DISMAKE_FIXTURES/base.wim
M=$T/m
expected=$(wimlib-imagex dir "$BASE" 1 | sed 's|^/||' | grep -v '^$' | sort)

for round in $(seq 1 10); do
  step "round $round: two ensures of a new mount directory at once"
  pids=()
  for n in 1 2; do
    "$DISMAKE" ensure --wim "$BASE" --index 1 --mount-dir "$M" --full --quiet \
      >"$T/out$n" 2>"$T/err$n" &
    pids+=($!)
  done
  for n in 1 2; do
    wait "${pids[n - 1]}" || fail "round $round: ensure $n failed: $(cat "$T/err$n")"
  done
  actions=$(cat "$T/out1" "$T/out2" | sed -n 's/^dismake: ensure .*: //p' | sort | tr '\n' ' ')
  assert_eq "mounted reused " "$actions" "round $round: what the two ensures did"
  dismake_ok status "$M" --json
  assert_eq 0 "$(json_eval "$LAST_STDOUT" 'sum(len(v) for v in j["untracked"].values())')" "untracked"
  assert_eq "$expected" "$(cd "$M" && find . -mindepth 1 -printf '%P\n' | sort)" "round $round: the tree"
  dismake_ok unmount "$M" --discard
  assert_absent "$M.dismake"
done
assert_no_mounts
end_test
