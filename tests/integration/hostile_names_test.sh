#!/usr/bin/env bash
# Hostile names: names Windows cannot store (device names, trailing dot or
# space, * ? < > | " :, control characters, a backslash, bytes that are not
# UTF-8) are refused with the rule they break, whether they come from an
# overlay, an add or rename destination, or a run step; two overlay entries
# that differ only in case are refused naming both. Nothing is changed.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_names

INVALID_NAME=0x8007007B
NO_UNICODE=0x80070459
ALREADY_EXISTS=0x800700B7
BASE=$DISMAKE_FIXTURES/base.wim
M=$T/m
dismake_ok mount "$BASE" "$M" --index 1
printf 'x\n' >"$T/f.txt"

assert_unchanged() {
  dismake_ok status "$M"
  grep -q 'Untracked changes : none' <<<"$LAST_STDOUT" || fail "untracked changes: $LAST_STDOUT"
  grep -q 'Steps applied : 0' <<<"$LAST_STDOUT" || fail "a step was recorded: $LAST_STDOUT"
}

# refused_overlay NAME CODE REGEX: an overlay holding a file NAME is refused.
refused_overlay() {
  local name=$1 code=$2 regex=$3 dir
  dir=$(mktemp -d "$T/overlay.XXXXXX")
  mkdir -p "$dir/Windows"
  printf 'ok\n' >"$dir/Windows/fine.txt"
  printf 'bad\n' >"$dir/Windows/$name"
  expect_fail "$code" "$regex" -- "$DISMAKE" add "$M" "$dir" /
  assert_absent "$M/Windows/fine.txt"
}

step "names Windows cannot store are refused with the rule they break"
refused_overlay con $INVALID_NAME "'con' .* reserved device name CON"
refused_overlay aux $INVALID_NAME "reserved device name AUX"
refused_overlay nul.txt $INVALID_NAME "'nul.txt' .* reserved device name NUL .*with any extension"
refused_overlay COM1 $INVALID_NAME "reserved device name COM1"
refused_overlay 'lpt9.log' $INVALID_NAME "reserved device name LPT9"
refused_overlay 'trailing.' $INVALID_NAME "ends with a dot"
refused_overlay 'trailing ' $INVALID_NAME "ends with a space"
refused_overlay 'star*' $INVALID_NAME "contains '\*'"
refused_overlay 'what?' $INVALID_NAME "contains '\?'"
refused_overlay 'a<b' $INVALID_NAME "contains '<'"
refused_overlay 'a>b' $INVALID_NAME "contains '>'"
refused_overlay 'a|b' $INVALID_NAME "contains '\|'"
refused_overlay 'a"b' $INVALID_NAME "contains '\"'"
refused_overlay 'abc:def' $INVALID_NAME "contains ':', which Windows reads as an alternate data stream"
refused_overlay $'tab\there' $INVALID_NAME "control character 0x09"
refused_overlay 'back\slash' $INVALID_NAME "contains '\\\\', which Windows reads as a directory separator"
refused_overlay $'latin1-\xe9.txt' $NO_UNICODE "'latin1-\\\\xE9.txt' .* is not valid UTF-8"
assert_unchanged

step "a legal name that only looks like a device name is accepted"
mkdir -p "$T/legal/Windows"
printf 'ok\n' >"$T/legal/Windows/console.txt"
printf 'ok\n' >"$T/legal/Windows/com10.txt"
dismake_ok add "$M" "$T/legal" /
assert_exists "$M/Windows/console.txt"
dismake_ok restore "$M"

step "two overlay entries that differ only in case are refused, naming both"
mkdir -p "$T/case/Windows"
printf 'a\n' >"$T/case/Windows/Readme.txt"
printf 'b\n' >"$T/case/Windows/README.TXT"
expect_fail $ALREADY_EXISTS "'README.TXT' and 'Readme.txt' in '$T/case/Windows' differ only in case" -- \
  "$DISMAKE" add "$M" "$T/case" /

step "add and rename destinations and run results follow the same rules"
M2=$T/m2
# A copy: one image is mounted read-write in one place only.
cp "$BASE" "$T/base2.wim"
dismake_ok mount "$T/base2.wim" "$M2" --index 1 --lazy
expect_fail $INVALID_NAME "'aux.dll' .* reserved device name AUX" -- \
  "$DISMAKE" add "$M2" "$T/f.txt" Windows/aux.dll
expect_fail $INVALID_NAME "'win.ini.' .* ends with a dot" -- \
  "$DISMAKE" rename "$M2" Windows/win.ini Windows/win.ini.
expect_fail $INVALID_NAME "'prn' .* reserved device name PRN" -- \
  "$DISMAKE" run "$M2" --paths Windows -- sh -c 'echo x > Windows/prn; echo y > Windows/ok.txt'
assert_absent "$M2/Windows/prn"
assert_absent "$M2/Windows/ok.txt"
expect_fail $NO_UNICODE "'bad\\\\xFF' .* is not valid UTF-8" -- \
  "$DISMAKE" run "$M2" --paths Windows -- sh -c 'echo x > "Windows/bad$(printf "\377")"'
assert_absent "$M2/Windows/bad"$'\xff'
expect_fail $NO_UNICODE "arguments of the run step are not valid UTF-8" -- \
  "$DISMAKE" run "$M2" --paths Windows -- sh -c "echo x > \"Windows/$(printf 'bad\xff')\""
dismake_ok status "$M2"
grep -q 'Untracked changes : none' <<<"$LAST_STDOUT" || fail "untracked changes: $LAST_STDOUT"
dismake_ok add "$M2" "$T/f.txt" Windows/fine.txt
dismake_ok unmount "$M2" --discard

step "registry names and depth: Windows's limits, refused before the hive changes"
INVALIDARG=0x80070057
HIVE_SHA=$(sha256 "$M/Windows/System32/config/SOFTWARE")
deep=$("$PYTHON" -c "print('\\\\'.join(['k'] * 511))")
expect_fail $INVALIDARG "would be 513 levels deep; Windows allows at most 512" -- \
  "$DISMAKE" set-registry-value "$M" "HKLM\\SOFTWARE\\$deep" N REG_SZ d
expect_fail $INVALIDARG "is 16384 characters long; Windows allows at most 16383" -- \
  "$DISMAKE" set-registry-value "$M" 'HKLM\SOFTWARE\X' "$(printf 'v%.0s' $(seq 16384))" REG_SZ d
expect_fail $INVALIDARG "is longer than 255 characters" -- \
  "$DISMAKE" set-registry-value "$M" "HKLM\\SOFTWARE\\$(printf 'k%.0s' $(seq 256))" N REG_SZ d
assert_sha256 "$M/Windows/System32/config/SOFTWARE" "$HIVE_SHA"
deep=$("$PYTHON" -c "print('\\\\'.join(['k'] * 510))")
dismake_ok set-registry-value "$M" "HKLM\\SOFTWARE\\$deep" N REG_SZ d
dismake_ok set-registry-value "$M" 'HKLM\SOFTWARE\X' "$(printf 'v%.0s' $(seq 16383))" REG_SZ d

dismake_ok unmount "$M" --discard
end_test
