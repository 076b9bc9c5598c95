#!/usr/bin/env bash
# Every file a commit changes carries the metadata Windows would give it
# (README, "What a changed file keeps"), checked on meta.wim, an NTFS-3G
# capture with security descriptors, hidden/system files, a named stream, a
# short name, hard links and hives with descriptors:
# - content replaced (add over a file, registry steps on a hive, an edit by
#   hand): same descriptor, attributes plus ARCHIVE, streams, short name,
#   and both names of a hard-linked file get the new content, still linked;
# - renamed: same descriptor, attributes and streams, no short name;
# - new files: no descriptor, ARCHIVE; new directories: DIRECTORY only;
# - identical content at two paths is two files, not one (Link Count 1);
# - set-attributes and set-security steps; `mv` in a CLI mount is a rename;
# in a full and in a lazy mount (the same steps give the same bytes), and a
# second commit gives the same bytes again.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_fidelity

META=$DISMAKE_FIXTURES/meta.wim
SEC=/secure.txt
SETTINGS=/Windows/System32/settings.ini
SOFTWARE=/Windows/System32/config/SOFTWARE
NTUSER=/Users/Default/NTUSER.DAT

has_stream() { wim_detailed "$1" 1 "$2" | grep -q "Named data stream \"$3\""; }

# Inputs: a replacement for secure.txt, a .reg, an overlay of two files
# with the same content, a new shared.dll.
mkdir -p "$T/in/overlay"
printf 'replaced secret\r\n' >"$T/in/secure.txt"
printf 'same bytes\r\n' >"$T/in/overlay/a.txt"
printf 'same bytes\r\n' >"$T/in/overlay/b.txt"
printf 'patched system binary\r\n' >"$T/in/shared.dll"
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Contoso]\r\n"Imported"=dword:00000001\r\n' \
  >"$T/in/policy.reg"

# The same servicing steps, on the mount $1.
service() {
  local m=$1
  dismake_ok add "$m" "$T/in/secure.txt" secure.txt
  dismake_ok set-registry-value "$m" 'HKLM\SOFTWARE\Contoso' Channel REG_SZ stable
  dismake_ok set-registry-value "$m" 'HKCU\Software\Contoso' Theme REG_SZ dark
  dismake_ok import-registry "$m" "$T/in/policy.reg"
  dismake_ok rename "$m" readonly.txt Windows/renamed.txt
  dismake_ok add "$m" "$T/in/overlay" ProgramData/One
  dismake_ok add "$m" "$T/in/overlay" ProgramData/Two
  dismake_ok add "$m" "$T/in/shared.dll" Windows/System32/shared.dll
  dismake_ok set-attributes "$m" plain.txt +H +S -A
  dismake_ok set-security "$m" "Program Files/App/app.exe" --like secure.txt
}

step "services a full and a lazy mount with the same steps"
dismake_ok mount "$META" "$T/full" --index 1
service "$T/full"
dismake_ok commit "$T/full" --output "$T/full.wim"
# A copy: an image is mounted read-write in one place only, as with DISM.
fixture_copy meta.wim "$T/meta-copy.wim"
dismake_ok mount "$T/meta-copy.wim" "$T/lazy" --index 1 --lazy
service "$T/lazy"
dismake_ok commit "$T/lazy" --output "$T/lazy.wim"
verify_wim "$T/full.wim"
assert_same_file "$T/full.wim" "$T/lazy.wim"
OUT=$T/full.wim

step "content replaced: descriptor, attributes + ARCHIVE kept"
assert_eq "$(wim_descriptor "$META" $SEC)" "$(wim_descriptor "$OUT" $SEC)" "descriptor of $SEC"
assert_eq 0x00000026 "$(wim_attributes "$OUT" $SEC)" "attributes of $SEC (hidden, system, archive)"
assert_eq $'replaced secret\r' "$(wim_cat "$OUT" 1 $SEC)" "content of $SEC"

step "registry steps keep each hive's descriptor and attributes"
for hive in $SOFTWARE /Windows/System32/config/SYSTEM $NTUSER; do
  [[ -n $(wim_descriptor "$META" "$hive") ]] || fail "meta.wim: $hive has no descriptor"
  assert_eq "$(wim_descriptor "$META" "$hive")" "$(wim_descriptor "$OUT" "$hive")" "descriptor of $hive"
  assert_eq "$(wim_attributes "$META" "$hive")" "$(wim_attributes "$OUT" "$hive")" "attributes of $hive"
  [[ $(wim_field "$META" "$hive" Hash) != "$(wim_field "$OUT" "$hive" Hash)" ]] || fail "$hive unchanged"
done

