#!/usr/bin/env bash
# The build explains itself. Each step's console line says what happened and
# why (first build, an input changed, an argument changed, a step inserted
# or removed before it, restored from cache, an earlier step changed the
# image); a no-op build says nothing ran; `dismake explain` shows, after
# each kind of edit, every step's key inputs and which differ from the
# build before; the files of removed or renumbered steps are gone.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"

begin_test cmake_explain
base=$DISMAKE_FIXTURES/single.wim
src=$T/src
bld=$T/build
mount=$(mount_dir_of "$bld" img)

REG="dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME Channel TYPE REG_SZ DATA Stable)"
ADD="dismake_add_files(img_s SOURCE overlay DESTINATION /)"
IMPORT="dismake_import_registry(img_s FILE settings.reg)"
RENAME="dismake_rename_path(img_s FROM Windows/win.ini TO Windows/win.old)"
STEPS=("$REG" "$ADD" "$IMPORT")

write_steps() {
  write_project "$src" "$(recipe img "$base" "$(printf '%s\n' "${STEPS[@]}")")"
}

# assert_says LABEL OUTCOME: the last build's console has "dismake img:
# LABEL: OUTCOME".
assert_says() {
  local line="dismake img: $1: $2"
  grep -qxF -- "$line" <<<"$LAST_STDOUT" || fail "the console does not say '$line': $LAST_STDOUT"
}

# explain_json EXPR: evaluates EXPR on `dismake explain <build> --json`,
# with `s` the steps of the image by name.
explain_json() {
  dismake_ok explain "$bld" --json
  json_eval "$LAST_STDOUT" "s = {x['step']: x for x in j['images'][0]['steps']}; $1"
}

# The step files of the build tree's image, by step name (no extension).
step_files() {
  find "$bld/dismake/img/steps" -type f -printf '%f\n' | sed -E 's/\..*$//' | sort -u
}

test_first_build() {
  step "first build"
  build "$bld"
  assert_says "check the mount of single.wim image 1" "mounted (first build)"
  assert_says "set HKLM\\SOFTWARE\\Contoso\\Channel (REG_SZ)" "ran (first build)"
  assert_says "add overlay -> /" "ran (first build)"
  assert_says "import registry settings.reg" "ran (first build)"
}

test_noop() {
  step "no-op build: nothing ran, nothing mounted"
  build "$bld"
  assert_says "check the mount of single.wim image 1" "up to date, mount reused"
  if grep -E ': (ran|restored)' <<<"$LAST_STDOUT"; then fail "a step ran in a no-op build"; fi
  if grep -iE 'mounted|: mount ' <<<"$LAST_STDOUT"; then fail "a no-op build suggests a mount"; fi
  assert_eq false "$(explain_json "s['003-add']['ran_in_last_build']")" "add ran in the no-op build"
  dismake_ok explain "$bld" 3
  grep -qx '003-add: not run in the last build: nothing it reads changed since build 1, where it ran (first build)' \
    <<<"$LAST_STDOUT" || fail "explain of a step that did not run: $LAST_STDOUT"
}

