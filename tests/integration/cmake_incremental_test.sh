#!/usr/bin/env bash
# Incremental builds make the image a clean build makes. After each change
# (delete an overlay file, change one value of a run of registry values,
# remove a step, swap two steps) the incremental build re-runs only the
# steps from the first changed one (a run of values being one step), and a
# build after it runs nothing; its output image (every path, attribute,
# security descriptor, stream hash and XML field), and indeed every byte of
# the WIM, equals that of a clean build of the same sources in another
# build tree.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"

begin_test cmake_incremental
base=$DISMAKE_FIXTURES/single.wim
src=$T/src
bld=$T/build
out=$bld/img.wim

# The recipe's steps: the standard ones (the registry value in a run of
# three, one step), and two adds to the same path, whose order decides what
# the image holds.
STEPS=(
  "dismake_delete_files(img_s PATHS Windows/win.ini)"
  "dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso\\Deployment]] NAME Ring TYPE REG_DWORD DATA 2)
dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso\\Deployment]] NAME Channel TYPE REG_SZ DATA Stable)
dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso\\Look]] NAME Theme TYPE REG_SZ DATA dark)"
  "dismake_add_files(img_s SOURCE overlay DESTINATION /)"
  "dismake_import_registry(img_s FILE settings.reg)"
  "dismake_add_files(img_s SOURCE first.txt DESTINATION ProgramData/Contoso/winner.txt)"
  "dismake_add_files(img_s SOURCE second.txt DESTINATION ProgramData/Contoso/winner.txt)"
  "dismake_apply_unattend(img_s FILE unattend.xml)"
)
OPS=(delete set-registry-values add import-registry add add apply-unattend)

# Writes the project with the current STEPS.
write_steps() {
  write_project "$src" "$(recipe img "$base" "$(printf '%s\n' "${STEPS[@]}")")"
}

# Builds incrementally, checks that exactly the ops from index FIRST of OPS
# ran, then that the output equals a clean build's (made in a build tree
# named after WHAT, unmounted again afterwards).
check_incremental() {
  local first=$1 what=$2 mark clean
  mark=$(events_mark "$bld" img)
  build "$bld"
  assert_events "$bld" img "$mark" "$(expected_events reused "$first" "${OPS[@]}")"
  mark=$(events_mark "$bld" img)
  build "$bld"
  local ran
  ran=$(events_since "$bld" img "$mark" | grep -E '^(step .* (ran|restored)|commit )' || true)
  [[ -z $ran ]] || fail "a no-op build after '$what' ran: $ran"
  clean=$(clean_build "$src" "$what")
  assert_same_image "$out" "$clean/img.wim" "image after: $what (incremental vs clean)"
  # Outputs are reproducible: the same final state gives the same bytes.
  assert_same_file "$out" "$clean/img.wim"
  dismake_ok unmount "$(mount_dir_of "$clean" img)" --discard
  wipe_dir "$clean"
}

test_delete_overlay_file() {
  step "delete an overlay file"
  rm "$src/overlay/ProgramData/Contoso/readme.txt"
  check_incremental 2 delete-overlay-file
  ! tree_listing "$out" 1 | grep -qx /ProgramData/Contoso/readme.txt ||
    fail "the deleted overlay file is still in the image"
}

test_change_registry_value() {
  step "change one value of a run of registry values in CMakeLists.txt"
  assert_eq Stable "$(software_value "$out" 'Contoso\Deployment' Channel)" "Channel before"
  STEPS[1]=${STEPS[1]/DATA Stable/DATA Beta}
  write_steps
  check_incremental 1 change-registry-value
  assert_eq Beta "$(software_value "$out" 'Contoso\Deployment' Channel)" "Channel"
  assert_eq 2 "$(software_value "$out" 'Contoso\Deployment' Ring)" "Ring, set before it"
}

test_remove_step() {
  step "remove a step (the .reg import)"
  unset 'STEPS[3]' 'OPS[3]'
  STEPS=("${STEPS[@]}")
  OPS=("${OPS[@]}")
  write_steps
  check_incremental 3 remove-step
  if software_has_value "$out" 'Contoso\Settings' Homepage; then
    fail "the removed import's values are still in the image"
  fi
}

test_swap_steps() {
  step "swap two steps (two adds to the same path)"
  assert_eq second "$(wim_cat "$out" 1 /ProgramData/Contoso/winner.txt)" "winner before the swap"
  local tmp=${STEPS[3]}
  STEPS[3]=${STEPS[4]}
  STEPS[4]=$tmp
  write_steps
  check_incremental 3 swap-steps
  assert_eq first "$(wim_cat "$out" 1 /ProgramData/Contoso/winner.txt)" "winner after the swap"
}

write_inputs "$src"
echo first >"$src/first.txt"
echo second >"$src/second.txt"
write_steps
configure "$src" "$bld"
build "$bld"
test_delete_overlay_file
test_change_registry_value
test_remove_step
test_swap_steps
end_test