step "a rewritten hard-linked file: both names get the content and stay one file"
assert_eq 2 "$(wim_link_count "$META" /Windows/System32/shared.dll)" "links in meta.wim"
for name in /Windows/System32/shared.dll /Windows/WinSxS/shared.dll; do
  assert_eq 2 "$(wim_link_count "$OUT" $name)" "link count of $name"
  assert_eq $'patched system binary\r' "$(wim_cat "$OUT" 1 $name)" "content of $name"
done
assert_eq "$(wim_field "$OUT" /Windows/System32/shared.dll 'Link Group ID')" \
  "$(wim_field "$OUT" /Windows/WinSxS/shared.dll 'Link Group ID')" "link group of the two names"

step "renamed: the same file under a new name (no short name, none fits)"
assert_eq "$(wim_descriptor "$META" /readonly.txt)" "$(wim_descriptor "$OUT" /Windows/renamed.txt)" \
  "descriptor of the renamed file"
assert_eq "$(wim_attributes "$META" /readonly.txt)" "$(wim_attributes "$OUT" /Windows/renamed.txt)" \
  "attributes of the renamed file"
wim_detailed "$OUT" 1 /readonly.txt >/dev/null 2>&1 && fail "/readonly.txt is still there"

step "new files: no descriptor, ARCHIVE, no accidental hard link; new directories: DIRECTORY"
for name in /ProgramData/One/a.txt /ProgramData/One/b.txt /ProgramData/Two/a.txt; do
  assert_eq "" "$(wim_descriptor "$OUT" $name)" "descriptor of new $name"
  assert_eq 0x00000020 "$(wim_attributes "$OUT" $name)" "attributes of new $name"
  assert_eq 1 "$(wim_link_count "$OUT" $name)" "link count of $name (same content as others)"
done
assert_eq "" "$(wim_descriptor "$OUT" /ProgramData/One)" "descriptor of a new directory"
assert_eq 0x00000010 "$(wim_attributes "$OUT" /ProgramData/One)" "attributes of a new directory"

step "set-attributes and set-security"
assert_eq 0x00000006 "$(wim_attributes "$OUT" /plain.txt)" "attributes after +H +S -A"
assert_eq "$(wim_descriptor "$META" $SEC)" "$(wim_descriptor "$OUT" "/Program Files/App/app.exe")" \
  "descriptor after set-security --like secure.txt"
expect_fail 0x80070032 'is not a file' -- "$DISMAKE" set-attributes "$T/full" Windows +H
expect_fail 0x80070057 "'\\+Q' is not an attribute change" -- \
  "$DISMAKE" set-attributes "$T/full" plain.txt +Q
expect_fail 0x80070003 'is not a path of the base image' -- \
  "$DISMAKE" set-security "$T/full" plain.txt --like nowhere.txt

