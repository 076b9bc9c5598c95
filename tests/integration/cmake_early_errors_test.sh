#!/usr/bin/env bash
# Mistakes in a recipe fail when CMake runs, from the function that was
# called, naming the argument and the fix, with the CMakeLists.txt line in
# CMake's call stack: a missing WIM, SOURCE, .reg or answer file, an unknown
# hive, data that does not fit its TYPE, an INDEX or NAME the WIM does not
# have (bad registry data: named by its key and name, on the line of the
# call that ends the run of values). A step that fails at build time shows
# the helper's own message first (not a wrapper's command line), then the
# step's output and its log.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"

begin_test cmake_early_errors
base=$DISMAKE_FIXTURES/single.wim
src=$T/src
bld=$T/build

# The call under test is on this line of the CMakeLists.txt (write_project
# puts 3 lines before the code; the recipe's mount and open take 2).
CALL_LINE=6

# project_with_calls CALLS: a fresh source and build directory, the recipe a
# session of image img whose steps are CALLS (from line CALL_LINE).
project_with_calls() {
  wipe_dir "$src"
  wipe_dir "$bld"
  write_inputs "$src"
  write_project "$src" "dismake_mount_image(img WIM \"$base\" INDEX 1)
dismake_open_session(s IMAGE img)
$1
dismake_close_session(s)
dismake_unmount_image(img DISCARD)"
}

# rejects_call REGEX FUNCTION CALL: CALL (a call of FUNCTION, made on line
# CALL_LINE of a valid recipe) fails the configuration with an error from
# FUNCTION matching REGEX, and the call stack names the line.
rejects_call() {
  local regex=$1 function=$2 call=$3
  project_with_calls "$call"
  assert_eq "$call" "$(sed -n "${CALL_LINE}p" "$src/CMakeLists.txt")" "the line of the call"
  configure_fails "$src" "$bld" "$function: (.* )?$regex"
  configure_fails "$src" "$bld" "CMakeLists.txt:$CALL_LINE \\($function\\)"
}

# rejects_value REGEX VALUE CALLS: the recipe's CALLS (one a line, from
# line CALL_LINE) fail the configuration with an error of
# dismake_set_registry_value naming the registry value VALUE (a regex) and
# matching REGEX. The data of a run of dismake_set_registry_value calls is
# checked once, by the call that ends the run: CMake's call stack names the
# line after the run.
rejects_value() {
  local regex=$1 value=$2 calls=$3
  project_with_calls "$calls"
  local end=$((CALL_LINE + $(wc -l <<<"$calls")))
  configure_fails "$src" "$bld" "dismake_set_registry_value: registry value '$value': $regex"
  configure_fails "$src" "$bld" "CMakeLists.txt:$end \\(dismake_close_session\\)"
}

test_missing_inputs() {
  step "missing inputs"
  rejects_call "SOURCE $src/overlays does not exist: give the file or directory to add" \
    dismake_add_files "dismake_add_files(s SOURCE overlays DESTINATION /)"
  rejects_call "FILE $src/policy.reg does not exist: give the .reg file to import" \
    dismake_import_registry "dismake_import_registry(s FILE policy.reg)"
  rejects_call "FILE $src/Unattend.xml does not exist: give the answer file" \
    dismake_apply_unattend "dismake_apply_unattend(s FILE Unattend.xml)"
  rejects_call "DEPENDS $src/tune.sh does not exist" \
    dismake_run "dismake_run(s COMMAND sh tune.sh DEPENDS tune.sh)"

  step "a missing base WIM"
  wipe_dir "$src"
  write_project "$src" "dismake_mount_image(img WIM base/missing.wim INDEX 1)
dismake_unmount_image(img DISCARD)"
  configure_fails "$src" "$bld" \
    "dismake_mount_image: WIM $src/base/missing.wim does not exist: give the path of the base WIM file"
  configure_fails "$src" "$bld" "CMakeLists.txt:4 \\(dismake_mount_image\\)"

  step "a file a custom command makes is not missing"
  wipe_dir "$src"
  wipe_dir "$bld"
  write_inputs "$src"
  write_project "$src" "add_custom_command(OUTPUT \${CMAKE_CURRENT_SOURCE_DIR}/made.txt
  COMMAND \${CMAKE_COMMAND} -E echo made > \${CMAKE_CURRENT_SOURCE_DIR}/made.txt)
$(recipe img "$base" "dismake_add_files(img_s SOURCE made.txt DESTINATION ProgramData/made.txt)")"
  configure "$src" "$bld"
}

