#!/usr/bin/env bash
# The build's mount, and what happens to it between builds: a changed base
# WIM is mounted again and every step re-runs; a mount directory deleted by
# hand is brought back; a hand edit inside the mount fails the build, naming
# the paths, until `dismake restore` discards it; after an unmount, the next
# build mounts anew. The output is always the image a clean build makes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"

begin_test cmake_mount
base=$T/base.wim # a private copy: this test changes it
src=$T/src
bld=$T/build
out=$bld/img.wim
mnt=$(mount_dir_of "$bld" img)

# The output equals a clean build's of the same sources (which is then
# unmounted and removed).
assert_like_clean_build() {
  local what=$1 clean
  clean=$(clean_build "$src" "$what")
  assert_same_image "$out" "$clean/img.wim" "image after: $what (incremental vs clean)"
  dismake_ok unmount "$(mount_dir_of "$clean" img)" --discard
  wipe_dir "$clean"
}

test_base_changes() {
  step "the base WIM changes: the image is mounted again and every step re-runs"
  local mark inode
  mark=$(events_mark "$bld" img)
  inode=$(stat -c %i "$out")
  printf 'new in the base\r\n' >"$T/base-news.txt"
  wimlib-imagex update "$base" 1 --command="add '$T/base-news.txt' /Windows/base-news.txt" >/dev/null
  build "$bld"
  # Mounting again starts a new events log in the new mount's record dir.
  assert_events "$bld" img 0 "$(expected_events remounted 0)"
  assert_eq "new in the base" "$(wim_cat "$out" 1 /Windows/base-news.txt | tr -d '\r')" \
    "the base's new file in the output"
  # The new base was written over the previous output, in its own blocks
  # (its record survived the remount), not copied to a new file.
  grep -q "Written on the previous output, the new base copied over it" \
    "$bld/dismake/img/steps/commit.log" ||
    fail "the commit did not reuse the previous output: $(cat "$bld/dismake/img/steps/commit.log")"
  assert_eq "$inode" "$(stat -c %i "$out")" "the output's inode"
  assert_like_clean_build base-changed
}

test_mount_dir_deleted() {
  step "the mount directory is deleted by hand: the next build brings it back"
  local mark before
  mark=$(events_mark "$bld" img)
  before=$(file_identity "$out")
  wipe_dir "$mnt"
  build "$bld"
  assert_exists "$mnt"
  # The tree comes back from the state kept beside it; no step re-runs.
  assert_events "$bld" img "$mark" "remount - -
ensure - restored-tree"
  assert_eq "$before" "$(file_identity "$out")" "the output (nothing changed in the recipe)"
  # ... in the state the steps left it: what they wrote is there again.
  assert_exists "$mnt/Windows/Setup/Scripts/SetupComplete.cmd"
  assert_exists "$mnt/Windows/Panther/unattend.xml"

  # The restored mount serves the next change as well as the old one did.
  REG_CHANNEL=Beta
  write_project "$src" "$(standard_recipe img "$base")"
  mark=$(events_mark "$bld" img)
  build "$bld"
  assert_events "$bld" img "$mark" "$(expected_events reused 1)"
  assert_eq Beta "$(software_value "$out" 'Contoso\Deployment' Channel)" "Channel"
  assert_like_clean_build after-mount-dir-deleted
}

test_hand_edit() {
  step "a hand edit in the mount fails the build, naming the paths"
  local before
  before=$(file_identity "$out")
  echo "edited by hand" >>"$mnt/Windows/System32/drivers/etc/hosts"
  echo "made by hand" >"$mnt/Windows/handmade.txt"
  build_fails "$bld"
  grep -q 'Windows/System32/drivers/etc/hosts' <<<"$LAST_STDOUT" ||
    fail "the failed build does not name the edited file: $LAST_STDOUT"
  grep -q 'Windows/handmade.txt' <<<"$LAST_STDOUT" ||
    fail "the failed build does not name the new file: $LAST_STDOUT"
  grep -q 'dismake restore' <<<"$LAST_STDOUT" ||
    fail "the failed build does not say how to discard the changes: $LAST_STDOUT"
  assert_eq "$before" "$(file_identity "$out")" "the output after a refused build"

  step "dismake restore discards the hand edit; the build succeeds and changes nothing"
  dismake_ok restore "$mnt"
  assert_absent "$mnt/Windows/handmade.txt"
  build "$bld"
  assert_eq "$before" "$(file_identity "$out")" "the output after restore and build"
  assert_like_clean_build after-hand-edit
}

test_unmounted_between_builds() {
  step "unmounted between builds: the next build mounts anew and re-runs every step"
  build "$bld" img-unmount
  assert_absent "$mnt"
  # Only a later step changes: the steps before it must still run, since
  # the new mount has none of the states the old one made.
  REG_CHANNEL=Gamma
  write_project "$src" "$(standard_recipe img "$base")"
  build "$bld"
  assert_events "$bld" img 0 "$(expected_events mounted 0)"
  assert_eq Gamma "$(software_value "$out" 'Contoso\Deployment' Channel)" "Channel"
  assert_like_clean_build after-unmount
}

fixture_copy single.wim "$base"
write_inputs "$src"
write_project "$src" "$(standard_recipe img "$base")"
configure "$src" "$bld"
build "$bld"
test_base_changes
test_hand_edit
test_unmounted_between_builds
test_mount_dir_deleted
end_test