step "set-attributes and set-security on one name of a hard-linked file change the file"
# Windows sets them on the file, so on every name, and the names stay one
# file; a later content replace of the other name keeps all of it.
DLL=/Windows/System32/shared.dll
SXS=/Windows/WinSxS/shared.dll
# Both names: attributes $1, the descriptor of secure.txt, one link group.
assert_one_file_with() {
  local wim=$1 want=$2
  for name in $DLL $SXS; do
    assert_eq "$want" "$(wim_attributes "$wim" $name)" "attributes of $name"
    assert_eq "$(wim_descriptor "$META" $SEC)" "$(wim_descriptor "$wim" $name)" "descriptor of $name"
    assert_eq 2 "$(wim_link_count "$wim" $name)" "link count of $name"
  done
  assert_eq "$(wim_field "$wim" $DLL 'Link Group ID')" "$(wim_field "$wim" $SXS 'Link Group ID')" \
    "link group of the two names"
}
for kind in full lazy; do
  fixture_copy meta.wim "$T/links-$kind.wim"
  dismake_ok mount "$T/links-$kind.wim" "$T/links-$kind" --index 1 \
    $([[ $kind == lazy ]] && echo --lazy)
  dismake_ok set-attributes "$T/links-$kind" ${SXS#/} +H +R
  dismake_ok set-security "$T/links-$kind" ${SXS#/} --like secure.txt
  dismake_ok commit "$T/links-$kind" --output "$T/links-$kind-out.wim"
  assert_one_file_with "$T/links-$kind-out.wim" 0x00000023
  assert_eq $'shared system binary\r' "$(wim_cat "$T/links-$kind-out.wim" 1 $DLL)" "content of $DLL"
  dismake_ok add "$T/links-$kind" "$T/in/shared.dll" ${DLL#/}
  dismake_ok commit "$T/links-$kind" --output "$T/links-$kind-added.wim"
  assert_one_file_with "$T/links-$kind-added.wim" 0x00000023
  for name in $DLL $SXS; do
    assert_eq $'patched system binary\r' "$(wim_cat "$T/links-$kind-added.wim" 1 $name)" \
      "content of $name"
  done
  dismake_ok unmount "$T/links-$kind" --discard
done
assert_same_file "$T/links-full-added.wim" "$T/links-lazy-added.wim"

step "untouched files keep every bit"
for name in /edit-me.txt "/Long File Name Document.txt" /Users/Public/download.exe; do
  assert_same_listing "$(wim_detailed "$META" 1 "$name")" "$(wim_detailed "$OUT" 1 "$name")" \
    "record of untouched $name"
done

step "edits by hand keep the metadata too (named stream, short name, descriptor)"
printf 'edited by hand\r\n' >"$T/full/Windows/System32/settings.ini"
printf 'a new long text\r\n' >"$T/full/Long File Name Document.txt"
dismake_ok commit "$T/full" --output "$T/hand.wim"
verify_wim "$T/hand.wim"
assert_eq "$(wim_descriptor "$META" $SETTINGS)" "$(wim_descriptor "$T/hand.wim" $SETTINGS)" \
  "descriptor of $SETTINGS"
assert_eq 0x00000026 "$(wim_attributes "$T/hand.wim" $SETTINGS)" "attributes of $SETTINGS"
has_stream "$T/hand.wim" $SETTINGS Zone.Identifier || fail "$SETTINGS lost its named stream"
assert_eq LONGFI~1.TXT "$(wim_field "$T/hand.wim" "/Long File Name Document.txt" 'Short Name' |
  tr -d '"')" "short name of an edited file"
assert_eq $'edited by hand\r' "$(wim_cat "$T/hand.wim" 1 $SETTINGS)" "content of $SETTINGS"

step "mv in the mount is a rename: the moved file keeps its descriptor and stream"
mv "$T/full/Windows/System32/settings.ini" "$T/full/Windows/settings-moved.ini"
dismake_ok commit "$T/full" --output "$T/moved.wim"
assert_eq "$(wim_descriptor "$META" $SETTINGS)" "$(wim_descriptor "$T/moved.wim" /Windows/settings-moved.ini)" \
  "descriptor of the moved file"
has_stream "$T/moved.wim" /Windows/settings-moved.ini Zone.Identifier ||
  fail "the moved file lost its named stream"
wim_detailed "$T/moved.wim" 1 $SETTINGS >/dev/null 2>&1 && fail "$SETTINGS is still there"

step "committing the same state again gives the same bytes"
dismake_ok commit "$T/full" --output "$T/moved-again.wim"
assert_same_file "$T/moved.wim" "$T/moved-again.wim"

step "a hard link made by hand is one file with two names, as an NTFS capture takes it"
# plain.txt: a base file (hidden, system by set-attributes above); new-a.txt
# a new one; a copy next to them stays a file of its own.
ln "$T/full/plain.txt" "$T/full/Windows/plain-link.txt"
printf 'a new file with two names\r\n' >"$T/full/ProgramData/new-a.txt"
ln "$T/full/ProgramData/new-a.txt" "$T/full/ProgramData/new-b.txt"
cp "$T/full/ProgramData/new-a.txt" "$T/full/ProgramData/new-copy.txt"
dismake_ok commit "$T/full" --output "$T/linked.wim"
verify_wim "$T/linked.wim"
for pair in "/plain.txt /Windows/plain-link.txt" "/ProgramData/new-a.txt /ProgramData/new-b.txt"; do
  read -r one other <<<"$pair"
  for name in "$one" "$other"; do
    assert_eq 2 "$(wim_link_count "$T/linked.wim" "$name")" "link count of $name"
  done
  assert_eq "$(wim_field "$T/linked.wim" "$one" 'Link Group ID')" \
    "$(wim_field "$T/linked.wim" "$other" 'Link Group ID')" "link group of $one and $other"
done
assert_eq 0x00000006 "$(wim_attributes "$T/linked.wim" /Windows/plain-link.txt)" \
  "attributes of the new name of plain.txt"
assert_eq "$(wim_descriptor "$META" /plain.txt)" "$(wim_descriptor "$T/linked.wim" /Windows/plain-link.txt)" \
  "descriptor of the new name of plain.txt"
assert_eq "" "$(wim_descriptor "$T/linked.wim" /ProgramData/new-b.txt)" "descriptor of new-b.txt"
assert_eq 1 "$(wim_link_count "$T/linked.wim" /ProgramData/new-copy.txt)" "link count of a copy"
assert_same_listing "$(wim_detailed "$T/moved.wim" 1 /plain.txt | grep -vE '^Link (Count|Group ID)')" \
  "$(wim_detailed "$T/linked.wim" 1 /plain.txt | grep -vE '^Link (Count|Group ID)')" "record of plain.txt"
dismake_ok commit "$T/full" --output "$T/linked-again.wim"
assert_same_file "$T/linked.wim" "$T/linked-again.wim"
# Written through either name, the file changes: both names, still one.
printf 'written through one name\r\n' >"$T/in/through"
dismake_ok add "$T/full" "$T/in/through" Windows/plain-link.txt
dismake_ok add "$T/full" "$T/in/through" ProgramData/new-a.txt
dismake_ok commit "$T/full" --output "$T/linked-written.wim"
for pair in "/plain.txt /Windows/plain-link.txt" "/ProgramData/new-a.txt /ProgramData/new-b.txt"; do
  read -r one other <<<"$pair"
  for name in "$one" "$other"; do
    assert_eq 2 "$(wim_link_count "$T/linked-written.wim" "$name")" "link count of $name, written"
    assert_eq $'written through one name\r' "$(wim_cat "$T/linked-written.wim" 1 "$name")" \
      "content of $name"
  done
done
assert_eq "$(wim_descriptor "$META" /plain.txt)" \
  "$(wim_descriptor "$T/linked-written.wim" /Windows/plain-link.txt)" "descriptor of plain-link.txt, written"

step "add over a reparse point that is not a link replaces the content and drops the reparse point"
# reparse.wim (make_reparse_wim.sh): WOF, dedup, AppExecLink and an unknown
# tag, each with its own descriptor and attributes. Replacing the content
# keeps those (minus REPARSE_POINT, plus ARCHIVE); the reparse data and the
# WOF stream go.
REPARSE=$DISMAKE_TESTDATA/reparse.wim
printf 'replaced content\r\n' >"$T/in/replacement"
# attributes in reparse.wim minus REPARSE_POINT (0x400), plus ARCHIVE
declare -A REPLACED=([/Windows/System32/wof.dll]=0x00000024 [/Users/Public/app.exe]=0x00000020
  [/unknown.bin]=0x00000021 [/Windows/System32/dedup.dat]=0x00000022)
for kind in full lazy; do
  cp "$REPARSE" "$T/reparse-$kind.wim"
  dismake_ok mount "$T/reparse-$kind.wim" "$T/reparse-$kind" --index 1 \
    $([[ $kind == lazy ]] && echo --lazy)
  [[ $LAST_STDERR != *"edits by hand"* ]] || fail "an untouched mount has edits: $LAST_STDERR"
  for name in /Windows/System32/wof.dll /Users/Public/app.exe /unknown.bin; do
    dismake_ok add "$T/reparse-$kind" "$T/in/replacement" "${name#/}"
  done
  dismake_ok commit "$T/reparse-$kind" --output "$T/reparse-$kind-out.wim"
  verify_wim "$T/reparse-$kind-out.wim"
done
for name in /Windows/System32/wof.dll /Users/Public/app.exe /unknown.bin; do
  assert_same_listing "$(wim_detailed "$T/reparse-full-out.wim" 1 $name)" \
    "$(wim_detailed "$T/reparse-lazy-out.wim" 1 $name)" "$name, full mount vs lazy"
done
dismake_ok add "$T/reparse-full" "$T/in/replacement" Windows/System32/dedup.dat
dismake_ok commit "$T/reparse-full" --output "$T/reparse-all.wim"
for name in "${!REPLACED[@]}"; do
  record=$(wim_detailed "$T/reparse-all.wim" 1 "$name")
  assert_eq "${REPLACED[$name]}" "$(wim_attributes "$T/reparse-all.wim" "$name")" "attributes of $name"
  [[ -n $(wim_descriptor "$REPARSE" "$name") ]] || fail "reparse.wim: $name has no descriptor"
  assert_eq "$(wim_descriptor "$REPARSE" "$name")" "$(wim_descriptor "$T/reparse-all.wim" "$name")" \
    "descriptor of $name"
  [[ $record != *"Reparse Tag"* ]] || fail "$name is still a reparse point"
  [[ $record != *WofCompressedData* ]] || fail "$name kept its WofCompressedData stream"
  assert_eq $'replaced content\r' "$(wim_cat "$T/reparse-all.wim" 1 "$name")" "content of $name"
done
for kind in full lazy; do dismake_ok unmount "$T/reparse-$kind" --discard; done

dismake_ok unmount "$T/full" --discard
dismake_ok unmount "$T/lazy" --discard
end_test
