#!/usr/bin/env bash
# The whole DISM-style cycle through the CLI: info -> mount -> edit by hand ->
# commit --output -> unmount --discard, then an in-place `unmount --commit`.
# wimlib-imagex is the oracle: the committed image must list exactly the
# original paths plus/minus the edits, with the new content, and the source
# WIM must be byte-identical afterwards.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_cycle

BASE=$DISMAKE_FIXTURES/base.wim
BASE_SHA=$(sha256 "$BASE")

# --- info -------------------------------------------------------------------

# The JSON guid must be the WIM header's GUID: as plain hex (wimlib's form,
# any case, optional 0x) or as a Windows GUID string ({xxxxxxxx-xxxx-...},
# whose first three groups are the little-endian fields of the same 16 bytes).
check_guid() {
  local json_guid=$1 wimlib_guid=$2
  "$PYTHON" - "$json_guid" "$wimlib_guid" <<'PY' || fail "guid '$json_guid' is not the WIM's GUID $wimlib_guid"
import sys, uuid
got, want = sys.argv[1].strip().lower(), sys.argv[2].lower().removeprefix("0x")
raw = bytes.fromhex(want)
forms = {want, "0x" + want}
for u in (uuid.UUID(bytes_le=raw), uuid.UUID(bytes=raw)):
    forms |= {str(u), "{%s}" % u}
sys.exit(0 if got in forms else 1)
PY
}

check_info_json() {
  step "info --json"
  dismake_ok info "$BASE" --json
  local j=$LAST_STDOUT
  assert_eq 2 "$(json_eval "$j" 'j["image_count"]')" image_count
  assert_eq 1 "$(json_eval "$j" 'j["boot_index"]')" boot_index
  assert_eq LZX "$(json_eval "$j" 'j["compression"]')" compression
  check_guid "$(json_eval "$j" 'j["guid"]')" "$(wimlib-imagex info "$BASE" | awk '/^GUID:/ {print $2}')"
  [[ $(json_eval "$j" 'j["path"]') == *base.wim ]] || fail "path does not name base.wim"
  assert_eq 2 "$(json_eval "$j" 'len(j["images"])')" "number of images"

  # Counts must agree with wimlib's own XML.
  local i name edition img win wiminfo
  for i in 1 2; do
    img=$(json_eval "$j" "j['images'][$((i - 1))]")
    wiminfo=$(wimlib-imagex info "$BASE" "$i")
    assert_eq "$i" "$(json_eval "$img" 'j["index"]')" "image $i index"
    assert_eq "$(awk -F': *' '/^Directory Count:/ {print $2}' <<<"$wiminfo")" \
      "$(json_eval "$img" 'j["dir_count"]')" "image $i dir_count"
    assert_eq "$(awk -F': *' '/^File Count:/ {print $2}' <<<"$wiminfo")" \
      "$(json_eval "$img" 'j["file_count"]')" "image $i file_count"
    assert_eq "$(awk -F': *' '/^Total Bytes:/ {print $2}' <<<"$wiminfo")" \
      "$(json_eval "$img" 'j["total_bytes"]')" "image $i total_bytes"

    if ((i == 1)); then
      name="Windows 10 Pro" edition=Professional
    else
      name="Windows 10 Enterprise" edition=Enterprise
    fi
    assert_eq "$name" "$(json_eval "$img" 'j["name"]')" "image $i name"
    assert_eq "$name test image" "$(json_eval "$img" 'j["description"]')" "image $i description"

    # The WINDOWS fields make_fixtures.sh set with --image-property.
    win=$(json_eval "$img" 'j["windows"]')
    assert_eq x64 "$(json_eval "$win" 'j["architecture"]')" "image $i architecture"
    assert_eq "$edition" "$(json_eval "$win" 'j["edition"]')" "image $i edition"
    assert_eq Client "$(json_eval "$win" 'j["installation_type"]')" "image $i installation_type"
    assert_eq WinNT "$(json_eval "$win" 'j["product_type"]')" "image $i product_type"
    assert_eq 10.0.19041.1 "$(json_eval "$win" 'j["version"]')" "image $i version"
    assert_eq '["en-US"]' "$(json_eval "$win" 'j["languages"]')" "image $i languages"
    assert_eq en-US "$(json_eval "$win" 'j["default_language"]')" "image $i default_language"
  done

  step "info --index 2 --json shows only image 2"
  dismake_ok info "$BASE" --index 2 --json
  assert_eq '[2]' "$(json_eval "$LAST_STDOUT" '[i["index"] for i in j["images"]]')" "images listed"

  step "info --json of an image without a WINDOWS element has no \"windows\""
  mkdir -p "$T/plain-tree/data"
  echo hello >"$T/plain-tree/data/hello.txt"
  wimlib-imagex capture "$T/plain-tree" "$T/plain.wim" "Data" --compress=none >/dev/null
  dismake_ok info "$T/plain.wim" --json
  assert_eq false "$(json_eval "$LAST_STDOUT" '"windows" in j["images"][0]')" "has windows"
  assert_eq None "$(json_eval "$LAST_STDOUT" 'j["compression"]')" "compression of an uncompressed WIM"
  dismake_ok info "$DISMAKE_FIXTURES/single.wim" --json
  assert_eq XPRESS "$(json_eval "$LAST_STDOUT" 'j["compression"]')" "compression of single.wim"
}

