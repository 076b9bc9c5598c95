#!/usr/bin/env bash
# A real Windows 10 SYSTEM hive (tests/fixtures/data/win10-system) whose
# ControlSet001\Control\ProductOptions holds ProductPolicy, a big-data value
# (data over 16,344 bytes, kept in a "db" record and segments). dismake sets
# a 40 KB and a 1 MB value, edits ProductOptions around ProductPolicy and
# ProductPolicy itself, and imports the .reg that `dismake diff` writes for
# two images that differ there. Two independent readers (reglookup, and
# libregf's regfexport) read every committed hive without error, give the
# values back byte for byte, and show nothing of the original lost: the
# whole export before and after differs only in the values changed. Keys
# the steps wrote carry SOURCE_DATE_EPOCH.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -euo pipefail
begin_test real_hive

for tool in reglookup regfexport xz; do
  command -v "$tool" >/dev/null || skip_test "$tool is not installed"
done

CONFIG=Windows/System32/config
OPTIONS='ControlSet001\Control\ProductOptions'

mkdir -p "$T/tree/$CONFIG"
xz -dc "$DISMAKE_TESTDATA/win10-system/SYSTEM.xz" >"$T/tree/$CONFIG/SYSTEM"
# The hive was copied from a running system without its logs: its header's
# sequence numbers differ, and dismake would rightly refuse it as dirty. Its
# hive bins are whole; marked clean (equal numbers, checksum fixed), it is
# the hive as Windows would load it.
"$PYTHON" - "$T/tree/$CONFIG/SYSTEM" <<'PY'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    head = bytearray(f.read(512))
    head[8:12] = head[4:8]
    s = 0
    for i in range(0, 508, 4):
        s ^= struct.unpack_from("<I", head, i)[0]
    s = {0: 1, 0xFFFFFFFF: 0xFFFFFFFE}.get(s, s)
    struct.pack_into("<I", head, 508, s)
    f.seek(0)
    f.write(head)
