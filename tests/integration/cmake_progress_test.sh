#!/usr/bin/env bash
# Long steps show live progress. With DISMAKE_CONSOLE_PROGRESS (the default)
# the commit, assemble and split run in Ninja's console pool, the other steps
# stay in the image's own job pool; in a log the progress is a line when a
# step starts and ends (and every few seconds between), not a line per
# percent; on a terminal it is a bar redrawn in place. OFF puts every step
# back in the image's pool, with its progress in its log only.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"

begin_test cmake_progress
base=$DISMAKE_FIXTURES/single.wim
src=$T/src
bld=$T/build

# The Ninja statement that builds OUTPUT (a path as build.ninja spells it).
build_statement() {
  awk -v out=" $2 " '
    /^build / { split($0, parts, ": "); on = index(parts[1] " ", out) > 0 }
    on && /^$/ { exit }
    on' "$1/build.ninja"
}

write_inputs "$src"
write_project "$src" "$(standard_recipe img "$base")
dismake_assemble_wim(OUTPUT editions.wim IMAGES img)
dismake_split_wim(OUTPUT install.swm WIM editions.wim SIZE 1)"

step "the pools: long steps in the console pool, the others in the image's pool"
configure "$src" "$bld"
for output in img.wim editions.wim install.swm; do
  build_statement "$bld" "$output" | grep -q '  pool = console$' || fail "$output is not built in the console pool"
done
build_statement "$bld" dismake/img/steps/004-add.stamp | grep -q '  pool = dismake_img$' ||
  fail "the add step left the image's pool"

step "in a log: a line at the start and the end of each long step, no more"
DISMAKE_PROGRESS_INTERVAL=1000 build "$bld"
output="$LAST_STDOUT
$LAST_STDERR"
for what in commit assemble split; do
  assert_eq "dismake: $what: 0%
dismake: $what: 100%" "$(grep "^dismake: $what: [0-9]*%$" <<<"$output")" "the $what's progress lines"
done

step "on a terminal: a bar redrawn in place"
printf 'v2\r\n' >"$src/overlay/ProgramData/Contoso/readme.txt"
tty_out=$(script -qec "ninja -C '$bld'" /dev/null) || fail "the build under a terminal failed: $tty_out"
grep -qF $'\rdismake: commit [' <<<"$tty_out" || fail "no redrawn bar for the commit: $tty_out"
grep -qE 'dismake: commit \[#{30}\] 100%' <<<"$tty_out" || fail "the bar does not reach 100%: $tty_out"

step "DISMAKE_CONSOLE_PROGRESS=OFF: every step of the image in its pool, progress in the log"
configure "$src" "$bld" -DDISMAKE_CONSOLE_PROGRESS=OFF
build_statement "$bld" img.wim | grep -q '  pool = dismake_img$' || fail "the commit is not in the image's pool"
if build_statement "$bld" editions.wim | grep -q '  pool = '; then fail "assemble is in a pool"; fi
printf 'v3\r\n' >"$src/overlay/ProgramData/Contoso/readme.txt"
build "$bld"
if grep -q 'dismake: commit: ' <<<"$LAST_STDOUT$LAST_STDERR"; then
  fail "the commit's progress reached the console with the console pool off"
fi
grep -q '^dismake: commit: 100%$' "$bld/dismake/img/steps/commit.log" || fail "the commit's log has no progress"
end_test
