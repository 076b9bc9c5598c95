#!/usr/bin/env bash
# The files add-driver stages (the package in DriverStore\FileRepository\
# <id>\, the INF as Windows\INF\oemN.inf, the boot-start binary in
# System32\drivers) get, after a commit, the metadata a new file gets
# (README, "What a changed file keeps"): ARCHIVE and no security descriptor
# of their own, so that Windows gives them their folder's inheritable ACEs
# when the image is applied, as files Windows creates in those folders
# inherit them; the folders add-driver creates are plain directories; the
# base folders on the way keep their descriptors and attributes. The base is
# meta.wim (real descriptors and attributes, written through NTFS) with the
# reference SYSTEM hive, mounted fully and lazily; `wimlib-imagex dir
# --detailed` reads the committed WIM. A file added with `dismake add` in
# the same folder is the yardstick.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test add_driver_metadata
for tool in openssl xz; do
  command -v $tool >/dev/null || skip_test "$tool is not installed"
done
# shellcheck source=driver_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/driver_lib.sh"

step "a base with Windows metadata and the reference SYSTEM hive"
cp "$DISMAKE_FIXTURES/meta.wim" "$T/win.wim"
chmod u+w "$T/win.wim"
xz -dc "$DRIVER_TESTDATA/SYSTEM.xz" >"$T/SYSTEM"
mark_hive_clean "$T/SYSTEM"
echo "add '$T/SYSTEM' /Windows/System32/config/SYSTEM" |
  run_ok wimlib-imagex update "$T/win.wim" 1
make_package "$T/pkg"
printf 'added by dismake add\r\n' >"$T/added.txt"

# meta_of WIM PATH: the attributes and the security descriptor (or "none").
meta_of() {
  wimlib-imagex dir "$1" 1 --detailed --path="$2" --one-file-only |
    awk -F' = ' '/^Attributes/ { a = $2 } /^Security Descriptor/ { s = $2 }
      END { print a " " (s == "" ? "none" : s) }'
}

for mode in full lazy; do
  step "$mode mount: add-driver, add, commit"
  M=$T/mount-$mode
  flags=(--index 1 --quiet)
  [[ $mode == lazy ]] && flags+=(--lazy)
  dismake_ok mount "$T/win.wim" "$M" "${flags[@]}"
  dismake_ok add-driver "$M" "$T/pkg"
  dismake_ok add "$M" "$T/added.txt" Windows/System32/added.txt
  out=$T/out-$mode.wim
  dismake_ok commit "$M" --output "$out" --quiet
  dismake_ok unmount "$M" --discard --quiet
  store=$(wimlib-imagex dir "$out" 1 | grep -oE '^/Windows/System32/DriverStore/FileRepository/teststor\.inf_amd64_[0-9a-f]{16}$')
  [[ -n $store ]] || fail "no package folder in the committed image"

  step "$mode mount: staged files as a new file, new folders plain, base folders kept"
  yardstick=$(meta_of "$out" /Windows/System32/added.txt)
  assert_eq "0x00000020 none" "$yardstick" "a new file's metadata"
  for f in "$store/teststor.inf" "$store/teststor.sys" "$store/teststor.cat" \
    /Windows/INF/oem12.inf /Windows/System32/drivers/teststor.sys; do
    assert_eq "$yardstick" "$(meta_of "$out" "$f")" "$f"
  done
  for d in "$store" /Windows/System32/DriverStore /Windows/System32/DriverStore/FileRepository \
    /Windows/INF /Windows/System32/drivers; do
    assert_eq "0x00000010 none" "$(meta_of "$out" "$d")" "$d"
  done
  for d in /Windows /Windows/System32 /Windows/System32/config; do
    assert_eq "$(meta_of "$T/win.wim" "$d")" "$(meta_of "$out" "$d")" "base folder $d"
  done
  [[ $(meta_of "$T/win.wim" /Windows/System32) == *" none" ]] &&
    fail "the base's System32 has no descriptor: the check above proves nothing"
done

step "full and lazy mounts give the same metadata"
assert_eq "$(wim_detailed "$T/out-full.wim" 1 | grep -E '^(Full Path|Attributes|Security)')" \
  "$(wim_detailed "$T/out-lazy.wim" 1 | grep -E '^(Full Path|Attributes|Security)')" \
  "metadata of every entry"

end_test
