#!/usr/bin/env bash
# The CMake module on one image, built with real CMake + Ninja: a clean
# build's output holds every change; a rebuild with nothing changed runs no
# servicing step, keeps the mount and leaves the output alone; editing or
# adding an overlay file re-runs that step and the later ones only, without
# re-running CMake; touching one changes nothing in the output.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"

begin_test cmake_build
base=$DISMAKE_FIXTURES/single.wim
src=$T/src
bld=$T/build
out=$bld/img.wim

# The Ninja progress lines ("[3/10] dismake img: add overlay -> /") of the
# last build, without the counters.
progress_lines() {
  grep -E '^\[[0-9]+/[0-9]+\] ' <<<"$LAST_STDOUT" | sed -E 's/^\[[0-9]+\/[0-9]+\] //'
}

test_clean_build() {
  step "clean build: every change is in the output"
  build "$bld"
  verify_wim "$out"
  assert_events "$bld" img 0 "$(expected_events mounted 0)"

  # The console: each step's label, then one line saying what it did;
  # nothing else from the helper, whose output is in the step's log.
  local expected labels
  labels="dismake img: check the mount of single.wim image 1
dismake img: open session img_s
dismake img: delete Windows/win.ini
dismake img: set HKLM\\SOFTWARE\\Contoso\\Deployment\\Channel (REG_SZ)
dismake img: add overlay -> /
dismake img: import registry settings.reg
dismake img: apply unattend unattend.xml
dismake img: set image info (NAME)
dismake img: close session img_s
dismake img: commit -> img.wim"
  assert_same_listing "$labels" "$(progress_lines)" "console lines of a clean build"
  expected="dismake img: check the mount of single.wim image 1: mounted (first build)
dismake img: open session img_s: opened
dismake img: delete Windows/win.ini: ran (first build)
dismake img: set HKLM\\SOFTWARE\\Contoso\\Deployment\\Channel (REG_SZ): ran (first build)
dismake img: add overlay -> /: ran (first build)
dismake img: import registry settings.reg: ran (first build)
dismake img: apply unattend unattend.xml: ran (first build)
dismake img: set image info (NAME): ran (first build)
dismake img: close session img_s: closed
dismake img: commit -> img.wim: committed N changes; R reclaimable"
  assert_same_listing "$expected" \
    "$(outcome_lines | sed -E 's/committed [0-9]+ changes; [0-9.]+ (bytes|KiB|MiB|GiB) reclaimable/committed N changes; R reclaimable/')" \
    "outcome lines of a clean build"
  # ... while each step's own output is in its log.
  grep -q '^dismake: add ' "$bld"/dismake/img/steps/*-add.log ||
    fail "the add step's log does not hold the helper's output"

  # Files: added, replaced, deleted; untouched ones keep their streams.
  assert_eq "$(cat "$src/overlay/Windows/Setup/Scripts/SetupComplete.cmd")" \
    "$(wim_cat "$out" 1 /Windows/Setup/Scripts/SetupComplete.cmd)" "added SetupComplete.cmd"
  assert_eq "$(cat "$src/overlay/Windows/System32/drivers/etc/hosts")" \
    "$(wim_cat "$out" 1 /Windows/System32/drivers/etc/hosts)" "replaced hosts"
  assert_eq "$(cat "$src/unattend.xml")" "$(wim_cat "$out" 1 /Windows/Panther/unattend.xml)" \
    "Windows/Panther/unattend.xml"
  ! tree_listing "$out" 1 | grep -qx /Windows/win.ini || fail "Windows/win.ini was not deleted"
  assert_same_listing "$(wim_detailed "$base" 1 /Windows/Fonts/big.ttf)" \
    "$(wim_detailed "$out" 1 /Windows/Fonts/big.ttf)" "an untouched file's record"

  # Registry: a value set by a step, values imported from the .reg file.
  assert_eq Stable "$(software_value "$out" 'Contoso\Deployment' Channel)" "Channel"
  assert_eq https://intranet.contoso.com "$(software_value "$out" 'Contoso\Settings' Homepage)" \
    "imported Homepage"
  assert_eq 2 "$(software_value "$out" 'Contoso\Settings' Level)" "imported Level"

  # Metadata.
  wimlib-imagex info "$out" 1 | grep -qx 'Name: *Test Image' || fail "the image was not renamed"
}

test_noop_rebuild() {
  step "rebuild with nothing changed: no step runs, the output is not rewritten"
  local mark before
  mark=$(events_mark "$bld" img)
  before=$(file_identity "$out")
  build "$bld"
  # Only the always-run nodes run; their unchanged stamps stop the rest.
  assert_same_listing "dismake img: check the mount of single.wim image 1
dismake img: open session img_s
dismake img: close session img_s" "$(progress_lines)" "what a no-op build runs"
  # ... and say that nothing happened: no line suggests a mount.
  assert_same_listing "dismake img: check the mount of single.wim image 1: up to date, mount reused
dismake img: open session img_s: opened
dismake img: close session img_s: closed" "$(outcome_lines)" "what a no-op build says"
  if grep -iE 'mounted|: mount ' <<<"$LAST_STDOUT"; then
    fail "a no-op build printed a line that suggests a mount"
  fi
  assert_events "$bld" img "$mark" "ensure - reused"
  assert_eq "$before" "$(file_identity "$out")" "the output's inode and mtime"
}

test_edit_overlay_file() {
  step "edit an overlay file: the add step and the later ones re-run, none before, no remount"
  local mark
  mark=$(events_mark "$bld" img)
  printf 'contoso readme, second edition\r\n' >"$src/overlay/ProgramData/Contoso/readme.txt"
  build "$bld"
  assert_events "$bld" img "$mark" "$(expected_events reused 2)"
  assert_eq "$(cat "$src/overlay/ProgramData/Contoso/readme.txt")" \
    "$(wim_cat "$out" 1 /ProgramData/Contoso/readme.txt)" "edited readme.txt"
}

test_touch_overlay_file() {
  step "touch an overlay file without changing it: nothing is applied again, nothing committed"
  local mark before events
  mark=$(events_mark "$bld" img)
  before=$(file_identity "$out")
  touch "$src/overlay/ProgramData/Contoso/readme.txt"
  build "$bld"
  events=$(events_since "$bld" img "$mark")
  # The steps run (Ninja sees a newer input) but find their states known.
  grep -q '^step add ' <<<"$events" || fail "the add step did not run: $events"
  if grep -E ' ran$|^commit ' <<<"$events"; then
    fail "an unchanged input made a step apply its op again, or a commit"
  fi
  assert_eq "$before" "$(file_identity "$out")" "the output's inode and mtime"
}

test_add_overlay_file() {
  step "add a file to the overlay: the step re-runs through its depfile, CMake does not"
  local mark cmake_files
  mark=$(events_mark "$bld" img)
  cmake_files=$(file_identity "$bld/build.ninja")
  mkdir -p "$src/overlay/ProgramData/Contoso/New Dir"
  printf 'new\r\n' >"$src/overlay/ProgramData/Contoso/New Dir/new file.txt"
  build "$bld"
  assert_events "$bld" img "$mark" "$(expected_events reused 2)"
  assert_eq new "$(wim_cat "$out" 1 '/ProgramData/Contoso/New Dir/new file.txt' | tr -d '\r')" \
    "the new overlay file"
  assert_eq "$cmake_files" "$(file_identity "$bld/build.ninja")" "build.ninja (CMake re-ran)"
}

test_targets() {
  step "the <image>-mount target stops before the commit; <image>-unmount only unmounts"
  local mark
  rm "$out"
  mark=$(events_mark "$bld" img)
  build "$bld" img-mount
  assert_absent "$out"
  assert_events "$bld" img "$mark" "ensure - reused"
  build "$bld" img-unmount
  assert_absent "$out"
  assert_absent "$(mount_dir_of "$bld" img)"
  assert_no_mounts
}

write_inputs "$src"
write_project "$src" "$(standard_recipe img "$base")"
configure "$src" "$bld"
test_clean_build
test_noop_rebuild
test_edit_overlay_file
test_touch_overlay_file
test_add_overlay_file
test_targets
end_test
