#!/usr/bin/env bash
# The servicing steps through the `dismake` CLI, as a build chains them:
# a lazy mount, a session, every op with --session/--after/--stamp/--depfile,
# commit --after the last stamp. Checked in the committed image with
# wimlib-imagex and hivexget. Then: re-running an unchanged chain runs
# nothing; every refused input is a clear error that changes nothing; a hand
# edit stops the next step, shows in status and is discarded by restore.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -euo pipefail
begin_test steps_cli

# lib.sh names only the codes its own tests use; the steps use a few more.
eval "lib_$(declare -f hresult_name)"
hresult_name() {
  case ${1^^} in
    0X80070003) echo ERROR_PATH_NOT_FOUND ;;
    0X8007000D) echo ERROR_INVALID_DATA ;;
    0XC0040004) echo DISMAPI_E_INVALID_DISM_SESSION ;;
    0X80004005) echo E_FAIL ;;
    *) lib_hresult_name "$1" ;;
  esac
}

M=$T/mnt
S=$T/stamps
mkdir -p "$S"

# The image's files and their content hashes (stable fields only).
tree_digest() {
  wimlib-imagex dir "$1" "${2:-1}" --detailed |
    grep -E '^(Full Path|Attributes|Hash|Uncompressed size) *=' | paste -d' ' - - - - | sort
}

# The mount's state as `status --json` reports it, plus its known states.
mount_state() {
  "$DISMAKE" status "$M" --json
  ls "$M.dismake/states" | sort
}

# --- inputs ------------------------------------------------------------------
mkdir -p "$T/overlay/windows/system32" "$T/overlay/Tools"
printf 'patched kernel32\n' >"$T/overlay/windows/system32/kernel32.dll"
printf 'tool\n' >"$T/overlay/Tools/tool.exe"
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso\\Imported]\r\n"Greeting"="h\xc3\xa9llo"\r\n"Answer"=dword:0000002a\r\n' |
  iconv -f UTF-8 -t UTF-16LE >"$T/body.reg"
{ printf '\xff\xfe'; cat "$T/body.reg"; } >"$T/settings.reg"
cat >"$T/unattend.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<unattend xmlns="urn:schemas-microsoft-com:unattend">
  <settings pass="offlineServicing"><component name="Microsoft-Windows-PnpCustomizationsNonWinPE"/></settings>
  <settings pass="oobeSystem"/>
</unattend>
EOF

# --- the chain -----------------------------------------------------------------
step "ensure (a lazy mount), open a session"
dismake_ok ensure --wim "$DISMAKE_FIXTURES/base.wim" --index 1 --mount-dir "$M" --stamp "$S/ensure" --quiet
dismake_ok status "$M" --json
assert_eq true "$(json_eval "$LAST_STDOUT" 'j["lazy"]')" "ensure makes a lazy mount"
dismake_ok open-session "$M" --name svc --after "$S/ensure" --stamp "$S/open"

# chain N OP ARGS...: step N after step N-1, with stamp and depfile.
prev=$S/open
chain() {
  local n=$1 op=$2
  shift 2
  dismake_ok "$op" "$M" --session svc --after "$prev" --stamp "$S/$n" --depfile "$S/$n.d" "$@"
  prev=$S/$n
}

step "every op as a step"
chain 01 add "$T/overlay" /
grep -q "$T/overlay/Tools/tool.exe" "$S/01.d" || fail "the depfile does not list the overlay's files: $(cat "$S/01.d")"
[[ $(head -c 200 "$S/01.d") == "$S/01:"* ]] || fail "the depfile's target is not the stamp: $(cat "$S/01.d")"
chain 02 set-registry-value 'HKLM\SOFTWARE\Contoso' Name REG_SZ 'Contoso Ltd'
chain 03 set-registry-value 'HKLM\SOFTWARE\Contoso' Count REG_DWORD 0x2a
chain 04 set-registry-value 'HKLM\SOFTWARE\Contoso' Drop REG_SZ x
chain 05 delete-registry-value 'HKLM\SOFTWARE\Contoso' Drop
chain 06 set-registry-value 'HKLM\SOFTWARE\Contoso\Gone\Deep' x REG_SZ x
chain 07 delete-registry-key 'HKLM\SOFTWARE\Contoso\Gone'
chain 08 import-registry "$T/settings.reg"
chain 09 apply-unattend "$T/unattend.xml"
grep -qi 'warning.*offlineServicing' <<<"$LAST_STDERR" ||
  fail "no warning that the offlineServicing pass is not applied: $LAST_STDERR"