PY
cp "$DISMAKE_TESTDATA/minimal.hive" "$T/tree/$CONFIG/SOFTWARE"
chmod 644 "$T/tree/$CONFIG"/*
wimlib-imagex capture "$T/tree" "$T/base.wim" base --compress=none >/dev/null

# hex_bytes FILE: the file as .reg/CLI hex ("a4,e6,...").
hex_bytes() { od -An -v -tx1 "$1" | tr -s ' \n' ',,' | sed 's/^,//; s/,$//'; }

# reg_hex FILE: the file as a .reg hex value body, 25 bytes a line.
reg_hex() {
  od -An -v -tx1 "$1" | tr -s ' \n' '  ' | xargs -n25 | tr ' ' ',' | sed '$!s/$/,\\/; 2,$s/^/  /'
}

# regf_value HIVE KEY NAME OUT: the value's data as regfexport reads it.
regf_value() {
  regfexport -K "$2" "$1" 2>/dev/null | "$PYTHON" -c '
import sys
name, out = sys.argv[1], sys.argv[2]
lines = sys.stdin.read().split("\n")
data, inside = bytearray(), False
for i, line in enumerate(lines):
    if line.startswith("Value: "):
        inside = line.split(" ", 2)[2] == name
    elif inside and line[:9].endswith(":") and len(line) > 10:
        hexpart = line[10:58].split()
        data += bytes(int(h, 16) for h in hexpart)
open(out, "wb").write(data)' "$3" "$4"
}

# check_readers HIVE OUT: both independent readers read all of HIVE without
# an error; OUT gets reglookup's export as PATH,TYPE,VALUE (key times
# dropped: a rewritten key gets a new one), sorted.
check_readers() {
  local errors
  export_lines "$1" "$2"
  errors=$(grep '^ERROR' "$T/reglookup.err" || true)
  [[ -z $errors ]] || fail "reglookup reports errors on $1: $errors"
  regfexport "$1" >"$T/regfexport.txt" 2>"$T/regfexport.err" || fail "regfexport fails on $1: $(tail -3 "$T/regfexport.err")"
  ! grep -qi error "$T/regfexport.err" || fail "regfexport reports errors on $1: $(head -3 "$T/regfexport.err")"
}

# export_lines HIVE OUT: reglookup's export (PATH,TYPE,VALUE), sorted.
export_lines() {
  reglookup -H "$1" 2>"$T/reglookup.err" | awk -F, '{ print $1 "," $2 "," $3 }' | sort >"$2"
}

# assert_only_changed BEFORE AFTER PATTERN: the exports differ only in lines
# whose path matches PATTERN (an extended regex).
assert_only_changed() {
  local extra
  extra=$(diff "$1" "$2" | grep -aE '^[<>]' | cut -c3- | cut -d, -f1-2 | grep -avE "$3" || true)
  [[ -z $extra ]] || fail "the hive changed beyond the edit: $(head -c 600 <<<"$extra")"
}

step "the original hive holds ProductPolicy as big data"
wim_cat "$T/base.wim" 1 "/$CONFIG/SYSTEM" >"$T/SYSTEM.before"
export_lines "$T/SYSTEM.before" "$T/before.txt"
regf_value "$T/SYSTEM.before" "$OPTIONS" ProductPolicy "$T/policy.before"
policy_size=$(stat -c %s "$T/policy.before")
((policy_size > 16344)) || fail "ProductPolicy is $policy_size bytes: not a big-data value"

step "set a 40 KB value (CLI), a 1 MB value (.reg), edit ProductOptions around ProductPolicy"
random_file "$T/forty" 40000 forty
random_file "$T/mega" 1048576 mega
# Keys a step writes get this time (2023-11-14 22:13:20 UTC), not the hive's.
export SOURCE_DATE_EPOCH=1700000000
dismake_ok mount "$T/base.wim" "$T/mnt" --index 1
dismake_ok set-registry-value "$T/mnt" 'HKLM\SYSTEM\ControlSet001\Control\Dismake' Forty REG_BINARY "$(hex_bytes "$T/forty")"
{
  printf 'Windows Registry Editor Version 5.00\r\n\r\n'
  printf '[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control\\Dismake]\r\n'
  printf '"Mega"=hex:%s\r\n' "$(reg_hex "$T/mega")"
} >"$T/mega.reg"
dismake_ok import-registry "$T/mnt" "$T/mega.reg"
dismake_ok set-registry-value "$T/mnt" "HKLM\\SYSTEM\\$OPTIONS" ProductType REG_SZ ServerNT
dismake_ok commit "$T/mnt" --output "$T/big.wim"
dismake_ok unmount "$T/mnt" --discard
verify_wim "$T/big.wim"
wim_cat "$T/big.wim" 1 "/$CONFIG/SYSTEM" >"$T/SYSTEM.big"
check_readers "$T/SYSTEM.big" "$T/big.txt"
for name in Forty Mega; do
  regf_value "$T/SYSTEM.big" 'ControlSet001\Control\Dismake' $name "$T/$name.read"
done
cmp -s "$T/forty" "$T/Forty.read" || fail "regfexport reads the 40 KB value back differently"
cmp -s "$T/mega" "$T/Mega.read" || fail "regfexport reads the 1 MB value back differently"
regf_value "$T/SYSTEM.big" "$OPTIONS" ProductPolicy "$T/policy.kept"
cmp -s "$T/policy.before" "$T/policy.kept" || fail "ProductPolicy changed when its sibling did"
assert_only_changed "$T/before.txt" "$T/big.txt" \
  '^/ControlSet001/Control/(Dismake|ProductOptions/ProductType)(/|,)'
grep -qxF '/ControlSet001/Control/ProductOptions/ProductType,SZ,ServerNT' "$T/big.txt" ||
  fail "ProductType was not changed"
for key in Dismake ProductOptions; do
  line=$(reglookup -H -t KEY -p "/ControlSet001/Control/$key" "$T/SYSTEM.big" 2>/dev/null | head -1)
  assert_eq "/ControlSet001/Control/$key,KEY,,2023-11-14 22:13:20" "$line" "the time of a key the step wrote"
done

step "edit ProductPolicy itself (a big value replaced by another)"
"$PYTHON" -c '
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[100] ^= 0xff; d[-1] ^= 0xff
open(sys.argv[2], "wb").write(d + bytes(range(256)) * 8)' "$T/policy.before" "$T/policy.new"
{
  printf 'Windows Registry Editor Version 5.00\r\n\r\n'
  printf '[HKEY_LOCAL_MACHINE\\SYSTEM\\%s]\r\n' "$OPTIONS"
  printf '"ProductPolicy"=hex:%s\r\n' "$(reg_hex "$T/policy.new")"
} >"$T/policy.reg"
cp "$T/base.wim" "$T/second.wim"
dismake_ok mount "$T/second.wim" "$T/mnt" --index 1
dismake_ok import-registry "$T/mnt" "$T/policy.reg"
dismake_ok set-registry-value "$T/mnt" 'HKLM\SYSTEM\ControlSet001\Control\Dismake' Forty REG_BINARY "$(hex_bytes "$T/forty")"
dismake_ok commit "$T/mnt"
dismake_ok unmount "$T/mnt" --discard
wim_cat "$T/second.wim" 1 "/$CONFIG/SYSTEM" >"$T/SYSTEM.second"
check_readers "$T/SYSTEM.second" "$T/second.txt"
regf_value "$T/SYSTEM.second" "$OPTIONS" ProductPolicy "$T/policy.read"
cmp -s "$T/policy.new" "$T/policy.read" || fail "regfexport reads the new ProductPolicy differently"
assert_only_changed "$T/before.txt" "$T/second.txt" \
  '^/ControlSet001/Control/(Dismake|ProductOptions/ProductPolicy)(/|,)'

step "the .reg that dismake diff writes for the two images, imported, gives the second"
dismake_diff 1 "$T/big.wim:1" "$T/second.wim:1"
sed -n '/^Windows Registry Editor Version 5.00$/,$p' <<<"$LAST_STDOUT" >"$T/effective.reg"
grep -q '^"ProductPolicy"=hex:' "$T/effective.reg" || fail "the diff's .reg does not set ProductPolicy"
grep -q '^"Mega"=-' "$T/effective.reg" || fail "the diff's .reg does not delete Mega"
cp "$T/big.wim" "$T/imported.wim"
dismake_ok mount "$T/imported.wim" "$T/mnt" --index 1
started=$(date +%s.%N)
dismake_ok import-registry "$T/mnt" "$T/effective.reg"
echo "   import of the diff's .reg: $("$PYTHON" -c "import sys; print(round($(date +%s.%N) - $started, 2))") s"
dismake_diff 1 "$T/mnt" "$T/second.wim:1" --json
assert_eq "[]" "$(json_eval "$LAST_STDOUT" "[r for r in j['registry'] if r['keys'] or r['values']]")" \
  "registry after importing the diff's .reg"
dismake_ok commit "$T/mnt"
dismake_ok unmount "$T/mnt" --discard
wim_cat "$T/imported.wim" 1 "/$CONFIG/SYSTEM" >"$T/SYSTEM.imported"
check_readers "$T/SYSTEM.imported" "$T/imported.txt"
cmp -s "$T/second.txt" "$T/imported.txt" || fail "the imported hive's export differs from the second image's: $(diff "$T/second.txt" "$T/imported.txt" | head -c 600)"

end_test
