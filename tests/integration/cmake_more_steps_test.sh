#!/usr/bin/env bash
# Every step verb of the helper has its CMake function, and they do what the
# CLI does: dismake_rename_path, dismake_delete_registry_value,
# dismake_delete_registry_key, dismake_split_wim (.swm parts). A file added
# to a DESTINATION that ends with '/' or names a directory of the image goes
# into that directory, as with cp and xcopy. A run step's label says what it
# runs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"

begin_test cmake_more_steps
base=$DISMAKE_FIXTURES/single.wim
src=$T/src
bld=$T/build
out=$bld/img.wim

write_inputs "$src"
printf 'key=value\r\n' >"$src/app.ini"
printf 'MZ tool\r\n' >"$src/tool.exe"
mkdir -p "$src/scripts"
printf 'echo tuned >ProgramData/tuned.txt\n' >"$src/scripts/tune.sh"
write_project "$src" "$(recipe img "$base" "dismake_add_files(img_s SOURCE app.ini DESTINATION \"Program Files/Contoso/\")
dismake_add_files(img_s SOURCE tool.exe DESTINATION windows/system32)
dismake_rename_path(img_s FROM Windows/System32/drivers/etc/lmhosts.sam TO Windows/System32/drivers/etc/lmhosts.bak)
dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso\\Old]] NAME A TYPE REG_SZ DATA a)
dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso\\Keep]] NAME A TYPE REG_SZ DATA a)
dismake_set_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso\\Keep]] NAME B TYPE REG_SZ DATA b)
dismake_delete_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso\\Keep]] NAME B)
dismake_delete_registry_value(img_s KEY [[HKLM\\SOFTWARE\\Contoso\\Keep]] NAME Missing IF_EXISTS)
dismake_delete_registry_key(img_s KEY [[HKLM\\SOFTWARE\\Contoso\\Old]])
dismake_delete_registry_key(img_s KEY [[HKLM\\SOFTWARE\\Contoso\\Never]] IF_EXISTS)
dismake_run(img_s COMMAND sh \${CMAKE_CURRENT_SOURCE_DIR}/scripts/tune.sh PATHS ProgramData DEPENDS scripts/tune.sh)")
dismake_split_wim(OUTPUT media/img.swm IMAGE img SIZE 1)"

step "the build"
configure "$src" "$bld"
build "$bld"

step "a file into a directory: DESTINATION ending with '/', or naming a directory"
assert_eq "$(cat "$src/app.ini")" "$(wim_cat "$out" 1 '/Program Files/Contoso/app.ini')" "app.ini"
assert_eq "$(cat "$src/tool.exe")" "$(wim_cat "$out" 1 /Windows/System32/tool.exe)" "tool.exe"
tree_listing "$out" 1 | grep -qx /Windows/System32/tool.exe || fail "tool.exe is not in Windows/System32"

step "rename"
tree_listing "$out" 1 | grep -qx /Windows/System32/drivers/etc/lmhosts.bak || fail "lmhosts.bak is missing"
! tree_listing "$out" 1 | grep -qx /Windows/System32/drivers/etc/lmhosts.sam || fail "lmhosts.sam is still there"
assert_eq "$(wim_cat "$base" 1 /Windows/System32/drivers/etc/lmhosts.sam)" \
  "$(wim_cat "$out" 1 /Windows/System32/drivers/etc/lmhosts.bak)" "the renamed file's content"

step "registry deletions"
assert_eq a "$(software_value "$out" 'Contoso\Keep' A)" "the value kept"
if software_has_value "$out" 'Contoso\Keep' B; then fail "the deleted value is still there"; fi
if software_has_value "$out" 'Contoso\Old' A; then fail "the deleted key is still there"; fi
hive=$(software_hive "$out")
if hivexget "$hive" 'Contoso\Old' >/dev/null 2>&1; then fail "the key Contoso\\Old is still there"; fi
rm -f "$hive"

step "the run step's label"
grep -qx 'dismake img: run: sh scripts/tune.sh: ran (first build)' <<<"$LAST_STDOUT" ||
  fail "the run step's console line: $LAST_STDOUT"
assert_eq tuned "$(wim_cat "$out" 1 /ProgramData/tuned.txt)" "the run step's output"

step "split into .swm parts"
assert_exists "$bld/media/img.swm"
parts=$(find "$bld/media" -name 'img*.swm' | wc -l)
((parts >= 2)) || fail "1 MiB parts of a 3 MiB image: expected 2 or more, got $parts"
wimlib-imagex info "$bld/media/img.swm" | grep -qE "^Part Number: *1/$parts$" ||
  fail "img.swm is not part 1 of $parts"
grep -qE "^dismake: split img -> media/img.swm \(parts of 1 MiB at most\): split into $parts parts$" \
  <<<"$LAST_STDOUT" || fail "the split's console line: $LAST_STDOUT"
mkdir -p "$T/joined"
run_ok wimlib-imagex join "$T/joined/img.wim" "$bld"/media/img*.swm
assert_same_image "$T/joined/img.wim" "$out" "the joined parts"

step "a no-op build splits nothing"
before=$(file_identity "$bld/media/img.swm")
build "$bld"
assert_eq "$before" "$(file_identity "$bld/media/img.swm")" "img.swm's inode and mtime"
end_test
