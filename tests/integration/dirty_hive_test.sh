#!/usr/bin/env bash
# A dirty registry hive in an image: a real NTUSER.DAT that Windows had not
# flushed, with the newer data in its .LOG1/.LOG2 (tests/fixtures/data/
# dirty-hive). A registry step replays the logs first, so the committed hive
# has both the logs' data and the edit, and the committed logs are empty:
# nothing can replay over the edit. Checked in the output WIM with reglookup
# (an independent reader), in a CLI mount, a lazy build mount and CMake builds
# (lazy and full; an incremental rebuild gives the clean build's bytes). A
# hive whose logs are damaged is refused, naming it, and nothing changes.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=cmake_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"
set -euo pipefail
begin_test dirty_hive

eval "lib_$(declare -f hresult_name)"
hresult_name() {
  case ${1^^} in
    0X800703F7) echo ERROR_REGISTRY_CORRUPT ;;
    *) lib_hresult_name "$1" ;;
  esac
}

DATA=${DISMAKE_TESTDATA:-$DISMAKE_SOURCE_DIR/tests/fixtures/data}/dirty-hive
PROFILE=Users/Default

# make_image NAME [damage]: a WIM holding the dirty hive and its logs (the
# first log entry of .LOG1 damaged when asked) beside a clean SOFTWARE hive.
make_image() {
  local tree=$T/tree-$1
  mkdir -p "$tree/$PROFILE" "$tree/Windows/System32/config"
  for f in NTUSER.DAT NTUSER.DAT.LOG1 NTUSER.DAT.LOG2; do
    xz -dc "$DATA/$f.xz" >"$tree/$PROFILE/$f"
  done
  if [[ ${2:-} == damage ]]; then
    printf '\xff' | dd of="$tree/$PROFILE/NTUSER.DAT.LOG1" bs=1 seek=1100 conv=notrunc status=none
  elif [[ ${2:-} == damage-later ]]; then
    # The last byte of the fifth log entry (sequence number 570).
    local log=$tree/$PROFILE/NTUSER.DAT.LOG1 at=512 i
    for i in 1 2 3 4; do at=$((at + $(od -An -tu4 -j$((at + 4)) -N4 "$log"))); done
    LATER_AT=$at
    printf '\xff' | dd of="$log" bs=1 seek=$((at + $(od -An -tu4 -j$((at + 4)) -N4 "$log") - 1)) \
      conv=notrunc status=none
  fi
  cp "$DISMAKE_TESTDATA/minimal.hive" "$tree/Windows/System32/config/SOFTWARE"
  chmod 644 "$tree/Windows/System32/config/SOFTWARE"
  wimlib-imagex capture "$tree" "$T/$1.wim" "$1" --compress=none >/dev/null
}

# The header's two sequence numbers of a hive file.
sequence_numbers() {
  od -An -tu4 -j4 -N8 "$1" | xargs
}

# check_output WIM: the committed hive holds the logs' keys and the edit, is
# clean, and its logs are empty.
check_output() {
  local wim=$1 out=$T/check
  wipe_dir "$out"
  mkdir -p "$out"
  verify_wim "$wim"
  wim_cat "$wim" 1 "/$PROFILE/NTUSER.DAT" >"$out/NTUSER.DAT"
  local listing errors
  listing=$(reglookup -H "$out/NTUSER.DAT" 2>"$out/errors")
  errors=$(grep ERROR "$out/errors" || true)
  [[ -z $errors ]] || fail "reglookup reports errors on the committed hive: $errors"
  grep -q '^/Software/Microsoft/Payment,KEY,' <<<"$listing" ||
    fail "a key only the logs held is lost"
  grep -q '^/Software/Microsoft/OneDrive/StandaloneUpdaterSafeMode,DWORD,' <<<"$listing" ||
    fail "a value only the logs held is lost"
  grep -q '^/Software/Contoso/Edited,SZ,yes,' <<<"$listing" || fail "the edit is lost"
  assert_eq yes "$(hivexget "$out/NTUSER.DAT" '\Software\Contoso' Edited)" "the edit (hivex)"
  local seq
  read -ra seq <<<"$(sequence_numbers "$out/NTUSER.DAT")"
  assert_eq "${seq[0]}" "${seq[1]}" "the committed hive's sequence numbers (clean)"
  ((seq[0] > 588)) || fail "the committed hive's sequence number ${seq[0]} is not past the logs'"
  local log size
  for log in NTUSER.DAT.LOG1 NTUSER.DAT.LOG2; do
    size=$(wimlib-imagex dir "$wim" 1 --path="/$PROFILE/$log" --one-file-only --detailed |
      sed -n 's/^Uncompressed size *= *\([0-9]*\) bytes.*/\1/p' | head -n 1)
    assert_eq 0 "$size" "size of $log in the output"
  done
}

