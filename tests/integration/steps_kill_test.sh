#!/usr/bin/env bash
# A step killed with SIGKILL half-way (an add of a large overlay, a registry
# edit, a `run` command that has written part of its changes) is rolled back
# by the next step or by `dismake restore`: the build then converges to the
# image an uninterrupted build commits.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -euo pipefail
begin_test steps_kill

S=$T/stamps
mkdir -p "$S"

# The image's paths, attributes and content hashes.
tree_digest() {
  wimlib-imagex dir "$1" 1 --detailed |
    grep -E '^(Full Path|Attributes|Hash|Uncompressed size) *=' | paste -d' ' - - - - | sort
}

# A large overlay (for its file count: each file is a blob written durably,
# which gives the kill a wide window): 400 small files in 4 directories.
mkdir -p "$T/big"
random_file "$T/blob" $((400 * 1024)) overlay
(cd "$T/big" && split -b 1k -a 3 -d ../blob part- && for i in $(seq 0 3); do
  mkdir "d$i" && mv part-${i}* "d$i/"
done)

RUN_CMD='echo part > Windows/part.txt && rm Windows/win.ini && : > Windows/marker &&
if [ -n "${SLOW_STEP:-}" ]; then sleep 60; fi; echo rest > Windows/rest.txt'

# The steps of the build: N, its op and arguments (after step N-1).
do_step() {
  local m=$1 n=$2
  local after=$S/$m-$((n - 1))
  ((n > 1)) || after=$S/$m-ensure
  case $n in
    1) set -- add "$m_dir" "$T/big" 'Program Files/Big' ;;
    2) set -- set-registry-value "$m_dir" 'HKLM\SOFTWARE\Contoso' Version REG_SZ 2.0 ;;
    3) set -- run "$m_dir" --paths Windows ;;
  esac
  local op=$1
  shift
  if [[ $op == run ]]; then
    "$DISMAKE" run "$@" --after "$after" --stamp "$S/$m-$n" -- sh -c "$RUN_CMD"
  else
    "$DISMAKE" "$op" "$@" --after "$after" --stamp "$S/$m-$n"
  fi
}

ensure() {
  local m=$1
  m_dir=$T/$m
  dismake_ok ensure --wim "$DISMAKE_FIXTURES/base.wim" --index 1 --mount-dir "$m_dir" \
    --stamp "$S/$m-ensure" --quiet
}

build_all() {
  local m=$1 n
  for n in 1 2 3; do run_ok do_step "$m" "$n"; done
  dismake_ok commit "$m_dir" --after "$S/$m-3" --output "$T/$m.wim" --quiet
}

step "an uninterrupted build (the reference)"
ensure ref
build_all ref
REF=$(tree_digest "$T/ref.wim")
assert_eq rest "$(wim_cat "$T/ref.wim" 1 /Windows/rest.txt)" "the run step's last write"

# Starts step N of mount M in its own process group; waits until CONDITION
# (a shell test) holds or the step ends; SIGKILLs the whole group. Prints
# "killed" or "finished".
kill_step_when() {
  local m=$1 n=$2 condition=$3
  rm -f "$T/pgid"
  # setsid --wait: the step leads a new process group (its id in $T/pgid)
  # and $! lives until the step ends.
  setsid --wait bash -c "echo \$\$ > '$T/pgid'; $(declare -f do_step); S='$S' T='$T' DISMAKE='$DISMAKE' RUN_CMD='$RUN_CMD' m_dir='$m_dir' do_step $m $n" \
    >"$T/killed.log" 2>&1 </dev/null &
  local pid=$! i
  for ((i = 0; i < 3000; i++)); do
    if [[ -s $T/pgid ]] && eval "$condition"; then
      kill -9 -- "-$(cat "$T/pgid")" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      echo killed
      return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  wait "$pid" || { cat "$T/killed.log" >&2; fail "step $n failed on its own"; }
  echo finished
}

interrupted() {
  dismake_ok status "$1" --json
  json_eval "$LAST_STDOUT" 'j["interrupted_step"] != ""'
}

step "kill -9 during an add of a large overlay; the next step rolls it back"
ensure add
# Killed once some of the overlay is in the tree.
result=$(kill_step_when add 1 '[[ $(find "$m_dir/Program Files/Big" -type f 2>/dev/null | head -n 50 | wc -l) -ge 50 ]]')
echo "   add step: $result"
assert_eq killed "$result" "the add step was killed half-way"
assert_eq true "$(interrupted "$m_dir")" "status shows the interrupted step"
build_all add
assert_same_listing "$REF" "$(tree_digest "$T/add.wim")" "image after a killed add"
dismake_ok status "$m_dir" --json
assert_eq false "$(json_eval "$LAST_STDOUT" 'j["interrupted_step"] != ""')" "interrupted step after rollback"

step "kill -9 at several moments of a registry edit"
ensure reg
run_ok do_step reg 1
for delay in 0 0.02 0.05; do
  result=$(kill_step_when reg 2 "sleep $delay; true")
  # The next command sees either the finished step or rolls it back.
  dismake_ok restore "$m_dir"
  dismake_ok status "$m_dir" --json
  assert_eq 0 "$(json_eval "$LAST_STDOUT" 'sum(len(v) for v in j["untracked"].values())')" \
    "untracked changes after a killed registry edit (delay $delay)"
done
build_all reg
assert_same_listing "$REF" "$(tree_digest "$T/reg.wim")" "image after killed registry edits"

step "kill -9 during a run step that wrote part of its changes; restore rolls it back"
ensure run
run_ok do_step run 1
run_ok do_step run 2
export SLOW_STEP=1
result=$(kill_step_when run 3 '[[ -e $m_dir/Windows/marker ]]')
unset SLOW_STEP
assert_eq killed "$result" "the run step was killed half-way"
assert_eq true "$(interrupted "$m_dir")" "status shows the interrupted run step"
dismake_ok restore "$m_dir"
assert_absent "$m_dir/Windows/part.txt"
assert_absent "$m_dir/Windows/marker"
dismake_ok status "$m_dir" --json
assert_eq 0 "$(json_eval "$LAST_STDOUT" 'sum(len(v) for v in j["untracked"].values())')" \
  "untracked changes after restoring a killed run step"
assert_eq false "$(interrupted "$m_dir")" "interrupted step after restore"
build_all run
assert_same_listing "$REF" "$(tree_digest "$T/run.wim")" "image after a killed run step"

for m in ref add reg run; do dismake_ok unmount "$T/$m" --discard; done
end_test
