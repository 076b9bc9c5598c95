#!/usr/bin/env bash
# `dismake diff`: images made with known changes (dismake's own verbs on a
# mount, wimlib-imagex for metadata dismake cannot change) are compared, and
# the report must list exactly those changes: files with sizes, metadata,
# image properties and, for a changed hive, the keys and values, checked
# against reglookup's listing of both hives. The .reg part of the report,
# imported into the base image, must give the changed registry. A mount is
# compared as the image its commit would write, hand edits included. The
# scratch directory for hives is always removed; bad sides are clear errors.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_diff

eval "lib_$(declare -f hresult_name)"
hresult_name() {
  case ${1^^} in
    0XC1510114) echo DISMAPI_E_NEEDS_REMOUNT ;;
    *) lib_hresult_name "$1" ;;
  esac
}

BASE=$DISMAKE_FIXTURES/base.wim
M=$T/mnt
export TMPDIR=$T/tmp # the diff's private scratch directories go here
mkdir -p "$TMPDIR"
assert_tmp_clean() {
  [[ -z $(ls -A "$TMPDIR") ]] || fail "diff left files in TMPDIR: $(ls -A "$TMPDIR")"
}

# py EXPR: evaluates EXPR on the JSON report in $T/report.json (as `j`).
py() { json_eval "$(cat "$T/report.json")" "$1"; }

# --- known changes, made with dismake's verbs on a mount ---------------------
step "mount base.wim:1 and change it"
mkdir -p "$T/overlay/Tools" "$T/overlay/Windows/System32"
printf 'tool\n' >"$T/overlay/Tools/tool.exe"
printf 'patched kernel32, longer than before\n' >"$T/overlay/Windows/System32/kernel32.dll"
cat >"$T/settings.reg" <<'REG'
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\SOFTWARE\Contoso\Imported]
"Path"=hex(2):25,00,53,00,79,00,73,00,74,00,65,00,6d,00,52,00,6f,00,6f,00,74,00,25,00,00,00
"Big"=hex:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,16,17,18,19,1a,1b,1c,1d,1e,1f,20,21,22,23,24,25,26,27,28,29,2a,2b,2c,2d,2e,2f
"Quote"="say \"hi\" C:\\dir"

[HKEY_LOCAL_MACHINE\SOFTWARE\Contoso\Imported\Deeper\Deepest]
"Deep"=dword:00000007
REG
dismake_ok mount "$BASE" "$M" --index 1
dismake_ok add "$M" "$T/overlay" /
dismake_ok delete "$M" Windows/win.ini
dismake_ok set-registry-value "$M" 'HKLM\SOFTWARE\Contoso' Name REG_SZ 'Contoso Ltd'
dismake_ok set-registry-value "$M" 'HKLM\SOFTWARE\Contoso' Count REG_DWORD 0x2a
dismake_ok set-registry-value "$M" 'HKLM\SOFTWARE\Contoso' Items REG_MULTI_SZ 'a;b'
dismake_ok import-registry "$M" "$T/settings.reg"
dismake_ok set-image-info "$M" --name 'Contoso Pro' --description 'Serviced by dismake'

step "diff against the mount: what its commit would write, hand edits included"
printf 'edited by hand\n' >"$M/Users/Public/hand.txt"
dismake_diff 1 "$BASE:1" "$M" --json
printf '%s\n' "$LAST_STDOUT" >"$T/report.json"
files() { py "sorted(f['change'] + ' ' + f['path'] for f in j['files'] if f['change'] != 'metadata')"; }
expected_files='["added Tools", "added Tools/tool.exe", "added Users/Public/hand.txt", "changed Windows/System32/config/SOFTWARE", "changed Windows/System32/kernel32.dll", "removed Windows/win.ini"]'
assert_eq "$expected_files" "$(files)" "file changes against the mount"
assert_eq "[21, 37]" "$(py "[[f['size_before'], f['size_after']] for f in j['files'] if f['path'].endswith('kernel32.dll')][0]")" "kernel32.dll sizes"
assert_eq 9 "$(py "[f['size_before'] for f in j['files'] if f['path'] == 'Windows/win.ini'][0]")" "win.ini size"
assert_eq '[["NAME", "Windows 10 Pro", "Contoso Pro"], ["DESCRIPTION", "Windows 10 Pro test image", "Serviced by dismake"]]' \
  "$(py "[[p['name'], p['before'], p['after']] for p in j['properties']]")" "property changes"
