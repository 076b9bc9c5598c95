#!/usr/bin/env bash
# hostile_run_test.sh again, as an unprivileged user: the confinement must
# be the same whoever runs dismake. Run as root, it runs that test under a
# free uid (setpriv) in a scratch directory that uid owns; it exits 77
# (skipped) when not run as root (hostile_run already ran as this user), or
# when that uid cannot reach the helper and the fixtures.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_run_user

if (($(id -u) != 0)) || ! command -v setpriv >/dev/null; then
  skip_test "needs root and setpriv to run as another user (hostile_run ran as $(id -un))"
fi
uid=45678
while getent passwd "$uid" >/dev/null || getent group "$uid" >/dev/null; do uid=$((uid + 1)); done
mkdir -p "$T/user"
chown "$uid:$uid" "$T/user"
as_user() {
  setpriv --reuid="$uid" --regid="$uid" --clear-groups -- env -i \
    PATH=/usr/local/bin:/usr/bin:/bin HOME="$T/user" DISMAKE="$DISMAKE" \
    DISMAKE_FIXTURES="$DISMAKE_FIXTURES" DISMAKE_TEST_TMP="$T/user/tmp" \
    DISMAKE_KEEP_TMP="${DISMAKE_KEEP_TMP:-}" "$@"
}
if ! as_user sh -c 'test -x "$DISMAKE" && test -r "$DISMAKE_FIXTURES/base.wim"'; then
  skip_test "uid $uid cannot reach $DISMAKE or $DISMAKE_FIXTURES"
fi

step "hostile_run as uid $uid"
rc=0
as_user bash "$(dirname "${BASH_SOURCE[0]}")/hostile_run_test.sh" || rc=$?
((rc != 77)) || skip_test "hostile_run skipped as uid $uid"
((rc == 0)) || fail "hostile_run failed as uid $uid (exit $rc)"
end_test