check_info_text() {
  step "info (text)"
  dismake_ok info "$BASE"
  local want
  for want in "Windows 10 Pro" "Windows 10 Enterprise" "Professional" "Enterprise" \
    "x64" "10.0.19041" "en-US"; do
    grep -qF -- "$want" <<<"$LAST_STDOUT" || fail "info text output lacks '$want'"
  done
}

check_info_json
check_info_text

# --- mount, edit, commit --output, discard ---------------------------------

MNT=$T/mnt
ORIGINAL=$(tree_listing "$BASE" 1)

step "mount image 1"
dismake_ok mount "$BASE" "$MNT" --index 1
assert_exists "$MNT.dismake"
# The record dir sits beside the mount, never inside it (it would be committed).
[[ -z $(find "$MNT" -name '*.dismake*' -print -quit) ]] || fail "state files inside the mount dir"
diff -r "$DISMAKE_FIXTURES/tree" "$MNT" >&2 || fail "mounted tree differs from the captured tree"
assert_eq 1 "$(mounts_json 'len(m)')" "registered mounts"
assert_eq "$MNT" "$(mounts_json 'm[0]["mount_dir"]')" "mount_dir"
assert_eq "$BASE" "$(mounts_json 'm[0]["image_file"]')" "image_file"
assert_eq 1 "$(mounts_json 'm[0]["index"]')" "index"
assert_eq false "$(mounts_json 'm[0]["read_only"]')" "read_only"
assert_eq Ok "$(mounts_json 'm[0]["status"]')" "status"

step "edit the working tree by hand"
NEW_HOSTS=$'127.0.0.1 localhost\r\n10.0.0.1 build-server\r\n'
mkdir -p "$MNT/Windows/NewDir/Sub"
echo "brand new" >"$MNT/Windows/NewDir/Sub/new.txt"                 # added, in new dirs
printf '%s' "$NEW_HOSTS" >"$MNT/Windows/System32/drivers/etc/hosts" # overwritten
rm "$MNT/Windows/win.ini"                                           # deleted file
rm -r "$MNT/Windows/Logs"                                           # deleted dir tree
echo "ユニコード" >"$MNT/Users/Public/Документы/新しい.txt"             # unicode name
mkdir "$MNT/ProgramData/New Empty"                                  # empty dir, space
: >"$MNT/Windows/empty-new.txt"                                     # empty file
: >"$MNT/Users/Public/desktop.ini"                                  # truncated to 0
mv "$MNT/Windows/System32/drivers/etc/lmhosts.sam" \
  "$MNT/Windows/System32/drivers/etc/lmhosts"                        # renamed
rm "$MNT/Windows/System32/kernel32.dll"                             # file -> directory
mkdir "$MNT/Windows/System32/kernel32.dll"
echo "inside" >"$MNT/Windows/System32/kernel32.dll/inner.txt"
rm -r "$MNT/Users/Default/AppData/Local/Temp"                       # directory -> file
echo "now a file" >"$MNT/Users/Default/AppData/Local/Temp"

EXPECTED=$({
  grep -vE '^/Windows/win\.ini$|^/Windows/Logs(/|$)|/lmhosts\.sam$|^/Users/Default/AppData/Local/Temp/' \
    <<<"$ORIGINAL"
  printf '%s\n' /Windows/NewDir /Windows/NewDir/Sub /Windows/NewDir/Sub/new.txt \
    "/Users/Public/Документы/新しい.txt" "/ProgramData/New Empty" /Windows/empty-new.txt \
    /Windows/System32/drivers/etc/lmhosts /Windows/System32/kernel32.dll/inner.txt
} | sort)

# Whether PATH is a directory in image INDEX of WIM.
is_wim_dir() {
  local record
  record=$(wimlib-imagex dir "$1" "$2" --path="$3" --detailed --one-file-only)
  [[ $record == *'FILE_ATTRIBUTE_DIRECTORY is set'* ]]
}