assert_eq '["Windows/System32/config/SOFTWARE", "HKEY_LOCAL_MACHINE\\SOFTWARE"]' \
  "$(py "[j['registry'][0]['hive'], j['registry'][0]['root']]")" "the changed hive"
assert_tmp_clean
dismake_ok status "$M" --json # the diff changed nothing in the mount

step "commit, and diff the two WIMs"
dismake_ok commit "$M" --output "$T/out.wim"
dismake_diff 1 "$BASE:1" "$T/out.wim:1" --json
printf '%s\n' "$LAST_STDOUT" >"$T/report.json"
assert_eq "$expected_files" "$(files)" "file changes in the committed image"
dismake_diff 1 "$BASE:1" "$T/out.wim" # the output's image at the same index
printf '%s\n' "$LAST_STDOUT" >"$T/report.txt"
assert_eq "--- $BASE:1" "$(sed -n 1p "$T/report.txt")" "text header"
assert_eq "+++ $T/out.wim:1" "$(sed -n 2p "$T/report.txt")" "text header, image taken from the other side"
grep -qxF '  A  Tools/tool.exe  (5 bytes)' "$T/report.txt" || fail "no added line: $(cat "$T/report.txt")"
grep -qxF '  D  Windows/win.ini  (9 bytes)' "$T/report.txt" || fail "no removed line"
grep -qxF '  M  Windows/System32/kernel32.dll  (21 -> 37 bytes)' "$T/report.txt" || fail "no changed line"
grep -qxF '  NAME: "Windows 10 Pro" -> "Contoso Pro"' "$T/report.txt" || fail "no NAME line"
grep -qxF '"Count"=dword:0000002a' "$T/report.txt" || fail "no Count value in .reg syntax"
grep -qxF '"Quote"="say \"hi\" C:\\dir"' "$T/report.txt" || fail "string not escaped as .reg does"
grep -qxF '[HKEY_LOCAL_MACHINE\SOFTWARE\Contoso\Imported\Deeper\Deepest]' "$T/report.txt" || fail "no deep key"
assert_tmp_clean

step "the registry part equals reglookup's difference of the two hives"
mkdir -p "$T/hives/a" "$T/hives/b"
wim_cat "$BASE" 1 /Windows/System32/config/SOFTWARE >"$T/hives/a/SOFTWARE"
wim_cat "$T/out.wim" 1 /Windows/System32/config/SOFTWARE >"$T/hives/b/SOFTWARE"
# reglookup lines "PATH,TYPE,VALUE,MTIME": keys carry an mtime that a rewrite
# changes, so only PATH,TYPE,VALUE are compared.
reg_lines() { reglookup -H "$1" | awk -F, '{ print $1 "," $2 "," $3 }' | sort; }
reg_lines "$T/hives/a/SOFTWARE" >"$T/hives/a.txt"
reg_lines "$T/hives/b/SOFTWARE" >"$T/hives/b.txt"
"$PYTHON" - "$T/hives/a.txt" "$T/hives/b.txt" "$T/report.json" >"$T/hives/compare.txt" <<'PY' || fail "registry part differs from reglookup: $(cat "$T/hives/compare.txt")"
import json, sys
def lines(path):
    entries = {}
    for line in open(path, encoding="utf-8"):
        p, t, v = line.rstrip("\n").split(",", 2)
        entries[(p, t == "KEY")] = (t, v)
    return entries
a, b = lines(sys.argv[1]), lines(sys.argv[2])
expected = set()
for k in a.keys() | b.keys():
    if k not in b: expected.add(("removed",) + k)
    elif k not in a: expected.add(("added",) + k)
    elif a[k] != b[k]: expected.add(("changed",) + k)
reg = json.load(open(sys.argv[3]))["registry"][0]
def path(key, name=None):
    p = "/" + key.replace("\\", "/")
    return p if name is None else (p.rstrip("/") + "/" + name)
actual = {(k["change"], path(k["key"]), True) for k in reg["keys"]}
actual |= {(v["change"], path(v["key"], v["name"]), False) for v in reg["values"]}
if not expected: sys.exit("reglookup sees no difference: the test made none?")
if actual != expected:
    print("missing:", sorted(expected - actual), "extra:", sorted(actual - expected))
    sys.exit(1)
