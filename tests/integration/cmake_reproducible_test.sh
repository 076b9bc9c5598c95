#!/usr/bin/env bash
# Reproducible image output through the CMake module (issue: reproducible
# image output, and the commit options people use). One project, two images
# of single.wim assembled into one WIM:
# - two clean builds in two build trees, at two times, -j1 / -j2 and one /
#   two compression threads, give the same bytes (each image and the
#   assembly);
# - an incremental build after a change gives a clean build's bytes;
# - SOURCE_DATE_EPOCH at build time changes the bytes only through the times;
# - each COMPRESS value, SOLID, CHECK_INTEGRITY and BOOT_INDEX give outputs
#   that verify and extract to the same tree, and changing them re-runs only
#   the commit;
# - the assembled WIM holds both images under their names, verifies, and is
#   re-assembled only when an image's output changes;
# - the new arguments are checked at configure time.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"

begin_test cmake_reproducible
src=$T/src

# The project: image "main" (overlay, a registry value, a name) committed
# with ${COMMIT_OPTIONS}, image "second" (another overlay, another name), and
# editions.wim assembling both (target "editions", from the file name).
mkdir -p "$src/overlay/ProgramData/Contoso" "$src/overlay2/ProgramData/Second"
printf 'v1\r\n' >"$src/overlay/ProgramData/Contoso/version.txt"
printf 'contoso readme\r\n' >"$src/overlay/ProgramData/Contoso/readme.txt"
printf 'second\r\n' >"$src/overlay2/ProgramData/Second/second.txt"
write_project "$src" "
set(COMMIT_OPTIONS \"\" CACHE STRING \"dismake_unmount_image() options of image main\")
dismake_mount_image(main WIM \"$DISMAKE_FIXTURES/single.wim\" INDEX 1)
dismake_open_session(main_s IMAGE main)
dismake_add_files(main_s SOURCE overlay DESTINATION /)
dismake_set_registry_value(main_s KEY [[HKLM\\SOFTWARE\\Contoso\\Deployment]] NAME Channel TYPE REG_SZ DATA Stable)
dismake_set_image_info(main_s NAME \"Contoso Main\")
dismake_close_session(main_s)
dismake_unmount_image(main COMMIT OUTPUT main.wim \${COMMIT_OPTIONS})

dismake_mount_image(second WIM \"$DISMAKE_FIXTURES/single.wim\" INDEX 1)
dismake_open_session(second_s IMAGE second)
dismake_add_files(second_s SOURCE overlay2 DESTINATION /)
dismake_set_image_info(second_s NAME \"Contoso Second\")
dismake_close_session(second_s)
dismake_unmount_image(second COMMIT OUTPUT second.wim)

dismake_assemble_wim(OUTPUT editions.wim IMAGES main second BOOT_INDEX 2)
"

# The SHA-256 of the three outputs of build tree $1, one line.
outputs_sha() {
  echo "main $(sha256 "$1/main.wim") second $(sha256 "$1/second.wim") editions $(sha256 "$1/editions.wim")"
}

# fresh_build NAME [ninja args...]: a clean build of the project in $T/NAME.
fresh_build() {
  local dir=$T/$1
  shift
  wipe_dir "$dir"
  configure "$src" "$dir"
  build "$dir" "$@"
}

test_same_bytes() {
  step "two clean builds, two trees, two times, -j1/-j2, 1/2 threads: same bytes"
  configure "$src" "$T/a" -DCOMMIT_OPTIONS="THREADS;1"
  build "$T/a" -j1
  grep -qF -- '--threads 1' "$T/a/build.ninja" || fail "THREADS did not reach the commit"
  sleep 1.1
  configure "$src" "$T/b" -DCOMMIT_OPTIONS="THREADS;2"
  build "$T/b" -j2
  assert_eq "$(outputs_sha "$T/a")" "$(outputs_sha "$T/b")" "outputs of two clean builds"

  local wim
  for wim in main second editions; do verify_wim "$T/a/$wim.wim"; done
  assert_eq v1 "$(wim_cat "$T/a/main.wim" 1 /ProgramData/Contoso/version.txt | tr -d '\r')" "version.txt"
  assert_eq Stable "$(software_value "$T/a/main.wim" 'Contoso\Deployment' Channel)" "Channel"
  wimlib-imagex info "$T/a/main.wim" 1 | grep -qx 'Name: *Contoso Main' || fail "main was not renamed"
}

test_assembly() {
  step "editions.wim: both images, with their names, verifies, boot index 2"
  local wim=$T/a/editions.wim before
  assert_eq 2 "$(wim_image_count "$wim")" "images in editions.wim"
  wimlib-imagex info "$wim" 1 | grep -qx 'Name: *Contoso Main' || fail "image 1 is not Contoso Main"
  wimlib-imagex info "$wim" 2 | grep -qx 'Name: *Contoso Second' || fail "image 2 is not Contoso Second"
  wimlib-imagex info "$wim" | grep -qE '^Boot Index: *2$' || fail "BOOT_INDEX 2 was not set"
  assert_same_listing "$(tree_listing "$T/a/main.wim" 1)" "$(tree_listing "$wim" 1)" "image 1 of editions.wim"
  assert_same_listing "$(tree_listing "$T/a/second.wim" 1)" "$(tree_listing "$wim" 2)" "image 2 of editions.wim"
  assert_eq second "$(wim_cat "$wim" 2 /ProgramData/Second/second.txt | tr -d '\r')" "second.txt in image 2"
  assert_exists "$T/a/dismake/editions/assemble.log"

  step "an unchanged build does not assemble again; a changed image does"
  before=$(file_identity "$wim")
  build "$T/a"
  [[ $LAST_STDOUT != *assemble* ]] || fail "a build with nothing changed assembled again: $LAST_STDOUT"
  assert_eq "$before" "$(file_identity "$wim")" "editions.wim after an unchanged build"
  build "$T/a" editions
  [[ $LAST_STDOUT != *assemble* ]] || fail "the editions target assembled again: $LAST_STDOUT"
}

test_incremental() {
  step "an incremental build after a change gives the clean build's bytes"
  local old
  old=$(outputs_sha "$T/a")
  printf 'v2\r\n' >"$src/overlay/ProgramData/Contoso/version.txt"
  build "$T/a"
  [[ $LAST_STDOUT == *"assemble main, second -> editions.wim"* ]] ||
    fail "a changed image was not assembled again: $LAST_STDOUT"
  [[ $LAST_STDOUT != *"second: commit"* ]] || fail "an unchanged image was committed again: $LAST_STDOUT"
  [[ $(outputs_sha "$T/a") != "$old" ]] || fail "the change left the outputs as they were"
  fresh_build c -j2
  assert_eq "$(outputs_sha "$T/c")" "$(outputs_sha "$T/a")" "outputs, clean vs incremental"
  assert_eq v2 "$(wim_cat "$T/a/editions.wim" 1 /ProgramData/Contoso/version.txt | tr -d '\r')" \
    "version.txt in editions.wim"
}

test_source_date_epoch() {
  step "SOURCE_DATE_EPOCH changes the bytes only through the times"
  SOURCE_DATE_EPOCH=1700000000 fresh_build d -j1
  sleep 1.1
  SOURCE_DATE_EPOCH=1700000000 fresh_build e -j2
  assert_eq "$(outputs_sha "$T/d")" "$(outputs_sha "$T/e")" "outputs of two builds with SOURCE_DATE_EPOCH"
  [[ $(sha256 "$T/d/main.wim") != "$(sha256 "$T/c/main.wim")" ]] ||
    fail "SOURCE_DATE_EPOCH did not change main.wim"
  [[ $(sha256 "$T/d/editions.wim") != "$(sha256 "$T/c/editions.wim")" ]] ||
    fail "SOURCE_DATE_EPOCH did not change editions.wim"
  assert_same_listing "$(tree_listing "$T/c/main.wim" 1)" "$(tree_listing "$T/d/main.wim" 1)" \
    "tree of main.wim with SOURCE_DATE_EPOCH"
  assert_eq "$(wim_cat "$T/c/main.wim" 1 /ProgramData/Contoso/version.txt)" \
    "$(wim_cat "$T/d/main.wim" 1 /ProgramData/Contoso/version.txt)" "version.txt with SOURCE_DATE_EPOCH"
  wimlib-imagex info "$T/d/main.wim" 1 | grep -q 'Last Modification Time: Tue Nov 14 22:13:20 2023 UTC' ||
    fail "the image's XML time is not SOURCE_DATE_EPOCH"
  wimlib-imagex dir "$T/d/main.wim" 1 --detailed --path=/ProgramData/Contoso/version.txt --one-file-only |
    grep -q 'Last Write Time     = Tue Nov 14 22:13:20 2023 UTC' ||
    fail "an added file's time is not SOURCE_DATE_EPOCH"
  wipe_dir "$T/b"
  wipe_dir "$T/e"
}

# commit_with WHAT OPTIONS: reconfigures tree a with main's COMMIT_OPTIONS
# and builds: only the commit (and the assembly after it) runs, and main.wim
# verifies and extracts to the expected tree.
commit_with() {
  local what=$1 options=$2 mark wim=$T/a/main.wim
  mark=$(events_mark "$T/a" main)
  configure "$src" "$T/a" -DCOMMIT_OPTIONS="$options"
  build "$T/a"
  assert_events "$T/a" main "$mark" "$(printf 'ensure - reused\ncommit - -')"
  verify_wim "$wim"
  assert_same_listing "$expected_tree" "$(tree_listing "$wim" 1)" "tree of main.wim ($what)"
  assert_eq v2 "$(wim_cat "$wim" 1 /ProgramData/Contoso/version.txt | tr -d '\r')" "version.txt ($what)"
  assert_eq Stable "$(software_value "$wim" 'Contoso\Deployment' Channel)" "Channel ($what)"
  verify_wim "$T/a/editions.wim"
}

test_write_options() {
  step "each COMPRESS, SOLID, CHECK_INTEGRITY, BOOT_INDEX: re-runs only the commit, verifies, same tree"
  expected_tree=$(tree_listing "$T/a/main.wim" 1)
  local compress info
  for compress in none xpress lzx lzms; do
    commit_with "COMPRESS $compress" "COMPRESS;$compress"
    wimlib-imagex info "$T/a/main.wim" | grep -qix "Compression: *$compress" ||
      fail "main.wim is not $compress-compressed"
  done
  commit_with SOLID "SOLID"
  info=$(wimlib-imagex info "$T/a/main.wim")
  grep -qx 'Compression: *LZMS' <<<"$info" || fail "the SOLID output is not LZMS"
  # Not `| grep -q`: under pipefail, grep's early exit can fail the pipe.
  blobs=$(wimlib-imagex info "$T/a/main.wim" --blobs)
  grep -q WIM_RESHDR_FLAG_SOLID <<<"$blobs" || fail "the SOLID output has no solid resource"
  commit_with "SOLID COMPRESS xpress" "SOLID;COMPRESS;xpress"
  wimlib-imagex info "$T/a/main.wim" | grep -qx 'Compression: *XPRESS' || fail "SOLID COMPRESS xpress is not XPRESS"
  commit_with CHECK_INTEGRITY "CHECK_INTEGRITY"
  wimlib-imagex info "$T/a/main.wim" | grep -q '^Attributes:.*Integrity info' || fail "no integrity table"
  wimlib-imagex verify "$T/a/main.wim" 2>&1 | grep -q 'Skipping integrity check' &&
    fail "verify skipped the integrity check"
  commit_with "BOOT_INDEX 1" "BOOT_INDEX;1;THREADS;2"
  wimlib-imagex info "$T/a/main.wim" | grep -qE '^Boot Index: *1$' || fail "BOOT_INDEX 1 was not set"
  # Back to the defaults: the clean build's bytes again.
  commit_with defaults ""
  assert_eq "$(outputs_sha "$T/c")" "$(outputs_sha "$T/a")" "outputs back at the default options"
}

test_configure_errors() {
  step "the new arguments are checked at configure time"
  local p=$T/bad
  local mount="dismake_mount_image(img WIM \"$DISMAKE_FIXTURES/single.wim\" INDEX 1)"
  local committed="$mount
dismake_unmount_image(img COMMIT OUTPUT img.wim)"

  write_project "$p" "$mount
dismake_unmount_image(img DISCARD SOLID)"
  configure_fails "$p" "$p/b" 'dismake_unmount_image: SOLID goes with COMMIT, not DISCARD'
  write_project "$p" "$mount
dismake_unmount_image(img DISCARD BOOT_INDEX 1)"
  configure_fails "$p" "$p/b" 'dismake_unmount_image: BOOT_INDEX goes with COMMIT, not DISCARD'
  write_project "$p" "$mount
dismake_unmount_image(img COMMIT OUTPUT img.wim BOOT_INDEX first)"
  configure_fails "$p" "$p/b" "dismake_unmount_image: BOOT_INDEX must be an image index .*'first'"
  write_project "$p" "$mount
dismake_unmount_image(img COMMIT OUTPUT img.wim THREADS 0)"
  configure_fails "$p" "$p/b" "dismake_unmount_image: THREADS must be a positive number"

  write_project "$p" "$committed
dismake_assemble_wim(OUTPUT bundle.wim IMAGES img other)"
  configure_fails "$p" "$p/b" "dismake_assemble_wim: image 'other' \(IMAGES\) is not declared"
  write_project "$p" "$mount
dismake_unmount_image(img DISCARD)
dismake_assemble_wim(OUTPUT bundle.wim IMAGES img)"
  configure_fails "$p" "$p/b" "dismake_assemble_wim: image 'img' \(IMAGES\) is unmounted with DISCARD"
  write_project "$p" "dismake_mount_image(img WIM \"$DISMAKE_FIXTURES/single.wim\" NAME Single)
dismake_unmount_image(img COMMIT OUTPUT img.wim)
dismake_assemble_wim(OUTPUT bundle.wim IMAGES img)"
  configure_fails "$p" "$p/b" "dismake_assemble_wim: image 'img' \(IMAGES\) is mounted by NAME"
  write_project "$p" "$committed
dismake_assemble_wim(OUTPUT install.wim IMAGES img)"
  configure_fails "$p" "$p/b" "dismake_assemble_wim: target name 'install' .* is reserved by CMake: name the target with TARGET"
  write_project "$p" "$committed
dismake_assemble_wim(OUTPUT out/img.wim IMAGES img)"
  configure_fails "$p" "$p/b" "dismake_assemble_wim: target name 'img' .* is taken: a target 'img' already exists: name the target with TARGET"
  write_project "$p" "$committed
dismake_assemble_wim(OUTPUT bundle.wim IMAGES img BOOT_INDEX 2)"
  configure_fails "$p" "$p/b" "dismake_assemble_wim: BOOT_INDEX 2 is not an image of the output"
  write_project "$p" "$committed
dismake_assemble_wim(OUTPUT img.wim TARGET all-images IMAGES img)"
  configure_fails "$p" "$p/b" "dismake_assemble_wim: OUTPUT .*/img.wim is already the output of image 'img'"
  write_project "$p" "$committed
dismake_assemble_wim(OUTPUT bundle.wim IMAGES img img)"
  configure_fails "$p" "$p/b" "dismake_assemble_wim: image 'img' is listed twice"
  write_project "$p" "$committed
dismake_assemble_wim(OUTPUT install.wim TARGET install-wim IMAGES img COMPRESS zip)"
  configure_fails "$p" "$p/b" "dismake_assemble_wim: COMPRESS 'zip' is not one of"
  # And a correct one configures.
  write_project "$p" "$committed
dismake_assemble_wim(OUTPUT install.wim TARGET install-wim IMAGES img COMPRESS lzms CHECK_INTEGRITY)"
  configure "$p" "$p/ok"
  grep -qE 'assemble --output [^ ]*/install\.wim --compress lzms --check' "$p/ok/build.ninja" ||
    fail "the assemble command does not carry its options"
}

test_same_bytes
test_assembly
test_incremental
test_source_date_epoch
test_write_options
test_configure_errors
end_test