test_input_changed() {
  step "edit an overlay file"
  printf 'contoso readme, v2\r\n' >"$src/overlay/ProgramData/Contoso/readme.txt"
  build "$bld"
  assert_says "add overlay -> /" "ran (input overlay/ProgramData/Contoso/readme.txt changed)"
  assert_says "import registry settings.reg" "ran (step 003-add changed the image)"
  if grep -q 'set HKLM.*: ' <<<"$LAST_STDOUT"; then fail "the step before the edit ran"; fi
  # explain: the changed input is marked, the others are not; the later
  # step's parent differs, its spec does not.
  assert_eq '["overlay/ProgramData/Contoso/readme.txt"]' \
    "$(explain_json "[i['shown'] for i in s['003-add']['inputs'] if i['changed']]")" "changed inputs"
  assert_eq '{"base": false, "parent": false, "spec": false, "step": false}' \
    "$(explain_json "s['003-add']['differs']")" "what differs for add"
  assert_eq '{"base": false, "parent": true, "spec": false, "step": false}' \
    "$(explain_json "s['004-import-registry']['differs']")" "what differs for import"
  dismake_ok explain "$mount" 003-add
  grep -qE '^  \* input   overlay/ProgramData/Contoso/readme.txt sha256:[0-9a-f]{16}  \(was sha256:[0-9a-f]{16}\)$' \
    <<<"$LAST_STDOUT" || fail "explain does not mark the changed input: $LAST_STDOUT"
  grep -qE '^    input   overlay/Windows/Setup/Scripts/SetupComplete.cmd sha256:' <<<"$LAST_STDOUT" ||
    fail "explain does not list the unchanged input: $LAST_STDOUT"
  grep -q '^003-add: ran (input overlay/ProgramData/Contoso/readme.txt changed)$' <<<"$LAST_STDOUT" ||
    fail "explain's summary line: $LAST_STDOUT"
  # A no-op build after it: the marked input is that run's, and the step's
  # line says so rather than "unchanged" beside an input marked changed.
  local ran_in
  ran_in=$(explain_json "s['003-add']['build']")
  build "$bld"
  dismake_ok explain "$mount" 003-add
  grep -qx "003-add: not run in the last build: nothing it reads changed since build $ran_in, where it ran (input overlay/ProgramData/Contoso/readme.txt changed)" \
    <<<"$LAST_STDOUT" || fail "explain of a step not run after a change: $LAST_STDOUT"
  grep -q 'unchanged' <<<"$LAST_STDOUT" && fail "explain says 'unchanged' beside a marked input: $LAST_STDOUT"
  grep -qE '^  \* input   overlay/ProgramData/Contoso/readme.txt ' <<<"$LAST_STDOUT" ||
    fail "the run's changed input is no longer marked: $LAST_STDOUT"
}

test_restored() {
  step "undo the edit: the state is restored from cache"
  printf 'contoso readme\r\n' >"$src/overlay/ProgramData/Contoso/readme.txt"
  build "$bld"
  assert_says "add overlay -> /" "restored from cache (input overlay/ProgramData/Contoso/readme.txt changed)"
  assert_says "import registry settings.reg" "restored from cache (step 003-add changed the image)"
  assert_eq restored "$(explain_json "s['003-add']['action']")" "explain's action"
}

test_argument_changed() {
  step "change a registry value's data"
  STEPS[0]=${REG/DATA Stable/DATA Beta}
  write_steps
  build "$bld"
  assert_says "set HKLM\\SOFTWARE\\Contoso\\Channel (REG_SZ)" "ran (argument data changed ('Stable' -> 'Beta'))"
  assert_says "add overlay -> /" "ran (step 002-set-registry-value changed the image)"
  assert_eq true "$(explain_json "s['002-set-registry-value']['differs']['spec']")" "spec differs"
  assert_eq Stable "$(explain_json "s['002-set-registry-value']['previous']['spec']['data']")" \
    "the previous data"
}

test_inserted() {
  step "insert a step: the later ones were renumbered, and say so; their old files are gone"
  STEPS=("${STEPS[0]}" "$RENAME" "$ADD" "$IMPORT")
  write_steps
  build "$bld"
  assert_says "rename Windows/win.ini -> Windows/win.old" "ran (new step)"
  assert_says "add overlay -> /" "ran (step inserted before it)"
  assert_says "import registry settings.reg" "ran (step inserted before it)"
  assert_eq '004-add' "$(explain_json "s['004-add']['step']")" "the add step's new name"
  assert_eq '003-add' "$(explain_json "s['004-add']['previous']['step']")" "compared with"
  assert_eq true "$(explain_json "s['004-add']['differs']['step']")" "the step moved"
  assert_same_listing "000-ensure
001-open-session
002-set-registry-value
003-rename
004-add
005-import-registry
006-close-session
commit
unmount" "$(step_files)" "the step files after an insertion"
  dismake_ok explain "$bld" 4
  grep -qx '  \* was step 003-add' <<<"$LAST_STDOUT" || fail "explain does not say the step moved: $LAST_STDOUT"
}