make_image dirty
make_image damaged damage
make_image later damage-later

step "a CLI mount: set-registry-value on the dirty hive"
M=$T/mnt
dismake_ok mount "$T/dirty.wim" "$M" --index 1
dismake_ok set-registry-value "$M" 'HKCU\Software\Contoso' Edited REG_SZ yes
dismake_ok commit "$M" --output "$T/cli.wim"
check_output "$T/cli.wim"
dismake_ok unmount "$M" --discard

step "a lazy build mount: the step extracts the logs it replays"
S=$T/stamps
mkdir -p "$S"
L=$T/lazy
dismake_ok ensure --wim "$T/dirty.wim" --index 1 --mount-dir "$L" --stamp "$S/ensure" --quiet
dismake_ok open-session "$L" --name svc --after "$S/ensure" --stamp "$S/open"
dismake_ok set-registry-value "$L" 'HKCU\Software\Contoso' Edited REG_SZ yes \
  --session svc --after "$S/open" --stamp "$S/01"
dismake_ok close-session "$L" --name svc --after "$S/01" --stamp "$S/close"
dismake_ok commit "$L" --after "$S/close" --output "$T/lazy.wim" --quiet
check_output "$T/lazy.wim"

step "import-registry on the dirty hive"
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Contoso]\r\n"Edited"="yes"\r\n' >"$T/edit.reg"
I=$T/import
dismake_ok mount "$T/dirty.wim" "$I" --index 1
dismake_ok import-registry "$I" "$T/edit.reg"
dismake_ok commit "$I" --output "$T/import.wim"
check_output "$T/import.wim"
dismake_ok unmount "$I" --discard

step "delete-registry-key of a key only the logs hold"
K=$T/delete
dismake_ok mount "$T/dirty.wim" "$K" --index 1
dismake_ok delete-registry-key "$K" 'HKCU\Software\Microsoft\Payment'
dismake_ok commit "$K" --output "$T/delete.wim"
wim_cat "$T/delete.wim" 1 "/$PROFILE/NTUSER.DAT" >"$T/deleted.DAT"
listing=$(reglookup -H "$T/deleted.DAT" 2>/dev/null)
! grep -q '^/Software/Microsoft/Payment,KEY,' <<<"$listing" || fail "the deleted key is back"
grep -q '^/Software/Microsoft/OneDrive/StandaloneUpdaterSafeMode,DWORD,' <<<"$listing" ||
  fail "a value only the logs held is lost"
assert_eq 0 "$(wim_cat "$T/delete.wim" 1 "/$PROFILE/NTUSER.DAT.LOG1" | wc -c)" "size of the committed .LOG1"
dismake_ok unmount "$K" --discard

