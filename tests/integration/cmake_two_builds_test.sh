#!/usr/bin/env bash
# Two builds in one build directory at once (two `ninja` started together):
# the second waits at its first step, `ensure`, until the first build has
# ended, then builds (nothing to do, or what changed), instead of failing
# half-way on a session the other build closed. A build that finds another
# live build on its mount past DISMAKE_LOCK_TIMEOUT fails with DISMAPI_E_BUSY
# naming it. A build whose commit was killed (kill -9, while it was resetting
# its previous output in place) leaves no output or the old one, never a
# partial one; the next build writes it again, with a clean build's bytes.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=cmake_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"
begin_test cmake_two_builds

src=$T/src
bld=$T/build
write_inputs "$src"
write_project "$src" "$(standard_recipe img "$DISMAKE_FIXTURES/base.wim")"
configure "$src" "$bld"
README=$src/overlay/ProgramData/Contoso/readme.txt

step "two builds at once, three times: both succeed, with a clean build's bytes"
for round in 1 2 3; do
  printf 'round %s\r\n' "$round" >"$README"
  ninja -C "$bld" >"$T/a.log" 2>&1 &
  a=$!
  ninja -C "$bld" >"$T/b.log" 2>&1 &
  b=$!
  ra=0 rb=0
  wait $a || ra=$?
  wait $b || rb=$?
  if ((ra != 0 || rb != 0)); then
    cat "$T/a.log" "$T/b.log" >&2
    fail "round $round: the builds exited $ra and $rb"
  fi
  verify_wim "$bld/img.wim"
  assert_same_file "$(clean_build "$src" "round$round")/img.wim" "$bld/img.wim"
done

step "a build that finds another live build past the timeout fails, naming it"
MOUNT=$(mount_dir_of "$bld" img)
sleep 300 &
other=$!
claims=$DISMAKE_HOME/build-claims
mkdir -p "$claims"
claim=$claims/$(printf '%s' "$MOUNT" | sha256sum | cut -c1-24).json
printf '{"pid": %d, "start_time": %s, "boot_id": "%s"}\n' "$other" \
  "$(awk '{print $22}' "/proc/$other/stat")" "$(cat /proc/sys/kernel/random/boot_id)" >"$claim"
printf 'busy\r\n' >"$README"
DISMAKE_LOCK_TIMEOUT=1 build_fails "$bld"
grep -qE "another build \(process $other \(sleep 300\)\) is using the mount '$MOUNT'.*0x800F0902 DISMAPI_E_BUSY" <<<"$LAST_STDOUT" ||
  fail "the build did not name the other build: $LAST_STDOUT"
kill "$other"
wait "$other" 2>/dev/null || true
build "$bld"
assert_same_file "$(clean_build "$src" busy)/img.wim" "$bld/img.wim"

step "a commit killed while it resets its previous output: the next build restores it"
printf 'killed\r\n' >"$README"
random_file "$src/overlay/ProgramData/Contoso/large.bin" $((32 * 1024 * 1024)) large
ninja -C "$bld" >"$T/killed.log" 2>&1 &
build_pid=$!
killed=
for _ in $(seq 1 3000); do
  work=$(compgen -G "$bld/img.wim.tmp-*" | head -n 1 || true)
  if [[ -n $work ]]; then
    pid=${work##*.tmp-}
    pid=${pid%%-*}
    kill -9 "$pid" 2>/dev/null && killed=$pid
    break
  fi
  sleep 0.01
done
wait "$build_pid" && fail "the build succeeded: the commit was not killed"
[[ -n $killed ]] || fail "never saw the commit's work file"
# Absent (renamed aside, then killed) or a complete WIM: never a partial one.
[[ ! -e $bld/img.wim ]] || verify_wim "$bld/img.wim"
build "$bld"
verify_wim "$bld/img.wim"
assert_no_temp_files "$bld"
assert_same_file "$(clean_build "$src" killed)/img.wim" "$bld/img.wim"
end_test
