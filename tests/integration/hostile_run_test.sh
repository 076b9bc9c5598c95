#!/usr/bin/env bash
# Hostile run steps: the command runs confined by bubblewrap, whoever runs
# dismake (CI runs this as root; hostile_run_user_test.sh runs it again as a
# user). The mount is the only writable place and /tmp is private; the
# command cannot mount, remount, make a user namespace, hold a capability,
# see host processes or the host's network (unless the step says --network),
# nor read /etc/shadow, $DISMAKE_HOME, any mount's record directory or
# ~/.ssh, even inside a DEPENDS directory; its DEPENDS stay readable and
# what it writes is owned by the caller; background processes die with it.
# Where bubblewrap cannot run, the step runs with a warning, or is refused
# under DISMAKE_RUN_SANDBOX=strict; `off` runs it unconfined with a warning.
# Exits 77 (skipped) where bubblewrap cannot confine a command here.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_run

E_FAIL=0x80004005
NOT_SUPPORTED=0x80070032
ACCESS_DENIED=0x80070005
BASE=$DISMAKE_FIXTURES/base.wim
M=$T/m
DEPS=$T/deps
mkdir -p "$T/outside" "$DEPS"
HOST_TMP=/tmp/dismake-hostile-run-$$
ESCAPE=/tmp/dismake-escape-$$
rm -f "$HOST_TMP" "$ESCAPE"

# The places a step must not read, laid out inside a DEPENDS directory so
# that only the sandbox's hiding keeps them out: the mount registry, a
# user's ~/.ssh, another mount (and its record directory).
export DISMAKE_HOME=$DEPS/home HOME=$DEPS/user
mkdir -p "$DISMAKE_HOME" "$HOME/.ssh"
echo 'secret key' >"$HOME/.ssh/id_test"
echo 'an input' >"$DEPS/input.txt"

dismake_ok mount "$BASE" "$M" --index 1 --lazy
dismake_ok mount "$DISMAKE_FIXTURES/single.wim" "$DEPS/other" --index 1 --lazy
REGISTRY_FILE=$(find "$DISMAKE_HOME" -type f | head -n 1)
[[ -n $REGISTRY_FILE ]] || fail "the mount registry in $DISMAKE_HOME has no file"

# A section that cannot run is a test of its own: without a usable
# bubblewrap this whole test is skipped, never passed.
if ! DISMAKE_RUN_SANDBOX=strict "$DISMAKE" run "$M" -- true >"$T/probe.out" 2>&1; then
  grep -q 'cannot confine' "$T/probe.out" || fail "probe run failed: $(cat "$T/probe.out")"
  "$DISMAKE" unmount "$M" --discard >/dev/null 2>&1 || true
  "$DISMAKE" unmount "$DEPS/other" --discard >/dev/null 2>&1 || true
  skip_test "$(grep -o 'cannot confine.*' "$T/probe.out")"
fi
STATE_SHA=$(sha256 "$M.dismake/state.json")

step "the escape of issue 20: remount / read-write, bind it, write the host"
printf 'mount -o remount,rw,bind / && mount --bind / /mnt && echo x > /mnt%s\n' "$ESCAPE" \
  >"$T/p.sh"
expect_fail $E_FAIL "exited with status" -- \
  "$DISMAKE" run "$M" --depends "$T/p.sh" -- sh "$T/p.sh"
assert_absent "$ESCAPE"

step "writes outside the mount fail, and nothing lands there"
expect_fail $E_FAIL "exited with status" -- \
  "$DISMAKE" run "$M" -- sh -c 'echo x > ../outside/escaped'
expect_fail $E_FAIL "exited with status" -- \
  "$DISMAKE" run "$M" -- sh -c "echo x > '$T/outside/escaped'"
expect_fail $E_FAIL "exited with status" -- \
  "$DISMAKE" run "$M" -- sh -c "echo '{}' > '$M.dismake/state.json'"
expect_fail $E_FAIL "exited with status" -- \
  "$DISMAKE" run "$M" --depends "$DEPS" -- sh -c "echo x > '$DEPS/input.txt'"
assert_absent "$T/outside/escaped"
assert_sha256 "$M.dismake/state.json" "$STATE_SHA"
assert_eq 'an input' "$(cat "$DEPS/input.txt")" "the DEPENDS file after a write to it"

# A listener on the host's loopback, and a host process, for the command
# to try to reach.
"$PYTHON" - "$T/port" <<'EOF' &
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(240)
while True:
    s.accept()[0].close()
EOF
LISTENER=$!
sleep 240 &
HOST_PID=$!
trap 'kill "$LISTENER" "$HOST_PID" 2>/dev/null || true; rm -f "$ESCAPE" "$HOST_TMP"' EXIT
for _ in $(seq 100); do [[ -s $T/port ]] && break || sleep 0.1; done
PORT=$(cat "$T/port")
bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" || fail "the host cannot reach its own listener"
[[ -r /proc/$HOST_PID/environ ]] || fail "the host cannot read its own process"