# cmake_project DIR [FULL]: one registry step on the dirty image; its data
# comes from -DEDIT.
cmake_project() {
  write_project "$1" "dismake_mount_image(img WIM \"$T/dirty.wim\" INDEX 1 ${2:-})
dismake_open_session(img_s IMAGE img)
dismake_set_registry_value(img_s KEY [[HKCU\\Software\\Contoso]] NAME Edited TYPE REG_SZ DATA \"\${EDIT}\")
dismake_close_session(img_s)
dismake_unmount_image(img COMMIT OUTPUT img.wim)"
}

for mode in lazy full; do
  step "a CMake build ($mode mount), then an incremental rebuild"
  src=$T/cmake-$mode
  bld=$T/cmake-$mode-build
  cmake_project "$src" "$([[ $mode == full ]] && echo FULL || true)"
  configure "$src" "$bld" -DEDIT=first
  build "$bld"
  wim_cat "$bld/img.wim" 1 "/$PROFILE/NTUSER.DAT" >"$T/first.DAT"
  assert_eq first "$(hivexget "$T/first.DAT" '\Software\Contoso' Edited)" "the first build's edit"
  configure "$src" "$bld" -DEDIT=yes
  build "$bld"
  check_output "$bld/img.wim"
  clean=$T/cmake-$mode-clean
  configure "$src" "$clean" -DEDIT=yes
  build "$clean"
  wim_cat "$clean/img.wim" 1 "/$PROFILE/NTUSER.DAT" >"$T/clean.DAT"
  wim_cat "$bld/img.wim" 1 "/$PROFILE/NTUSER.DAT" >"$T/incremental.DAT"
  assert_same_file "$T/incremental.DAT" "$T/clean.DAT"
  # Byte for byte: the two emptied logs are two files (no accidental link).
  assert_same_file "$clean/img.wim" "$bld/img.wim"
  for log in LOG1 LOG2; do
    [[ $(wim_detailed "$bld/img.wim" 1 "/$PROFILE/NTUSER.DAT.$log" | sed -n 's/^Link Count *= *//p') == 1 ]] ||
      fail "NTUSER.DAT.$log is linked to another file"
  done
done

step "damaged logs: the hive is refused, named, and left alone"
D=$T/damaged-mnt
dismake_ok mount "$T/damaged.wim" "$D" --index 1
expect_refused 0x800703F7 "NTUSER.DAT' is dirty .*NTUSER.DAT.LOG1 has a damaged log entry" -- \
  "$DISMAKE" set-registry-value "$D" 'HKCU\Software\Contoso' Edited REG_SZ yes
grep -q 'reg load' <<<"$LAST_STDERR" || fail "the refusal does not say what to do: $LAST_STDERR"
cmp -s "$D/$PROFILE/NTUSER.DAT" "$T/tree-damaged/$PROFILE/NTUSER.DAT" || fail "the refused hive changed"
cmp -s "$D/$PROFILE/NTUSER.DAT.LOG1" "$T/tree-damaged/$PROFILE/NTUSER.DAT.LOG1" ||
  fail "the refused hive's log changed"
dismake_ok unmount "$D" --discard

step "a damaged later log entry: the replay stops there, as in Windows, with a warning"
L=$T/later-mnt
dismake_ok mount "$T/later.wim" "$L" --index 1
dismake_ok set-registry-value "$L" 'HKCU\Software\Contoso' Edited REG_SZ yes
grep -q "warning: registry hive '.*NTUSER.DAT': NTUSER.DAT.LOG1 has a damaged log entry (.*): log entry 570 at offset $LATER_AT; replay stopped there, as Windows does (entries 566 to 569 applied, 18 later entries not applied)" <<<"$LAST_STDERR" ||
  fail "no warning naming the damaged entry: $LAST_STDERR"
dismake_ok commit "$L" --output "$T/later-out.wim"
wim_cat "$T/later-out.wim" 1 "/$PROFILE/NTUSER.DAT" >"$T/later.DAT"
# Replayed up to 569; the edit's write (hivex) makes it 570.
assert_eq "570 570" "$(sequence_numbers "$T/later.DAT")" "the committed hive's sequence numbers"
dismake_ok unmount "$L" --discard

end_test