test_registry() {
  step "registry keys and data"
  rejects_call "KEY 'HKLM.SOFTWAR.Contoso' is not in a hive of the image \\('HKLM.SOFTWAR' is unknown\\): use one of HKLM.SOFTWARE" \
    dismake_set_registry_value \
    "dismake_set_registry_value(s KEY [[HKLM\\SOFTWAR\\Contoso]] NAME A TYPE REG_SZ DATA x)"
  rejects_call "is not in a hive of the image" dismake_delete_registry_key \
    "dismake_delete_registry_key(s KEY [[HKEY_LOCAL_MACHINE\\Software2\\Contoso]])"
  rejects_call "is not in a hive of the image" dismake_delete_registry_value \
    "dismake_delete_registry_value(s KEY [[HKCC\\Contoso]] NAME A)"
  # The helper's parser (dismake check-registry-value) judges the data, with
  # the step's own message, naming the value.
  local value='HKLM.SOFTWARE.Contoso.A'
  rejects_value "REG_DWORD data 'abc' is not a number; give an unsigned number from 0 to 4294967295" \
    "$value" "dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME A TYPE REG_DWORD DATA abc)"
  rejects_value "REG_DWORD data '-1' is not a number" "$value" \
    "dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME A TYPE dword DATA -1)"
  rejects_value "REG_DWORD data '4294967296' is out of range" "$value" \
    "dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME A TYPE REG_DWORD DATA 4294967296)"
  rejects_value "REG_QWORD data '0x1ffffffffffffffff' is out of range" "$value" \
    "dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME A TYPE REG_QWORD DATA 0x1ffffffffffffffff)"
  rejects_value "REG_BINARY data '0g' is not hex bytes" "$value" \
    "dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME A TYPE REG_BINARY DATA 0g)"
  rejects_value "REG_NONE data 'xyz' is not hex bytes" "$value" \
    "dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME A TYPE REG_NONE DATA xyz)"
  rejects_value "REG_MULTI_SZ data has an empty item" "$value" \
    "dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME A TYPE REG_MULTI_SZ DATA \"a;;b\")"
  # In a run, the bad value is named among the good ones (the default
  # value: by its key).
  rejects_value "REG_DWORD data 'x' is not a number" 'HKLM.SOFTWARE.Contoso \(default value\)' \
    "dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME A TYPE REG_SZ DATA a)
dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME \"\" TYPE REG_DWORD DATA x)
dismake_set_registry_value(s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME C TYPE REG_DWORD DATA 3)"

  step "data at the limits is accepted"
  wipe_dir "$src"
  wipe_dir "$bld"
  write_inputs "$src"
  write_project "$src" "$(recipe img "$base" "dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME D TYPE REG_DWORD DATA 4294967295)
dismake_set_registry_value(img_s KEY [[HKEY_USERS\\.DEFAULT\\Contoso]] NAME Q TYPE REG_QWORD DATA 18446744073709551615)
dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME H TYPE REG_DWORD DATA 0xFFFFFFFF)
dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME B TYPE REG_BINARY DATA \"01,ff, 2\")
dismake_set_registry_value(img_s KEY [[HKCU\\Contoso]] NAME M TYPE REG_MULTI_SZ DATA \"a;b\")
dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME N TYPE REG_NONE DATA \"\")
dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME W TYPE dword DATA 7)")"
  configure "$src" "$bld"
  # The types the step takes, the module takes, spelled as the helper does;
  # the seven values are one step, which reads them from its values file.
  local values=$bld/dismake/img/steps/002-set-registry-values.values.json
  [[ -f $values ]] || fail "no values file for the run of seven values: $(ls "$bld/dismake/img/steps")"
  local types
  types=$("$PYTHON" -c 'import json, sys
print(" ".join(v["name"] + "=" + v["type"] + ":" + v["data"] for v in json.load(open(sys.argv[1]))))' "$values")
  assert_eq "D=REG_DWORD:4294967295 Q=REG_QWORD:18446744073709551615 H=REG_DWORD:0xFFFFFFFF B=REG_BINARY:01,ff, 2 M=REG_MULTI_SZ:a;b N=REG_NONE: W=REG_DWORD:7" \
    "$types" "the values the step takes (TYPE dword as REG_DWORD)"
}

test_wim_images() {
  step "an INDEX or NAME the WIM does not have"
  wipe_dir "$src"
  wipe_dir "$bld"
  write_project "$src" "dismake_mount_image(img WIM \"$base\" INDEX 2)
dismake_unmount_image(img DISCARD)"
  configure_fails "$src" "$bld" \
    "dismake_mount_image: INDEX 2 is not an image of $base: it has images 1 to 1 \\('Single'"
  configure_fails "$src" "$bld" "CMakeLists.txt:4 \\(dismake_mount_image\\)"
  write_project "$src" "dismake_mount_image(img WIM \"$base\" NAME Singel)
dismake_unmount_image(img DISCARD)"
  configure_fails "$src" "$bld" \
    "dismake_mount_image: NAME 'Singel' is not an image of $base: its images are 'Single'"
}

test_build_error_comes_first() {
  step "a step failing at build time: the helper's message first, no shell wrapper"
  wipe_dir "$src"
  wipe_dir "$bld"
  write_inputs "$src"
  write_project "$src" "$(recipe img "$base" "dismake_delete_files(img_s PATHS Windows/no-such-file.ini)")"
  configure "$src" "$bld"
  build_fails "$bld"
  # Ninja's FAILED line, the short command line, then the helper's error.
  local after
  after=$(grep -A2 '^FAILED: ' <<<"$LAST_STDOUT" | sed -n 3p)
  [[ $after == "dismake: error: "*"no-such-file.ini"* ]] ||
    fail "the line after the command is not the helper's error: $after (output: $LAST_STDOUT)"
  if grep -qE 'sh -c|dismake-step|printf' <<<"$LAST_STDOUT"; then
    fail "the failure shows a shell wrapper: $LAST_STDOUT"
  fi
  grep -qF "$bld/dismake/img/steps/002-delete.log" <<<"$LAST_STDOUT" ||
    fail "the failure does not say where the step's log is: $LAST_STDOUT"
  grep -q "dismake: error: .*no-such-file.ini" "$bld/dismake/img/steps/002-delete.log" ||
    fail "the step's log does not hold the error"
}

test_missing_inputs
test_registry
test_wim_images
test_build_error_comes_first
end_test