# Checks image INDEX of WIM holds exactly the edits above.
check_edited_image() {
  local wim=$1 index=$2
  assert_same_listing "$EXPECTED" "$(tree_listing "$wim" "$index")" "listing of $wim image $index"
  cmp -s <(printf '%s' "$NEW_HOSTS") <(wim_cat "$wim" "$index" /Windows/System32/drivers/etc/hosts) ||
    fail "hosts in $wim image $index is not the new content"
  assert_eq "brand new" "$(wim_cat "$wim" "$index" /Windows/NewDir/Sub/new.txt)" "new.txt"
  assert_eq "ユニコード" "$(wim_cat "$wim" "$index" "/Users/Public/Документы/新しい.txt")" "unicode file"
  # Untouched files keep their content (the 3 MiB blob, the hard links).
  cmp -s "$DISMAKE_FIXTURES/tree/Windows/Fonts/big.ttf" <(wim_cat "$wim" "$index" /Windows/Fonts/big.ttf) ||
    fail "big.ttf changed in $wim"
  assert_eq "shared by two names" "$(wim_cat "$wim" "$index" /Windows/System32/hardlink-b.dll)" "hard link"
  assert_eq "" "$(wim_cat "$wim" "$index" /Windows/empty-new.txt)" "empty-new.txt"
  assert_eq "" "$(wim_cat "$wim" "$index" /Users/Public/desktop.ini)" "truncated desktop.ini"
  assert_eq "lmhosts sample"$'\r' "$(wim_cat "$wim" "$index" /Windows/System32/drivers/etc/lmhosts)" "renamed file"
  is_wim_dir "$wim" "$index" /Windows/System32/kernel32.dll || fail "kernel32.dll is not a directory"
  assert_eq inside "$(wim_cat "$wim" "$index" /Windows/System32/kernel32.dll/inner.txt)" "inner.txt"
  ! is_wim_dir "$wim" "$index" /Users/Default/AppData/Local/Temp || fail "Temp is still a directory"
  assert_eq "now a file" "$(wim_cat "$wim" "$index" /Users/Default/AppData/Local/Temp)" "Temp file"
}

step "commit --output"
OUT=$T/out.wim
dismake_ok commit "$MNT" --output "$OUT"
verify_wim "$OUT"
check_edited_image "$OUT" 1
dismake_ok info "$OUT" --index 1 --json
assert_eq "Windows 10 Pro" "$(json_eval "$LAST_STDOUT" 'j["images"][0]["name"]')" "committed image name"
assert_sha256 "$BASE" "$BASE_SHA"
assert_no_temp_files "$T"
assert_no_temp_files "$DISMAKE_FIXTURES"

step "commit --compress / --check"
dismake_ok commit "$MNT" --output "$T/xpress.wim" --compress xpress --check
verify_wim "$T/xpress.wim"
check_edited_image "$T/xpress.wim" 1
assert_eq XPRESS "$(wimlib-imagex info "$T/xpress.wim" | awk '/^Compression:/ {print $2}')" "--compress xpress"
[[ $(wimlib-imagex info "$T/xpress.wim") == *$'\nAttributes:'*'Integrity info'* ]] ||
  fail "--check wrote no integrity table"
dismake_ok commit "$MNT" --output "$T/none.wim" --compress none
assert_eq None "$(wimlib-imagex info "$T/none.wim" | awk '/^Compression:/ {print $2}')" "--compress none"
check_edited_image "$T/none.wim" 1
assert_sha256 "$BASE" "$BASE_SHA"

step "unmount --discard"
dismake_ok unmount "$MNT" --discard
assert_absent "$MNT"
assert_absent "$MNT.dismake"
assert_no_mounts
assert_sha256 "$BASE" "$BASE_SHA"
verify_wim "$OUT" # discarding never touches an earlier output
check_edited_image "$OUT" 1

# --- unmount --commit --output ----------------------------------------------

step "unmount --commit --output leaves the source alone"
dismake_ok mount "$BASE" "$MNT" --index 2
echo "via unmount" >"$MNT/Windows/via-unmount.txt"
dismake_ok unmount "$MNT" --commit --output "$T/unmounted.wim"
verify_wim "$T/unmounted.wim"
assert_eq "via unmount" "$(wim_cat "$T/unmounted.wim" 2 /Windows/via-unmount.txt)" "via-unmount.txt"
assert_absent "$MNT"
assert_absent "$MNT.dismake"
assert_no_mounts
assert_sha256 "$BASE" "$BASE_SHA"

# --- unmount --commit in place (DISM's default) -----------------------------

step "mount a copy by name, unmount --commit into it"
COPY=$T/copy.wim
fixture_copy base.wim "$COPY"
IMAGE2_BEFORE=$(wim_detailed "$COPY" 2)
MNT2=$T/mnt2
dismake_ok mount "$COPY" "$MNT2" --name "Windows 10 Pro"
echo "committed in place" >"$MNT2/Windows/in-place.txt"
rm "$MNT2/Windows/System32/ntdll.dll"
dismake_ok unmount "$MNT2" --commit
assert_absent "$MNT2"
assert_absent "$MNT2.dismake"
assert_no_mounts
assert_no_temp_files "$T"

verify_wim "$COPY"
assert_eq 2 "$(wim_image_count "$COPY")" "images in the copy"
assert_same_listing "$({ grep -vx /Windows/System32/ntdll.dll <<<"$ORIGINAL"; echo /Windows/in-place.txt; } | sort)" \
  "$(tree_listing "$COPY" 1)" "image 1 of the copy"
assert_eq "committed in place" "$(wim_cat "$COPY" 1 /Windows/in-place.txt)" "in-place.txt"
assert_same_listing "$IMAGE2_BEFORE" "$(wim_detailed "$COPY" 2)" "image 2 (untouched) metadata"
assert_sha256 "$BASE" "$BASE_SHA"

end_test
