#!/usr/bin/env bash
# Two images of one base WIM, each with its own mount, sessions and job
# pool, build in parallel (-j2) without interfering: their steps overlap in
# time, and each output equals the one a one-job build makes.
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

# The [start, end) times (ms) Ninja logged for IMAGE's servicing steps,
# "start end" a line.
step_intervals() {
  local build=$1 image=$2
  awk -F'\t' -v prefix="dismake/$image/steps/" \
    'index($4, prefix) == 1 && $4 ~ /[0-9]-[a-z-]+\.stamp$/ {print $1, $2}' "$build/.ninja_log"
}

# Succeeds when some step of image A ran while some step of image B ran.
steps_overlap() {
  local build=$1 a=$2 b=$3
  local a_start a_end b_start b_end
  while read -r a_start a_end; do
    while read -r b_start b_end; do
      ((a_start < b_end && b_start < a_end)) && return 0
    done < <(step_intervals "$build" "$b")
  done < <(step_intervals "$build" "$a")
  return 1
}

test_parallel_build() {
  step "build two images with -j2"
  build "$bld" -j2
  steps_overlap "$bld" pro ent ||
    fail "the two images' steps never ran at the same time: $(cat "$bld/.ninja_log")"

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
