#!/usr/bin/env bash
# Nothing stays stuck. A session belongs to the process `dismake
# open-session` ran for (a build tool, a script, the user's shell): once that
# process is gone, `cleanup` closes the session and says so, and `unmount
# --discard` goes ahead with a warning. A live session still blocks unmount.
# A mount killed half-way is removed by `cleanup` (its partial tree too), so
# mounting there again works. `cleanup --json` reports what it did.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_stuck

BASE=$DISMAKE_FIXTURES/base.wim

# Opens a session from a script that then ends, as a build or a CI job does.
cat >"$T/opener.sh" <<'SH'
"$DISMAKE" open-session "$1" --name "$2"
SH
open_from_script() {
  run_ok bash "$T/opener.sh" "$1" "$2"
}

session_field() {
  mounts_json "[s['$3'] for x in m if x['mount_dir'] == '$1' for s in x['sessions'] if s['name'] == '$2']"
}

step "a session opened by a script that has ended is stale"
A=$T/a
dismake_ok mount "$BASE" "$A" --index 1
open_from_script "$A" ended
assert_eq '[true]' "$(session_field "$A" ended stale)" "stale"

step "a session held by a live process (this test's shell) blocks unmount"
dismake_ok open-session "$A" --name live
assert_eq '[false]' "$(session_field "$A" live stale)" "stale"
assert_eq "[$$]" "$(session_field "$A" live pid)" "the session's process"
expect_fail 0xC004000A "open sessions: live" -- "$DISMAKE" unmount "$A" --discard

step "a session opened through a wrapper (env, nice) belongs to whoever ran the wrapper"
# The wrapper exits with dismake: were the session its, it would be stale at once.
run_ok env DISMAKE_WRAPPED=1 "$DISMAKE" open-session "$A" --name wrapped
run_ok nice -n 1 "$DISMAKE" open-session "$A" --name niced
for name in wrapped niced; do
  assert_eq '[false]' "$(session_field "$A" $name stale)" "stale ($name)"
  assert_eq "[$$]" "$(session_field "$A" $name pid)" "the session's process ($name)"
  dismake_ok close-session "$A" --name $name
done

step "cleanup closes the stale session, says so (text and --json), keeps the live one"
dismake_ok cleanup --json
assert_eq '[["closed-session", "'"$A"'"]]' \
  "$(json_eval "$LAST_STDOUT" '[[a["action"], a["mount_dir"]] for a in j]')" "cleanup actions"
grep -qF "has exited" <<<"$LAST_STDOUT" || fail "cleanup does not say why: $LAST_STDOUT"
assert_eq '["live"]' "$(mounts_json "[s['name'] for x in m for s in x['sessions']]")" "sessions left"
dismake_ok close-session "$A" --name live
open_from_script "$A" again
dismake_ok cleanup
grep -qE "closed a session on $A: session again \(cli\): process [0-9]+ has exited" <<<"$LAST_STDOUT" ||
  fail "cleanup (text) does not say it closed the session: $LAST_STDOUT"

step "unmount --discard of a mount whose sessions' processes are gone: a warning, then done"
open_from_script "$A" forgotten
dismake_ok unmount "$A" --discard
grep -qF "warning: session forgotten" <<<"$LAST_STDERR" || fail "no warning: $LAST_STDERR"
assert_absent "$A"
assert_no_mounts

step "a mount killed while extracting: cleanup removes it and its partial tree"
B=$T/b
killed_half_way=
for attempt in $(seq 1 40); do
  "$DISMAKE" mount "$BASE" "$B" --index 1 --quiet >/dev/null 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null && [[ -z $(find "$B" -mindepth 2 -print -quit 2>/dev/null) ]]; do
    sleep 0.002
  done
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    # A kill can land after the record was written, as the process exits.
    [[ -e $B.dismake/mount.json ]] || { killed_half_way=1; break; }
  else
    wait "$pid" || true
  fi
  dismake_ok unmount "$B" --discard # it finished: try again
done
[[ -n $killed_half_way ]] || fail "no mount was killed half-way in 40 attempts"
echo "   killed on attempt $attempt"
dismake_ok list-mounts --json
assert_eq Invalid "$(mounts_json 'm[0]["status"]')" "status of a half-made mount"
dismake_ok cleanup --json
assert_eq '["reaped"]' "$(json_eval "$LAST_STDOUT" '[a["action"] for a in j]')" "cleanup actions"
assert_absent "$B"
assert_absent "$B.dismake"
assert_no_mounts
dismake_ok mount "$BASE" "$B" --index 1
dismake_ok unmount "$B" --discard
end_test
