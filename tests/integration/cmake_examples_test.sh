#!/usr/bin/env bash
# The examples build as users build them, through each way of getting the
# module: examples/basic with find_package(Dismake) from the build tree,
# examples/editions from an installed prefix (two images, -j2), examples/ci
# (unmount in ALL), and a project that adds the dismake source tree with
# add_subdirectory() (configured only: it would build the helper again).
# examples/media is cmake_examples_media_test (it needs the media tools).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"

begin_test cmake_examples
examples=$DISMAKE_SOURCE_DIR/examples

tree=$(helper_build_tree)

test_basic_from_build_tree() {
  step "examples/basic with find_package(Dismake) from the build tree"
  local bld=$T/basic out=$T/basic/contoso.wim mark
  [[ -f $tree/cmake-modules/DismakeConfig.cmake ]] ||
    fail "the build tree has no cmake-modules/DismakeConfig.cmake (is cmake-modules/ added to the build?)"
  configure_example basic "$bld" -DDismake_DIR="$tree/cmake-modules" \
    -DDISMAKE_BASE_WIM="$DISMAKE_FIXTURES/single.wim"
  grep -qF "$tree/plugin/src/cli/dismake" "$bld/build.ninja" ||
    fail "the steps do not run the build tree's helper"
  build "$bld"
  verify_wim "$out"
  assert_eq "$(cat "$examples/basic/overlay/ProgramData/Contoso/readme.txt")" \
    "$(wim_cat "$out" 1 /ProgramData/Contoso/readme.txt)" "the overlay's readme.txt"
  ! tree_listing "$out" 1 | grep -qx /Windows/System32/drivers/etc/lmhosts.sam ||
    fail "lmhosts.sam was not deleted"
  assert_eq Stable "$(software_value "$out" 'Contoso\Deployment' Channel)" "Channel"
  assert_eq 3 "$(software_value "$out" 'Contoso\Deployment' Revision)" "Revision"
  assert_eq https://intranet.contoso.com "$(software_value "$out" 'Contoso\Settings' Homepage)" \
    "the imported Homepage"
  assert_eq "$(cat "$examples/basic/unattend.xml")" \
    "$(wim_cat "$out" 1 /Windows/Panther/unattend.xml)" "the answer file"
  wimlib-imagex info "$out" 1 | grep -qx 'Name: *Contoso Windows 10 Pro' ||
    fail "the image was not renamed"

  mark=$(events_mark "$bld" contoso)
  build "$bld"
  assert_events "$bld" contoso "$mark" "ensure - reused"
}

test_editions_from_install() {
  step "examples/editions with find_package(Dismake) from an installed prefix, -j2"
  local prefix=$T/prefix bld=$T/editions
  run_ok cmake --install "$tree" --prefix "$prefix"
  configure_example editions "$bld" -DCMAKE_PREFIX_PATH="$prefix" \
    -DDISMAKE_BASE_WIM="$DISMAKE_FIXTURES/base.wim"
  grep -qF "$prefix/bin/dismake" "$bld/build.ninja" || fail "the steps do not run the installed helper"
  build "$bld" -j2
  assert_eq Professional "$(software_value "$bld/pro.wim" 'Contoso\Deployment' Edition 1)" \
    "pro's Edition"
  assert_eq Enterprise "$(software_value "$bld/enterprise.wim" 'Contoso\Deployment' Edition 2)" \
    "enterprise's Edition"
  assert_eq Enterprise "$(wim_cat "$bld/enterprise.wim" 2 /ProgramData/Contoso/edition.txt | tr -d '\r')" \
    "enterprise's edition.txt"
  wimlib-imagex info "$bld/pro.wim" 1 | grep -qx 'Name: *Contoso Windows 10 Professional' ||
    fail "pro was not renamed"
}

test_ci() {
  step "examples/ci: the build commits, then unmounts"
  local bld=$T/ci
  configure_example ci "$bld" -DDismake_DIR="$tree/cmake-modules" \
    -DDISMAKE_BASE_WIM="$DISMAKE_FIXTURES/single.wim" -DCONTOSO_BUILD_ID=4711
  build "$bld"
  verify_wim "$bld/contoso.wim"
  assert_eq 4711 "$(software_value "$bld/contoso.wim" 'Contoso\Deployment' BuildId)" "BuildId"
  grep -qxF '"BuildId"="4711"' "$bld/contoso-changes.txt" ||
    fail "the DIFF_REPORT does not show the BuildId value: $(cat "$bld/contoso-changes.txt")"
  assert_absent "$(mount_dir_of "$bld" contoso)"
  assert_absent "$(mount_dir_of "$bld" contoso).dismake"
  dismake_ok list-mounts --json
  [[ $LAST_STDOUT != *"$bld/"* ]] || fail "the CI build left its mount registered: $LAST_STDOUT"
}

test_add_subdirectory() {
  step "a project that adds the dismake source tree runs the helper it builds"
  local src=$T/superbuild bld=$T/superbuild-build
  mkdir -p "$src"
  # The superbuild brings its own wimlib::wimlib (as its find module would):
  # dismake uses it rather than failing to define the name again.
  local wimlib
  wimlib=$(sed -n 's/^WIMLIB_LIBRARY:FILEPATH=//p' "$tree/CMakeCache.txt")
  [[ -f $wimlib ]] || fail "no WIMLIB_LIBRARY in $tree/CMakeCache.txt"
  cat >"$src/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.20)
project(superbuild NONE)
add_library(wimlib::wimlib UNKNOWN IMPORTED GLOBAL)
set_target_properties(wimlib::wimlib PROPERTIES IMPORTED_LOCATION "$wimlib")
add_subdirectory("$DISMAKE_SOURCE_DIR" dismake)
add_subdirectory("$examples/basic" basic)
EOF
  run_ok cmake -S "$src" -B "$bld" -G Ninja -DDISMAKE_BASE_WIM="$DISMAKE_FIXTURES/single.wim"
  grep -qx 'DISMAKE_BUILD_TESTS:BOOL=OFF' "$bld/CMakeCache.txt" ||
    fail "dismake added with add_subdirectory builds its tests by default"
  ! grep -q '^WIMLIB_LIBRARY:' "$bld/CMakeCache.txt" ||
    fail "dismake looked for wimlib although the superbuild defined wimlib::wimlib"
  # The ensure step depends on the helper built in this tree.
  local statement
  statement=$(awk '/^build basic\/dismake\/contoso\/steps\/000-ensure.always / {on = 1} on && /^$/ {exit} on' \
    "$bld/build.ninja")
  grep -qE ': CUSTOM_COMMAND .*dismake/plugin/src/cli/dismake( |$)' <<<"$statement" ||
    fail "the ensure step does not depend on the in-tree helper: $statement"
  grep -qE "$bld/dismake/plugin/src/cli/dismake --step-log $bld/basic/dismake/contoso/steps/000-ensure.log --label .* ensure " \
    <<<"$(step_command "$bld/basic/dismake/contoso/steps/000-ensure.cmake")" ||
    fail "the ensure step does not run the in-tree helper: $statement"
}

test_basic_from_build_tree
test_editions_from_install
test_ci
test_add_subdirectory
end_test