print(len(expected), "differences agree")
PY
cat "$T/hives/compare.txt"

step "the .reg part, imported into the base, gives the changed registry"
sed -n '/^Windows Registry Editor Version 5.00$/,$p' "$T/report.txt" >"$T/effective.reg"
[[ -s $T/effective.reg ]] || fail "the text report has no .reg part"
# A copy: the image is still mounted read-write at $M, and only once is allowed.
fixture_copy base.wim "$T/base-copy.wim"
dismake_ok mount "$T/base-copy.wim" "$T/mnt2" --index 1
dismake_ok import-registry "$T/mnt2" "$T/effective.reg"
dismake_diff 1 "$T/mnt2" "$T/out.wim:1" --json
printf '%s\n' "$LAST_STDOUT" >"$T/report.json"
assert_eq "[]" "$(py "[r for r in j['registry'] if r['keys'] or r['values']]")" "registry after importing the diff's .reg"
dismake_ok unmount "$T/mnt2" --discard

step "a changed value shows what it was; removed keys and values"
dismake_ok restore "$M" # the hand edit goes; steps refuse to run over it
dismake_ok set-registry-value "$M" 'HKLM\SOFTWARE\Contoso' Count REG_DWORD 7
dismake_ok delete-registry-value "$M" 'HKLM\SOFTWARE\Contoso' Items
dismake_ok delete-registry-key "$M" 'HKLM\SOFTWARE\Contoso\Imported'
dismake_diff 1 "$T/out.wim:1" "$M"
printf '%s\n' "$LAST_STDOUT" >"$T/report.txt"
grep -qxF '; was: "Count"=dword:0000002a' "$T/report.txt" || fail "no 'was' line: $(cat "$T/report.txt")"
grep -qxF '"Count"=dword:00000007' "$T/report.txt" || fail "no new Count"
grep -qxF '"Items"=-' "$T/report.txt" || fail "no removed value"
grep -qxF '[-HKEY_LOCAL_MACHINE\SOFTWARE\Contoso\Imported]' "$T/report.txt" || fail "no removed key"
grep -qF 'Imported\Deeper' "$T/report.txt" && fail "a removed subtree is written once, as its top key"
dismake_ok unmount "$M" --discard

step "every changed hive: the default user's, and any file that starts with regf"
mkdir -p "$T/hives-in/Users/Default" "$T/hives-in/ProgramData/App"
cp "$DISMAKE_TESTDATA/minimal.hive" "$T/hives-in/Users/Default/NTUSER.DAT"
cp "$DISMAKE_TESTDATA/minimal.hive" "$T/hives-in/ProgramData/App/app.dat"
{ printf 'regf'; head -c 4092 /dev/zero; } >"$T/hives-in/ProgramData/App/broken.dat"
chmod -R u+w "$T/hives-in"
dismake_ok mount "$T/out.wim" "$T/mnt3" --index 1
dismake_ok add "$T/mnt3" "$T/hives-in" /
dismake_ok commit "$T/mnt3" --output "$T/with-hives.wim"
dismake_ok set-registry-value "$T/mnt3" 'HKCU\Software\Contoso' Theme REG_SZ Dark
# A hive no registry path maps, edited by hand in the working tree.
hivexsh -w "$T/mnt3/ProgramData/App/app.dat" <<'HIVEX' || fail "hivexsh could not edit app.dat"
add Settings
cd Settings
setval 1
Level
dword:5
commit
HIVEX
{ printf 'regf'; head -c 8188 /dev/zero; } >"$T/mnt3/ProgramData/App/broken.dat"
dismake_diff 1 "$T/with-hives.wim" "$T/mnt3"
printf '%s\n' "$LAST_STDOUT" >"$T/report.txt"
grep -qxF '; Users/Default/NTUSER.DAT' "$T/report.txt" || fail "NTUSER.DAT not compared: $(cat "$T/report.txt")"
grep -qxF '[HKEY_USERS\DefaultUser\Software\Contoso]' "$T/report.txt" || fail "no HKCU key"
grep -qxF '"Theme"="Dark"' "$T/report.txt" || fail "no HKCU value"
grep -qxF '; ProgramData/App/app.dat' "$T/report.txt" || fail "app.dat (regf) not compared"
grep -qxF '[HKEY_LOCAL_MACHINE\app.dat\Settings]' "$T/report.txt" || fail "no app.dat key"
grep -qxF '"Level"=dword:00000005' "$T/report.txt" || fail "no app.dat value"
grep -qE "^Hive ProgramData/App/broken.dat not compared: .*registry hive \(0x[0-9A-F]{8} [A-Z_]+\)$" \
  "$T/report.txt" || fail "a damaged hive is not reported as such"
