#!/usr/bin/env bash
# A CMake build (a lazy mount, and a FULL one) gives changed files the
# metadata Windows would, as a CLI mount does (cli_fidelity_test.sh has each rule), and keeps
# incremental == clean byte for byte with Windows metadata in play: a file
# replaced over one with a descriptor, a hive edited, identical files at two
# places, attributes and a descriptor set by steps (one on a hard-linked
# file: both its names get them and stay one file).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"

begin_test cmake_fidelity
src=$T/src
META=$DISMAKE_FIXTURES/meta.wim

mkdir -p "$src/overlay"
printf 'replaced secret\r\n' >"$src/secure.txt"
printf 'same bytes\r\n' >"$src/overlay/a.txt"
printf 'same bytes\r\n' >"$src/overlay/b.txt"
# project MODE: the project, its mount lazy or FULL.
project() {
  write_project "$src" "
dismake_mount_image(meta WIM \"$META\" INDEX 1 $1)
dismake_open_session(meta_s IMAGE meta)
dismake_add_files(meta_s SOURCE secure.txt DESTINATION secure.txt)
dismake_set_registry_value(meta_s KEY [[HKLM\\SOFTWARE\\Contoso]] NAME Channel TYPE REG_SZ DATA Stable)
dismake_add_files(meta_s SOURCE overlay DESTINATION ProgramData/One)
dismake_add_files(meta_s SOURCE overlay DESTINATION ProgramData/Two)
dismake_set_attributes(meta_s PATH plain.txt CHANGES +H -A)
dismake_set_security(meta_s PATH \"Program Files/App/app.exe\" LIKE secure.txt)
dismake_set_attributes(meta_s PATH Windows/WinSxS/shared.dll CHANGES +H +R)
dismake_set_security(meta_s PATH Windows/WinSxS/shared.dll LIKE secure.txt)
dismake_close_session(meta_s)
dismake_unmount_image(meta COMMIT OUTPUT meta-out.wim)
"
}

for mode in lazy FULL; do
  printf 'replaced secret\r\n' >"$src/secure.txt"
  printf 'same bytes\r\n' >"$src/overlay/b.txt"
  project "$([[ $mode == FULL ]] && echo FULL || true)"
  a=$T/$mode-a

  step "$mode: a clean build gives changed files Windows's metadata"
  configure "$src" "$a"
  build "$a"
  OUT=$a/meta-out.wim
  verify_wim "$OUT"
  for path in /secure.txt /Windows/System32/config/SOFTWARE; do
    assert_eq "$(wim_field "$META" $path 'Security Descriptor')" \
      "$(wim_field "$OUT" $path 'Security Descriptor')" "descriptor of $path"
  done
  assert_eq 0x00000026 "$(wim_field "$OUT" /secure.txt Attributes)" "attributes of /secure.txt"
  assert_eq 0x00000002 "$(wim_field "$OUT" /plain.txt Attributes)" "attributes of /plain.txt"
  assert_eq "$(wim_field "$META" /secure.txt 'Security Descriptor')" \
    "$(wim_field "$OUT" "/Program Files/App/app.exe" 'Security Descriptor')" "descriptor of app.exe"
  # Set on one name of a hard-linked file: the file, so both names, still one.
  for path in /Windows/System32/shared.dll /Windows/WinSxS/shared.dll; do
    assert_eq 0x00000023 "$(wim_field "$OUT" $path Attributes)" "attributes of $path"
    assert_eq "$(wim_field "$META" /secure.txt 'Security Descriptor')" \
      "$(wim_field "$OUT" $path 'Security Descriptor')" "descriptor of $path"
    assert_eq 2 "$(wim_field "$OUT" $path 'Link Count')" "link count of $path"
  done
  assert_eq "$(wim_field "$OUT" /Windows/System32/shared.dll 'Link Group ID')" \
    "$(wim_field "$OUT" /Windows/WinSxS/shared.dll 'Link Group ID')" "link group of shared.dll"
  for path in /ProgramData/One/a.txt /ProgramData/One/b.txt /ProgramData/Two/a.txt; do
    assert_eq 1 "$(wim_field "$OUT" $path 'Link Count')" "link count of $path"
    assert_eq "" "$(wim_field "$OUT" $path 'Security Descriptor')" "descriptor of new $path"
  done
  clean_sha=$(sha256 "$OUT")
  # A lazy and a full mount give the same image.
  [[ $mode == lazy ]] && lazy_sha=$clean_sha
  assert_eq "$lazy_sha" "$clean_sha" "$mode build vs lazy build"

  step "$mode: a second clean build in another tree gives the same bytes"
  configure "$src" "$T/$mode-b"
  build "$T/$mode-b"
  assert_eq "$clean_sha" "$(sha256 "$T/$mode-b/meta-out.wim")" "second clean build"

  step "$mode: incremental: change inputs, build, change them back, build: the clean bytes"
  printf 'another secret\r\n' >"$src/secure.txt"
  printf 'other bytes\r\n' >"$src/overlay/b.txt"
  build "$a"
  [[ $(sha256 "$OUT") != "$clean_sha" ]] || fail "the change did not change the output"
  assert_eq $'another secret\r' "$(wim_cat "$OUT" 1 /secure.txt)" "secure.txt after the change"
  assert_eq 0x00000026 "$(wim_field "$OUT" /secure.txt Attributes)" "attributes after the change"
  configure "$src" "$T/$mode-c"
  build "$T/$mode-c"
  assert_eq "$(sha256 "$T/$mode-c/meta-out.wim")" "$(sha256 "$OUT")" "incremental vs clean, changed inputs"
  printf 'replaced secret\r\n' >"$src/secure.txt"
  printf 'same bytes\r\n' >"$src/overlay/b.txt"
  build "$a"
  assert_eq "$clean_sha" "$(sha256 "$OUT")" "incremental build back at the first inputs"
done

step "CHANGES are checked at configure time"
write_project "$src/bad" "
dismake_mount_image(meta WIM \"$META\" INDEX 1)
dismake_open_session(meta_s IMAGE meta)
dismake_set_attributes(meta_s PATH plain.txt CHANGES +Q)
"
configure_fails "$src/bad" "$T/bad" "dismake_set_attributes: CHANGES has '\\+Q'"
end_test