test_removed() {
  step "remove it again: the later steps are restored, and say why"
  STEPS=("${STEPS[0]}" "$ADD" "$IMPORT")
  write_steps
  build "$bld"
  assert_says "add overlay -> /" "restored from cache (step removed before it)"
  assert_says "import registry settings.reg" "restored from cache (step removed before it)"
  assert_says "check the mount of single.wim image 1" "up to date, mount reused; recipe changed"
  assert_same_listing "000-ensure
001-open-session
002-set-registry-value
003-add
004-import-registry
005-close-session
commit
unmount" "$(step_files)" "the step files after a removal"
  # explain lists the recipe's steps only.
  assert_eq '["001-open-session", "002-set-registry-value", "003-add", "004-import-registry", "005-close-session"]' \
    "$(explain_json "list(s)")" "the steps explain lists"
}

test_base_changed() {
  step "another base WIM: mounted again, every step runs"
  sed -i "s|$base|$DISMAKE_FIXTURES/base.wim|" "$src/CMakeLists.txt"
  build "$bld"
  assert_says "check the mount of base.wim image 1" "mounted again (another image is mounted there); recipe changed"
  assert_says "set HKLM\\SOFTWARE\\Contoso\\Channel (REG_SZ)" "ran (the base image changed)"
  assert_eq true "$(explain_json "s['002-set-registry-value']['differs']['base']")" "base differs"

  step "the same base again, from another path: mounted again, the steps say so"
  fixture_copy base.wim "$T/copy.wim"
  sed -i "s|$DISMAKE_FIXTURES/base.wim|$T/copy.wim|" "$src/CMakeLists.txt"
  build "$bld"
  assert_says "set HKLM\\SOFTWARE\\Contoso\\Channel (REG_SZ)" "ran (the image was mounted again)"
}

test_value_run() {
  step "a run of registry values: one step, one line; the changed value is named"
  local run="dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME A TYPE REG_DWORD DATA 1)
dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME B TYPE REG_SZ DATA b)
dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso\\Sub]] NAME \"\" TYPE REG_SZ DATA c)"
  STEPS=("$run" "$ADD")
  write_steps
  build "$bld"
  local label="set 3 registry values of HKLM\\SOFTWARE\\Contoso and 1 other key"
  assert_says "$label" "ran (new step)"
  STEPS=("${run/DATA b/DATA bee}" "$ADD")
  write_steps
  build "$bld"
  assert_says "$label" "ran (argument values: HKLM\\SOFTWARE\\Contoso\\B changed (data 'b' -> 'bee'))"
  assert_says "add overlay -> /" "ran (step 002-set-registry-values changed the image)"
  dismake_ok explain "$bld" 2
  grep -qxF "  * spec    set-registry-values, 3 values" <<<"$LAST_STDOUT" &&
    grep -qxF "      HKLM\\SOFTWARE\\Contoso\\A = REG_DWORD '1'" <<<"$LAST_STDOUT" &&
    grep -qxF "    * HKLM\\SOFTWARE\\Contoso\\B = REG_SZ 'bee'  (was HKLM\\SOFTWARE\\Contoso\\B = REG_SZ 'b')" <<<"$LAST_STDOUT" &&
    grep -qxF "      HKLM\\SOFTWARE\\Contoso\\Sub (default value) = REG_SZ 'c'" <<<"$LAST_STDOUT" ||
    fail "explain does not list the run's values, marking the changed one: $LAST_STDOUT"
  build "$bld"
  if grep -E ': (ran|restored)' <<<"$LAST_STDOUT"; then fail "a step ran in a no-op build"; fi
}

test_explain_refuses() {
  step "explain of a directory that is neither a mount nor a build directory"
  mkdir -p "$T/empty"
  expect_fail 0x80070490 "neither a mount nor a build directory" -- "$DISMAKE" explain "$T/empty"
  expect_fail 0x80070003 "is not a directory" -- "$DISMAKE" explain "$T/nowhere"
}

write_inputs "$src"
write_steps
configure "$src" "$bld"
test_explain_refuses
test_first_build
test_noop
test_input_changed
test_restored
test_argument_changed
test_inserted
test_removed
test_base_changed
test_value_run
end_test