dismake_ok unmount "$T/mnt3" --discard
assert_tmp_clean

# --- metadata, changed with wimlib-imagex (no dismake verb changes it) --------
step "metadata: attributes, security descriptor, streams, short name, hard links"
fixture_copy meta.wim "$T/meta.wim"
fixture_copy base.wim "$T/links.wim"
wim_cat "$T/meta.wim" 1 "/Long File Name Document.txt" >"$T/long.txt"
wim_cat "$T/meta.wim" 1 /secure.txt >"$T/secure.txt"
wim_cat "$T/meta.wim" 1 /Users/Public/download.exe >"$T/download.exe"
# Same content, captured from Linux: no SD, no short name, no stream.
wimlib-imagex update "$T/meta.wim" 1 >/dev/null <<CMDS
add '$T/long.txt' '/Long File Name Document.txt'
add '$T/secure.txt' /secure.txt
add '$T/download.exe' /Users/Public/download.exe
CMDS
dismake_diff 1 "$DISMAKE_FIXTURES/meta.wim" "$T/meta.wim" --json
printf '%s\n' "$LAST_STDOUT" >"$T/report.json"
meta() { py "sorted(set(m['field'] for f in j['files'] if f['path'] == '$1' for m in f['metadata']))"; }
assert_eq '["metadata"]' "$(py "sorted(set(f['change'] for f in j['files']))")" "only metadata changed"
[[ $(meta "Long File Name Document.txt") == *'"short name"'* ]] || fail "short name change not seen: $(meta "Long File Name Document.txt")"
[[ $(meta secure.txt) == *'"security descriptor"'* ]] || fail "SD change not seen: $(meta secure.txt)"
[[ $(meta Users/Public/download.exe) == *'"named streams"'* ]] || fail "ADS change not seen: $(meta Users/Public/download.exe)"
# The descriptor in SDDL, as Windows prints it: the fixture's has a DACL.
sd_before=$(py "[m['before'] for f in j['files'] if f['path'] == 'secure.txt' for m in f['metadata'] if m['field'] == 'security descriptor'][0]")
[[ $sd_before == *D:*'(A;'* ]] || fail "the security descriptor is not shown in SDDL: $sd_before"
assert_eq none "$(py "[m['after'] for f in j['files'] if f['path'] == 'secure.txt' for m in f['metadata'] if m['field'] == 'security descriptor'][0]")" "SD after"
assert_eq "LONGFI~1.TXT" "$(py "[m['before'] for f in j['files'] for m in f['metadata'] if m['field'] == 'short name'][0]")" "short name before"
# A hard link broken into two files of the same content.
wim_cat "$T/links.wim" 1 /Windows/System32/hardlink-b.dll >"$T/b.dll"
wimlib-imagex update "$T/links.wim" 1 --command="add '$T/b.dll' /Windows/System32/hardlink-b.dll" >/dev/null
dismake_diff 1 "$BASE:1" "$T/links.wim:1" --json
printf '%s\n' "$LAST_STDOUT" >"$T/report.json"
assert_eq "Windows/System32/hardlink-b.dll" \
  "$(py "[m['before'] for f in j['files'] if f['path'].endswith('hardlink-a.dll') for m in f['metadata'] if m['field'] == 'hard links'][0]")" \
  "hardlink-a's other name before"
assert_eq none "$(py "[m['after'] for f in j['files'] if f['path'].endswith('hardlink-a.dll') for m in f['metadata'] if m['field'] == 'hard links'][0]")" \
  "hardlink-a's other names after"

step "a mount's attribute-only change is metadata, its untouched named stream unchanged"
# The mount's changed files are not hashed by wimlib until a commit writes
# them: the diff must still see that their content and streams are the base's.
fixture_copy meta.wim "$T/attrs.wim"
dismake_ok mount "$T/attrs.wim" "$T/mnt4" --index 1
dismake_ok set-attributes "$T/mnt4" Users/Public/download.exe +H
dismake_ok set-attributes "$T/mnt4" plain.txt +R +H
dismake_diff 1 "$T/attrs.wim:1" "$T/mnt4" --json
printf '%s\n' "$LAST_STDOUT" >"$T/report.json"
attribute_changes='[["metadata", "Users/Public/download.exe", ["attributes"]], ["metadata", "plain.txt", ["attributes"]]]'
assert_eq "$attribute_changes" \
  "$(py "sorted([f['change'], f['path'], [m['field'] for m in f['metadata']]] for f in j['files'])")" \
  "changes against the mount"
