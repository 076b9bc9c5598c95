#!/usr/bin/env bash
# kill -9 during the first `ensure` of a build, at many moments (claiming the
# state, registering, extracting the tree, indexing, writing the record):
# every interruption is recovered by the command its error (or the next
# ensure) names. The next ensure mounts again by itself; `cleanup` removes the
# partial mount and its tree; `unmount --discard` removes it too. Each time,
# a mount made afterwards is the base image, with nothing untracked. Most
# kills hit a full mount (a tree to extract); every fourth a lazy one.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test ensure_kill

BASE=$DISMAKE_FIXTURES/base.wim
M=$T/mount

dir_listing() {
  (cd "$1" && find . -mindepth 1 -printf '/%P\n'; echo /) | sort
}
BASE_LISTING=$(tree_listing "$BASE" 1)

# A build's mount is lazy unless FULL; a full one has a tree to kill midway.
ensure_args=(ensure --wim "$BASE" --index 1 --mount-dir "$M" --full --quiet)
lazy_ensure_args=(ensure --wim "$BASE" --index 1 --mount-dir "$M" --quiet)

# Checks that M is a complete, clean mount of the base, then removes it.
check_and_unmount() {
  local what=$1
  dismake_ok status "$M" --json
  assert_eq 0 "$(json_eval "$LAST_STDOUT" 'sum(len(v) for v in j["untracked"].values())')" \
    "untracked changes ($what)"
  if [[ $(json_eval "$LAST_STDOUT" 'j["lazy"]') == true ]]; then
    assert_same_listing "/" "$(dir_listing "$M")" "the lazy mount's tree ($what)"
  else
    assert_same_listing "$BASE_LISTING" "$(dir_listing "$M")" "the mounted tree ($what)"
  fi
  dismake_ok unmount "$M" --discard
  assert_absent "$M"
  assert_absent "$M.dismake"
  assert_no_mounts
}

step "an uninterrupted ensure, timed (the kills are spread over its run)"
start=$(date +%s%N)
dismake_ok "${ensure_args[@]}"
duration_ns=$(($(date +%s%N) - start))
check_and_unmount "uninterrupted"

# Runs ensure and SIGKILLs it after DELAY seconds; prints killed or finished.
kill_ensure_after() {
  "$DISMAKE" "${args[@]}" >/dev/null 2>&1 &
  local pid=$!
  sleep "$1"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    echo killed
  else
    wait "$pid" || true
    echo finished
  fi
}

# Ways back, in turn: the next ensure alone, cleanup then ensure, unmount
# --discard then ensure.
recover() {
  local how=$1 what=$2
  case $how in
    ensure) ;;
    cleanup)
      dismake_ok cleanup
      # The partial tree is gone, or was a complete mount (kept).
      [[ ! -e $M.dismake || -e $M.dismake/mount.json ]] ||
        fail "cleanup left the state of an interrupted mount ($what)"
      [[ -e $M.dismake || ! -e $M ]] || fail "cleanup left the partial tree $M ($what)"
      ;;
    unmount)
      if [[ -e $M.dismake ]] || [[ $(mounts_json 'len(m)') != 0 ]]; then
        dismake_ok unmount "$M" --discard
      fi
      assert_absent "$M"
      ;;
  esac
  dismake_ok "${args[@]}"
  check_and_unmount "$what"
}

N=24
killed=0
ways=(ensure cleanup unmount)
for ((i = 0; i < N; i++)); do
  args=("${ensure_args[@]}") mode=full
  ((i % 4 != 3)) || args=("${lazy_ensure_args[@]}") mode=lazy
  delay=$(awk -v d="$duration_ns" -v i="$i" -v n="$N" 'BEGIN { printf "%.4f", d * 2 * i / n / 1e9 }')
  how=${ways[i % 3]}
  result=$(kill_ensure_after "$delay")
  step "kill a $mode ensure after ${delay}s: $result; recover with $how"
  [[ $result == finished ]] || killed=$((killed + 1))
  recover "$how" "kill after ${delay}s, $how"
done
echo "   $killed of $N ensures were killed half-way"
((killed > 0)) || fail "no ensure was killed half-way"
end_test