# Each way out the command tries, as NAME=yes|no lines in the mount.
cat >"$DEPS/probe.sh" <<EOF
try() {
  name=\$1; shift
  if "\$@" >/dev/null 2>&1; then echo "\$name=yes"; else echo "\$name=no"; fi
}
{
  try remount mount -o remount,rw,bind /
  try remount_usr mount -o remount,rw,bind /usr
  try mount_tmpfs mount -t tmpfs none /tmp
  try bind_root sh -c 'mkdir -p /tmp/r && mount --bind / /tmp/r'
  try new_userns unshare --user --map-root-user true
  try write_usr sh -c 'echo x > /usr/dismake-escape'
  try write_deps sh -c 'echo x > "$DEPS/new.txt"'
  try see_host_process kill -0 $HOST_PID
  try read_host_process cat /proc/$HOST_PID/environ
  try connect_host bash -c 'exec 3<>/dev/tcp/127.0.0.1/$PORT'
  try read_shadow sh -c 'grep -q "^root:" /etc/shadow'
  try read_dismake_home test -e "$REGISTRY_FILE"
  try read_own_record test -e "$M.dismake/state.json"
  try read_other_record test -e "$DEPS/other.dismake/state.json"
  try read_ssh test -e "$HOME/.ssh/id_test"
  try read_input grep -q 'an input' "$DEPS/input.txt"
  echo "cap_eff=\$(awk '/^CapEff/ {print \$2}' /proc/self/status)"
  echo "cap_bnd=\$(awk '/^CapBnd/ {print \$2}' /proc/self/status)"
  echo "interfaces=\$(awk -F: 'NR > 2 {gsub(/ /, "", \$1); print \$1}' /proc/net/dev | tr '\n' ' ')"
} > probe.txt
EOF
probe() {
  grep -E "^$1=" "$M/probe.txt" | cut -d= -f2- || fail "the probe did not report $1"
}

step "the command holds no capability and cannot mount, remount or regain one"
dismake_ok run "$M" --depends "$DEPS" -- sh "$DEPS/probe.sh"
for way in remount remount_usr mount_tmpfs bind_root new_userns write_usr write_deps; do
  assert_eq no "$(probe $way)" "$way succeeded inside the step"
done
assert_eq 0000000000000000 "$(probe cap_eff)" "the command's effective capabilities"
assert_eq 0000000000000000 "$(probe cap_bnd)" "the command's capability bounding set"
assert_absent /usr/dismake-escape
assert_absent "$DEPS/new.txt"

step "host processes are out of sight (no ptrace, no /proc of theirs)"
assert_eq no "$(probe see_host_process)" "signalling a host process"
assert_eq no "$(probe read_host_process)" "reading a host process's environment"

step "no network but a loopback of its own; --network gives the host's"
assert_eq no "$(probe connect_host)" "connecting to a host loopback listener"
assert_eq 'lo ' "$(probe interfaces)" "the command's interfaces"
grep '"op":"run"' "$M.dismake/events.log" | tail -n 1 | grep -q '"network"' &&
  fail "a step without --network records one: $(tail -n 1 "$M.dismake/events.log")"
dismake_ok run "$M" --network --depends "$DEPS" -- sh "$DEPS/probe.sh"
assert_eq yes "$(probe connect_host)" "connecting to the host's listener with --network"
grep '"op":"run"' "$M.dismake/events.log" | tail -n 1 | grep -q '"network":true' ||
  fail "the --network step's key does not record it: $(tail -n 1 "$M.dismake/events.log")"

step "host secrets stay unreadable, even inside a DEPENDS directory; DEPENDS do not"
for secret in read_shadow read_dismake_home read_own_record read_other_record read_ssh; do
  assert_eq no "$(probe $secret)" "$secret"
done
assert_eq yes "$(probe read_input)" "reading a DEPENDS file"
expect_fail $ACCESS_DENIED "reads '$M.dismake/state.json'.*a place run steps may not read" -- \
  "$DISMAKE" run "$M" --depends "$M.dismake/state.json" -- true
expect_fail $ACCESS_DENIED "reads '$HOME/.ssh'.*a place run steps may not read" -- \
  "$DISMAKE" run "$M" --depends "$HOME/.ssh" -- true

step "/tmp is private to the command; the mount is writable; DEPENDS are readable"
printf 'dependency\n' >"$T/dep.txt"
dismake_ok run "$M" --depends "$T/dep.txt" -- sh -c \
  "echo tmp > '$HOST_TMP' && cat '$T/dep.txt' > Windows/dep.txt"
assert_absent "$HOST_TMP"
assert_eq dependency "$(cat "$M/Windows/dep.txt")" "what the command wrote in the mount"
assert_eq "$(id -u):$(id -g)" "$(stat -c %u:%g "$M/Windows/dep.txt")" \
  "the owner of what the command wrote"

step "a background process dies with the command (no hang after it exits)"
start=$(date +%s)
run_ok timeout 60 "$DISMAKE" run "$M" -- sh -c 'sleep 1000 & echo started > Windows/bg.txt'
(($(date +%s) - start < 50)) || fail "run waited for its background process"

step "without bubblewrap: a warning, or a refusal in strict mode; off: a warning"
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
DISMAKE_RUN_SANDBOX=off run_ok "$DISMAKE" run "$M" -- sh -c "echo off > '$T/outside/off.txt'"
grep -q "warning: running 'sh' unconfined: DISMAKE_RUN_SANDBOX=off" <<<"$LAST_STDERR" ||
  fail "no warning for DISMAKE_RUN_SANDBOX=off: $LAST_STDERR"
assert_eq off "$(cat "$T/outside/off.txt")" "what the command run with the sandbox off wrote"
DISMAKE_RUN_SANDBOX=bogus expect_fail 0x80070057 "DISMAKE_RUN_SANDBOX is 'bogus'" -- \
  "$DISMAKE" run "$M" -- true

dismake_ok commit "$M" --output "$T/out.wim"
assert_eq dependency "$(wim_cat "$T/out.wim" 1 Windows/dep.txt)" "committed Windows/dep.txt"
dismake_ok unmount "$M" --discard
dismake_ok unmount "$DEPS/other" --discard
end_test