dismake_diff 1 "$T/attrs.wim:1" "$T/mnt4"
grep -qxF '  m  plain.txt' <<<"$LAST_STDOUT" || fail "plain.txt not metadata-only: $LAST_STDOUT"
dismake_ok commit "$T/mnt4" --output "$T/attrs-out.wim"
dismake_diff 1 "$T/attrs.wim:1" "$T/attrs-out.wim:1" --json
printf '%s\n' "$LAST_STDOUT" >"$T/report.json"
assert_eq "$attribute_changes" \
  "$(py "sorted([f['change'], f['path'], [m['field'] for m in f['metadata']]] for f in j['files'])")" \
  "changes in the committed image: as the mount said"
dismake_ok unmount "$T/mnt4" --discard

step "an added file shows its attributes and security descriptor"
fixture_copy meta.wim "$T/added.wim"
printf 'new\n' >"$T/new.txt"
dismake_ok mount "$T/added.wim" "$T/mnt5" --index 1
dismake_ok add "$T/mnt5" "$T/new.txt" /Tools/new.txt
dismake_ok set-attributes "$T/mnt5" Tools/new.txt +H +R
dismake_ok set-security "$T/mnt5" Tools/new.txt --like secure.txt
dismake_ok commit "$T/mnt5" --output "$T/added-out.wim"
dismake_diff 1 "$T/added.wim:1" "$T/added-out.wim:1" --json
printf '%s\n' "$LAST_STDOUT" >"$T/report.json"
for side in "$T/mnt5" "$T/added-out.wim:1"; do
  dismake_diff 1 "$T/added.wim:1" "$side"
  printf '%s\n' "$LAST_STDOUT" >"$T/report.txt"
  grep -A2 -xF '  A  Tools/new.txt  (4 bytes)' "$T/report.txt" >"$T/added-lines.txt" || fail "no added line: $(cat "$T/report.txt")"
  grep -qxF '       attributes: 0x00000023 (READONLY|HIDDEN|ARCHIVE)' "$T/added-lines.txt" ||
    fail "the added file's attributes are not shown ($side): $(cat "$T/added-lines.txt")"
  grep -qE '^       security descriptor: O:.*D:.*\(A;' "$T/added-lines.txt" ||
    fail "the added file's copied descriptor is not shown in SDDL ($side): $(cat "$T/added-lines.txt")"
done
# The same SDDL as the file it was copied from, as the JSON has it.
dismake_diff 1 "$DISMAKE_FIXTURES/meta.wim" "$T/meta.wim" --json
secure_sddl=$(json_eval "$LAST_STDOUT" "[m['before'] for f in j['files'] if f['path'] == 'secure.txt' for m in f['metadata'] if m['field'] == 'security descriptor'][0]")
grep -qxF "       security descriptor: $secure_sddl" "$T/added-lines.txt" ||
  fail "the added file's descriptor is not secure.txt's ($secure_sddl): $(cat "$T/added-lines.txt")"
assert_eq '["", "0x00000023 (READONLY|HIDDEN|ARCHIVE)"]' \
  "$(py "[[m['before'], m['after']] for f in j['files'] if f['path'] == 'Tools/new.txt' for m in f['metadata'] if m['field'] == 'attributes'][0]")" \
  "the added file's attributes in JSON"
dismake_ok unmount "$T/mnt5" --discard

