#!/usr/bin/env bash
# dismake_unmount_image(... DIFF_REPORT <file>): the build writes `dismake
# diff` of the source image against its output beside the output, as text
# or, for a .json name, as JSON; it follows the output when a step changes,
# and is refused where it makes no sense.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"
begin_test cmake_diff_report

BASE=$DISMAKE_FIXTURES/base.wim
src=$T/src
bld=$T/build
write_inputs "$src"
# Image 2 of base.wim: the report must compare the same index in the output.
project() {
  write_project "$src" "
dismake_mount_image(pro WIM \"$BASE\" INDEX 2)
dismake_open_session(pro_s IMAGE pro)
$(standard_steps pro_s)
dismake_close_session(pro_s)
dismake_unmount_image(pro COMMIT OUTPUT pro.wim DIFF_REPORT pro-changes.txt)
dismake_mount_image(json WIM \"$BASE\" NAME \"Windows 10 Pro\")
dismake_open_session(json_s IMAGE json)
dismake_delete_files(json_s PATHS Windows/win.ini)
dismake_close_session(json_s)
dismake_unmount_image(json COMMIT OUTPUT json.wim DIFF_REPORT reports/json.json)"
}

step "configure and build: the reports are written"
project
configure "$src" "$bld"
build "$bld"
report=$bld/pro-changes.txt
assert_exists "$report"
assert_eq "--- $BASE:2" "$(sed -n 1p "$report")" "report header"
assert_eq "+++ $bld/pro.wim:2" "$(sed -n 2p "$report")" "report header: the output's image 2"
grep -qxF '  D  Windows/win.ini  (9 bytes)' "$report" || fail "no deleted win.ini: $(cat "$report")"
grep -qxF '  A  ProgramData/Contoso/readme.txt  (16 bytes)' "$report" || fail "no added readme"
grep -qxF '  NAME: "Windows 10 Enterprise" -> "Test Image"' "$report" || fail "no NAME change"
grep -qxF '"Channel"="Stable"' "$report" || fail "no registry value in the report"
grep -qxF '"Level"=dword:00000002' "$report" || fail "no imported value in the report"
json=$bld/reports/json.json
assert_eq '["removed Windows/win.ini"]' \
  "$(json_eval "$(cat "$json")" "[f['change'] + ' ' + f['path'] for f in j['files']]")" "JSON report"

step "a changed step rewrites the report; an unchanged build leaves it"
build "$bld"
grep -q 'pro-changes.txt' <<<"$LAST_STDOUT" && fail "a no-op build rewrote the report: $LAST_STDOUT"
REG_CHANNEL=Beta project
configure "$src" "$bld"
build "$bld"
grep -qxF '"Channel"="Beta"' "$report" || fail "the report did not follow the output: $(cat "$report")"

step "DIFF_REPORT needs an output"
write_project "$T/bad" "
dismake_mount_image(x WIM \"$BASE\" INDEX 1)
dismake_unmount_image(x DISCARD DIFF_REPORT x.txt)"
configure_fails "$T/bad" "$T/bad-build" "dismake_unmount_image.*DIFF_REPORT goes with COMMIT OUTPUT"

build "$bld" pro-unmount json-unmount
end_test
