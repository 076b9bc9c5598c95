#!/usr/bin/env bash
# Two images of one base WIM, each with its own mount, sessions and job
# pool, build in parallel (-j2) without interfering: neither image's steps
# depend on the other's, each runs in its own pool (so Ninja may run them at
# once), and each output equals the one a one-job build makes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"

begin_test cmake_parallel
base=$DISMAKE_FIXTURES/base.wim
src=$T/src
bld=$T/build

# One image's recipe: index INDEX of the base, the shared overlay, its own
# marker file and registry value.
edition_recipe() {
  local image=$1 index=$2
  cat <<EOF
dismake_mount_image($image WIM "$base" INDEX $index)
dismake_open_session(${image}_s IMAGE $image)
$(standard_steps "${image}_s")
dismake_add_files(${image}_s SOURCE $image.txt DESTINATION ProgramData/Contoso/edition.txt)
dismake_set_registry_value(${image}_s KEY [[HKLM\\SOFTWARE\\Contoso\\Deployment]] NAME Edition TYPE REG_SZ DATA $image)
dismake_close_session(${image}_s)
dismake_unmount_image($image COMMIT OUTPUT $image.wim)
EOF
}

# Where each image is in the base (and in its output, which is the base
# with that image serviced).
index_of() {
  case $1 in
    pro) echo 1 ;;
    ent) echo 2 ;;
  esac
}

# The last servicing step's stamp of IMAGE (its close-session step).
last_step_stamp() {
  local build=$1 image=$2
  (cd "$build" && ls dismake/"$image"/steps/*-close-session.stamp)
}

# Fails unless nothing IMAGE A builds depends on anything of image B: then
# Ninja may run their steps at the same time. (Asserting that it did would
# depend on timing: on a loaded machine two chains can take turns.)
assert_independent() {
  local build=$1 a=$2 b=$3 inputs
  inputs=$(ninja -C "$build" -t inputs "$(last_step_stamp "$build" "$a")" "$a.wim") ||
    fail "ninja -t inputs failed for image $a"
  ! grep -q "dismake/$b/" <<<"$inputs" ||
    fail "image $a's steps depend on image $b's: $(grep "dismake/$b/" <<<"$inputs")"
}

# Fails unless every servicing step of IMAGE runs in the image's own
# depth-1 pool, dismake_IMAGE: one step of an image at a time, and the
# other image's pool free to run beside it.
assert_own_pool() {
  local build=$1 image=$2 pools
  pools=$(awk -v prefix="build dismake/$image/steps/" '
    index($0, prefix) == 1 && $2 ~ /[0-9]-[a-z-]+\.(stamp|always)$/ { inside = 1; next }
    /^build / { inside = 0 }
    inside && $1 == "pool" { print $3; inside = 0 }' "$build/build.ninja" | sort -u)
  assert_eq "dismake_$image" "$pools" "the pools of image $image's steps"
  grep -A1 -x "pool dismake_$image" "$build/CMakeFiles/rules.ninja" | grep -qx '  depth = 1' ||
    fail "pool dismake_$image is not declared with depth 1"
}

test_parallel_build() {
  step "build two images with -j2"
  build "$bld" -j2
  assert_independent "$bld" pro ent
  assert_independent "$bld" ent pro
  assert_own_pool "$bld" pro
  assert_own_pool "$bld" ent

  local image index
  for image in pro ent; do
    index=$(index_of "$image")
    verify_wim "$bld/$image.wim"
    assert_eq "$image" "$(wim_cat "$bld/$image.wim" "$index" /ProgramData/Contoso/edition.txt)" \
      "$image's edition.txt"
    assert_eq "$image" "$(software_value "$bld/$image.wim" 'Contoso\Deployment' Edition "$index")" \
      "$image's Edition value"
  done
  # Image 2 of the base has a file image 1 lacks: each image kept its own.
  tree_listing "$bld/ent.wim" 2 | grep -qx /Windows/edition2.txt ||
    fail "ent lost the file its base image has"
  ! tree_listing "$bld/pro.wim" 1 | grep -qx /Windows/edition2.txt ||
    fail "pro has the other image's file"
}

test_same_as_one_job() {
  step "each output equals a one-job build's"
  local serial=$T/serial
  configure "$src" "$serial"
  build "$serial" -j1
  local image index
  for image in pro ent; do
    index=$(index_of "$image")
    assert_same_listing "$(wim_detailed "$serial/$image.wim" "$index")" \
      "$(wim_detailed "$bld/$image.wim" "$index")" "$image.wim (-j2 vs -j1)"
  done
}

write_inputs "$src"
echo -n pro >"$src/pro.txt"
echo -n ent >"$src/ent.txt"
write_project "$src" "$(edition_recipe pro "$(index_of pro)")
$(edition_recipe ent "$(index_of ent)")"
configure "$src" "$bld"
test_parallel_build
test_same_as_one_job
end_test