step "renames are renames: by a step, by hand, and a directory with its contents"
# The same file under another name, as the commit renames it (it keeps its
# metadata), not a removal and an addition; a copy is an addition.
fixture_copy base.wim "$T/renames.wim"
dismake_ok mount "$T/renames.wim" "$T/mnt6" --index 1
dismake_ok rename "$T/mnt6" Windows/win.ini Windows/system.ini
dismake_ok rename "$T/mnt6" Windows/Logs Windows/OldLogs
mv "$T/mnt6/Users/Public/desktop.ini" "$T/mnt6/Users/Public/moved.ini"
cp "$T/mnt6/Windows/System32/drivers/etc/hosts" "$T/mnt6/Windows/System32/drivers/etc/hosts.copy"
renames() { py "sorted([f['change'], f['path_before'], f['path']] for f in j['files'] if f['change'] != 'metadata')"; }
expected_renames='[["added", "Windows/System32/drivers/etc/hosts.copy", "Windows/System32/drivers/etc/hosts.copy"], ["renamed", "Users/Public/desktop.ini", "Users/Public/moved.ini"], ["renamed", "Windows/Logs", "Windows/OldLogs"], ["renamed", "Windows/win.ini", "Windows/system.ini"]]'
dismake_diff 1 "$T/renames.wim:1" "$T/mnt6" --json
printf '%s\n' "$LAST_STDOUT" >"$T/report.json"
assert_eq "$expected_renames" "$(renames)" "renames against the mount"
dismake_ok commit "$T/mnt6" --output "$T/renames-out.wim"
dismake_diff 1 "$T/renames.wim:1" "$T/renames-out.wim:1" --json
printf '%s\n' "$LAST_STDOUT" >"$T/report.json"
assert_eq "$expected_renames" "$(renames)" "renames in the committed image"
dismake_diff 1 "$T/renames.wim:1" "$T/renames-out.wim:1"
grep -qxF '  R  Windows/win.ini -> Windows/system.ini' <<<"$LAST_STDOUT" || fail "no rename line: $LAST_STDOUT"
grep -qxF '  R  Windows/Logs/ -> Windows/OldLogs/' <<<"$LAST_STDOUT" || fail "no directory rename line"
grep -qF 'Deep' <<<"$LAST_STDOUT" && fail "the renamed directory's unchanged contents are listed: $LAST_STDOUT"
grep -qE '^[0-9]+ added, [0-9]+ removed, 3 renamed, ' <<<"$LAST_STDOUT" || fail "no rename count in the summary"
dismake_ok unmount "$T/mnt6" --discard

step "identical images"
dismake_diff 0 "$BASE:2" "$BASE:Windows 10 Enterprise" --json
assert_eq true "$(json_eval "$LAST_STDOUT" 'j["identical"]')" "image 2 against itself by name"
dismake_diff 1 "$BASE:1" "$BASE:2"
grep -qxF '  A  Windows/edition2.txt  (20 bytes)' <<<"$LAST_STDOUT" ||
  grep -qE '^  A  Windows/edition2.txt  \([0-9]+ bytes\)$' <<<"$LAST_STDOUT" || fail "edition2.txt not added: $LAST_STDOUT"

step "--output writes the report atomically"
dismake_diff 1 "$BASE:1" "$BASE:2" --output "$T/report-file.txt"
assert_eq "" "$LAST_STDOUT" "stdout with --output"
grep -q 'edition2.txt' "$T/report-file.txt" || fail "--output file lacks the report"
assert_no_temp_files "$T"

step "bad sides are clear errors"
expect_refused 0x80070002 "missing.wim" -- "$DISMAKE" diff "$T/missing.wim" "$BASE:1"
expect_refused 0xC0040005 "image index 3" -- "$DISMAKE" diff "$BASE:3" "$BASE:1"
expect_refused 0xC0040006 "no image named 'Nope'" -- "$DISMAKE" diff "$BASE:Nope" "$BASE:1"
expect_refused 0xC0040005 "has 2 images" -- "$DISMAKE" diff "$BASE" "$DISMAKE_FIXTURES/single.wim"
expect_refused 0x80070057 "names no image" -- "$DISMAKE" diff "$BASE:" "$BASE:1"
mkdir -p "$T/plain-dir"
expect_refused 0x80070490 "plain-dir" -- "$DISMAKE" diff "$BASE:1" "$T/plain-dir"
# As diff(1): trouble is 2, so that it is never taken for "they differ" (1).
for bad in "$T/missing.wim $BASE:1" "$BASE:3 $BASE:1" "$BASE:1" "$BASE:1 $BASE:2 --no-such-option"; do
  rc=0
  # shellcheck disable=SC2086 # the words of $bad are the arguments
  "$DISMAKE" diff $bad >/dev/null 2>&1 || rc=$?
  assert_eq 2 "$rc" "exit status of dismake diff $bad"
done
assert_tmp_clean

end_test