chain 10 set-image-info --name 'Contoso Pro' --description 'built by dismake'
chain 11 delete 'windows/LOGS'
chain 12 rename 'Windows/win.ini' 'Windows/system.ini'
# run's --paths and --depends before the step options here; the form with
# `--paths P -- CMD -opt` right after them is checked at the end of the test.
run_step_13() {
  dismake_ok run "$M" --paths 'Users/Public' --depends "$T/unattend.xml" --session svc \
    --after "$S/12" --stamp "$S/13" --depfile "$S/13.d" -- \
    sh -c 'test "$PWD" = "$DISMAKE_MOUNT_DIR" && printf "%s\n" "$(ls Users/Public | wc -l)" > Users/Public/count.txt'
  prev=$S/13
}
run_step_13
dismake_ok close-session "$M" --name svc --after "$prev" --stamp "$S/close"

steps_logged=$(grep -c '"event":"step"' "$M.dismake/events.log")
assert_eq 13 "$steps_logged" "step events in events.log"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$M.dismake/events.log" ||
  fail "events.log is not one JSON object a line"
dismake_ok status "$M" --json
assert_eq 13 "$(json_eval "$LAST_STDOUT" 'len(j["steps"])')" "steps applied (status --json)"
# Lazy: the run step extracted only its declared path (plus what the steps touched).
[[ ! -e $M/Windows/Fonts/big.ttf && ! -e $M/Program\ Files ]] || fail "the lazy mount extracted undeclared paths"

step "commit --after the last stamp"
dismake_ok commit "$M" --after "$S/close" --output "$T/out.wim" --quiet
OUT=$T/out.wim
verify_wim "$OUT"
assert_eq 'patched kernel32' "$(wim_cat "$OUT" 1 /Windows/System32/kernel32.dll)" kernel32.dll
assert_eq 'tool' "$(wim_cat "$OUT" 1 /Tools/tool.exe)" tool.exe
listing=$(tree_listing "$OUT" 1)
! grep -qx '/windows' <<<"$listing" || fail "the overlay's windows/ landed beside Windows/"
! grep -q '^/Windows/Logs' <<<"$listing" || fail "Windows/Logs was not deleted"
grep -qx '/Windows/system.ini' <<<"$listing" || fail "Windows/win.ini was not renamed"
! grep -qx '/Windows/win.ini' <<<"$listing" || fail "Windows/win.ini is still there"
assert_eq 2 "$(wim_cat "$OUT" 1 /Users/Public/count.txt)" "what the run step saw in Users/Public"
wim_cat "$OUT" 1 /Windows/Panther/unattend.xml >"$T/got-unattend.xml"
assert_same_file "$T/unattend.xml" "$T/got-unattend.xml"
info=$(wimlib-imagex info "$OUT" 1)
grep -q '^Name: *Contoso Pro$' <<<"$info" || fail "image name not set: $info"
grep -q '^Description: *built by dismake$' <<<"$info" || fail "image description not set"

wim_cat "$OUT" 1 /Windows/System32/config/SOFTWARE >"$T/SOFTWARE"
assert_eq 'Contoso Ltd' "$(hivexget "$T/SOFTWARE" '\Contoso' Name)" "REG_SZ Name"
assert_eq 42 "$(hivexget "$T/SOFTWARE" '\Contoso' Count)" "REG_DWORD Count"
! hivexget "$T/SOFTWARE" '\Contoso' Drop >/dev/null 2>&1 || fail "deleted value Drop is still there"
! hivexget "$T/SOFTWARE" '\Contoso\Gone' >/dev/null 2>&1 || fail "deleted key Gone is still there"
assert_eq 'héllo' "$(hivexget "$T/SOFTWARE" '\Contoso\Imported' Greeting)" "imported REG_SZ"
assert_eq 42 "$(hivexget "$T/SOFTWARE" '\Contoso\Imported' Answer)" "imported REG_DWORD"

step "the same chain again runs nothing"
prev=$S/open
dismake_ok ensure --wim "$DISMAKE_FIXTURES/base.wim" --index 1 --mount-dir "$M" --stamp "$S/ensure" --quiet
dismake_ok open-session "$M" --name svc --after "$S/ensure" --stamp "$S/open"
chain 01 add "$T/overlay" /
grep -q ': restored from cache$' <<<"$LAST_STDOUT" || fail "step 01 was not restored: $LAST_STDOUT"
chain 02 set-registry-value 'HKLM\SOFTWARE\Contoso' Name REG_SZ 'Contoso Ltd'
grep -q ': restored from cache$' <<<"$LAST_STDOUT" || fail "step 02 was not restored: $LAST_STDOUT"
assert_eq 13 "$(grep -c '"action":"ran"' "$M.dismake/events.log")" "steps that ran in all"

