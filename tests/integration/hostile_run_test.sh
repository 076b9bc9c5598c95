#!/usr/bin/env bash
# Hostile run steps: the command runs confined by bubblewrap. The mount is
# the only writable place: writes beside it, into the mount's state
# directory or anywhere on the host fail (or land in a private /tmp); its
# DEPENDS stay readable; background processes die with it. Where bubblewrap
# cannot run, the step runs with a warning, or is refused under
# DISMAKE_RUN_SANDBOX=strict.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_run

E_FAIL=0x80004005
NOT_SUPPORTED=0x80070032
BASE=$DISMAKE_FIXTURES/base.wim
M=$T/m
mkdir -p "$T/outside"
HOST_TMP=/tmp/dismake-hostile-run-$$
rm -f "$HOST_TMP"

if ! bwrap --ro-bind / / --unshare-pid --dev /dev --proc /proc true 2>/dev/null; then
  echo "   skip: bubblewrap cannot run here"
  end_test
  exit 0
fi

dismake_ok mount "$BASE" "$M" --index 1 --lazy
STATE_SHA=$(sha256 "$M.dismake/state.json")

step "writes outside the mount fail, and nothing lands there"
expect_fail $E_FAIL "exited with status" -- \
  "$DISMAKE" run "$M" -- sh -c 'echo x > ../outside/escaped'
expect_fail $E_FAIL "exited with status" -- \
  "$DISMAKE" run "$M" -- sh -c "echo x > '$T/outside/escaped'"
expect_fail $E_FAIL "exited with status" -- \
  "$DISMAKE" run "$M" -- sh -c "echo '{}' > '$M.dismake/state.json'"
assert_absent "$T/outside/escaped"
assert_sha256 "$M.dismake/state.json" "$STATE_SHA"

step "/tmp is private to the command; the mount is writable; DEPENDS are readable"
printf 'dependency\n' >"$T/dep.txt"
dismake_ok run "$M" --depends "$T/dep.txt" -- sh -c \
  "echo tmp > '$HOST_TMP' && cat '$T/dep.txt' > Windows/dep.txt"
assert_absent "$HOST_TMP"
assert_eq dependency "$(cat "$M/Windows/dep.txt")" "what the command wrote in the mount"

step "a background process dies with the command (no hang after it exits)"
start=$(date +%s)
run_ok timeout 60 "$DISMAKE" run "$M" -- sh -c 'sleep 1000 & echo started > Windows/bg.txt'
(($(date +%s) - start < 50)) || fail "run waited for its background process"

step "without bubblewrap: a warning, or a refusal in strict mode"
mkdir -p "$T/nobwrap"
cat >"$T/nobwrap/bwrap" <<'EOF'
#!/bin/sh
echo "bwrap: No permissions to create new namespace" >&2
exit 1
EOF
chmod +x "$T/nobwrap/bwrap"
PATH=$T/nobwrap:$PATH DISMAKE_RUN_SANDBOX=strict expect_fail $NOT_SUPPORTED \
  "cannot confine the run step 'sh' to the mount: bwrap: No permissions to create new namespace" -- \
  "$DISMAKE" run "$M" -- sh -c 'echo strict > Windows/strict.txt'
assert_absent "$M/Windows/strict.txt"
PATH=$T/nobwrap:$PATH run_ok "$DISMAKE" run "$M" -- sh -c 'echo loose > Windows/loose.txt'
grep -q "warning: running 'sh' unconfined: bwrap: No permissions" <<<"$LAST_STDERR" ||
  fail "no warning for an unconfined run: $LAST_STDERR"
assert_eq loose "$(cat "$M/Windows/loose.txt")" "what the unconfined command wrote"
DISMAKE_RUN_SANDBOX=bogus expect_fail 0x80070057 "DISMAKE_RUN_SANDBOX is 'bogus'" -- \
  "$DISMAKE" run "$M" -- true

dismake_ok commit "$M" --output "$T/out.wim"
assert_eq dependency "$(wim_cat "$T/out.wim" 1 Windows/dep.txt)" "committed Windows/dep.txt"
dismake_ok unmount "$M" --discard
end_test