step "refused inputs change nothing"
# Back at the end of the chain.
dismake_ok open-session "$M" --name svc
run_step_13
before=$(mount_state)
tree_before=$(cd "$M" && find . -printf '%y %p %s\n' | sort)
printf 'x' >"$T/f.txt"
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n"v"=dword:nothex\r\n' >"$T/bad.reg"
printf '<unattend><settings>' >"$T/bad.xml"
printf '<?xml version="1.0"?><answers/>' >"$T/notunattend.xml"
refused() { # CODE REGEX -- OP ARGS...
  local code=$1 regex=$2 op=$4
  shift 4
  expect_fail "$code" "$regex" -- "$DISMAKE" "$op" "$M" --after "$S/13" --stamp "$S/refused" "$@"
  assert_absent "$S/refused"
}
refused 0x80070057 "leaves the image root" -- add "$T/f.txt" '../x'
refused 0x80070057 "drive" -- add "$T/f.txt" 'C:\x'
refused 0x80070057 "leaves the image root" -- delete '../../etc'
refused 0x80070002 "nope" -- add "$T/nope" Windows/x
refused 0x80070057 "NOPE|hive" -- set-registry-value 'HKLM\NOPE\X' v REG_SZ v
refused 0x80070057 "REG_FOO|type" -- set-registry-value 'HKLM\SOFTWARE\X' v REG_FOO v
refused 0x8007000D "bad.reg" -- import-registry "$T/bad.reg"
refused 0x8007000D "bad.xml" -- apply-unattend "$T/bad.xml"
refused 0x8007000D "unattend" -- apply-unattend "$T/notunattend.xml"
refused 0x80070003 "NoSuchFile" -- delete Windows/NoSuchFile
refused 0xC0040004 "session" -- add "$T/f.txt" Windows/f.txt --session nosuch
after=$(mount_state)
assert_same_listing "$before" "$after" "status --json and states/ after refused steps"
assert_same_listing "$tree_before" "$(cd "$M" && find . -printf '%y %p %s\n' | sort)" "the tree after refused steps"

step "a hand edit stops the next step until restored"
printf 'edited by hand\r\n' >"$M/Windows/system.ini"
printf 'stray\n' >"$M/Users/Public/stray.txt"
expect_fail 0x8007000D "Windows/system.ini" -- \
  "$DISMAKE" add "$M" "$T/f.txt" Windows/f.txt --after "$S/13" --stamp "$S/14"
grep -q 'Users/Public/stray.txt' <<<"$LAST_STDERR" || fail "the error does not name every untracked path"
grep -q 'dismake restore' <<<"$LAST_STDERR" || fail "the error does not say how to discard the edits"
dismake_ok status "$M"
grep -q 'Windows/system.ini' <<<"$LAST_STDOUT" || fail "status does not list the hand edit: $LAST_STDOUT"
dismake_ok status "$M" --json
assert_eq '["Windows/system.ini"]' "$(json_eval "$LAST_STDOUT" 'j["untracked"]["modified"]')" "untracked modified"
assert_eq '["Users/Public/stray.txt"]' "$(json_eval "$LAST_STDOUT" 'j["untracked"]["added"]')" "untracked added"
dismake_ok restore "$M"
assert_eq '[fonts]' "$(tr -d '\r' <"$M/Windows/system.ini")" "system.ini after restore"
assert_absent "$M/Users/Public/stray.txt"
dismake_ok status "$M" --json
assert_eq 0 "$(json_eval "$LAST_STDOUT" 'sum(len(v) for v in j["untracked"].values())')" "untracked after restore"
dismake_ok add "$M" "$T/f.txt" Windows/f.txt --after "$S/13" --stamp "$S/14"

step "run --paths P -- CMD with options, as documented"
dismake_ok run "$M" --after "$S/14" --stamp "$S/15" --paths 'Users' -- sh -c 'echo documented > Users/doc.txt'
dismake_ok commit "$M" --after "$S/15" --output "$T/out2.wim" --quiet
assert_eq documented "$(wim_cat "$T/out2.wim" 1 /Users/doc.txt)" "the run step's file"
! grep -q "dismake profile:" <<<"$LAST_STDERR" || fail "phase times without DISMAKE_PROFILE: $LAST_STDERR"

step "DISMAKE_PROFILE=1: a step and a commit say where their time and memory went"
printf 'profiled\n' >"$T/p.txt"
DISMAKE_PROFILE=1 dismake_ok add "$M" "$T/p.txt" Windows/p.txt --after "$S/15" --stamp "$S/16"
for phase in "step: op applied" "step: changes recorded"; do
  grep -qE "^dismake profile: $phase [0-9]+\.[0-9]{3} peak [1-9][0-9]*\.[0-9] MiB$" <<<"$LAST_STDERR" ||
    fail "no '$phase' time: $LAST_STDERR"
done
DISMAKE_PROFILE=1 dismake_ok commit "$M" --after "$S/16" --output "$T/out3.wim" --quiet
grep -qE "^dismake profile: commit: wimlib write [0-9]+\.[0-9]{3} peak [1-9][0-9]*\.[0-9] MiB$" <<<"$LAST_STDERR" ||
  fail "no commit write time: $LAST_STDERR"

dismake_ok close-session "$M" --name svc
dismake_ok unmount "$M" --discard
end_test
