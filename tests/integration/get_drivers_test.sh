#!/usr/bin/env bash
# `dismake get-drivers` and `get-driver-info` on an image holding a real
# Windows 10 SYSTEM hive (tests/fixtures/data/win10-system), read from the
# WIM without mounting and from a mount (full and lazy). What they list is
# checked against the hive as reglookup (an independent reader) shows it,
# decoded here: each DriverPackages key's default value (published name),
# InfName, Provider, and its Version bytes (class GUID, FILETIME date,
# version), the class names from ControlSet001\Control\Class. The five
# third-party packages are listed by default, all 238 with --all. An INF in
# the image (Windows\INF\oemN.inf) tells boot-criticality and models where
# the database does not; an .inf file on the host is read for the image's
# architecture. Bad input fails naming what and where.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -euo pipefail
begin_test get_drivers

command -v reglookup >/dev/null || skip_test "reglookup is not installed"

eval "lib_$(declare -f hresult_name)"
hresult_name() {
  case ${1^^} in
    0XE0000003) echo ERROR_GENERAL_SYNTAX ;;
    0XE0000001) echo ERROR_BAD_SECTION_NAME_LINE ;;
    *) lib_hresult_name "$1" ;;
  esac
}

DATA=${DISMAKE_TESTDATA:-$DISMAKE_SOURCE_DIR/tests/fixtures/data}/win10-system

step "an image holding the real SYSTEM hive"
TREE=$T/tree
mkdir -p "$TREE/Windows/System32/config" "$TREE/Windows/INF"
xz -dc "$DATA/SYSTEM.xz" >"$TREE/Windows/System32/config/SYSTEM"
wimlib-imagex capture "$TREE" "$T/win.wim" "Windows" --compress=none >/dev/null

# --- the expected listing, decoded from reglookup's output -------------------
reglookup -H "$TREE/Windows/System32/config/SYSTEM" >"$T/reglookup.csv" 2>/dev/null
cat >"$T/expected.py" <<'EOF'
# The packages of the hive, decoded from reglookup's CSV (%XX escapes bytes).
import csv, datetime, json, re, struct, sys
def unescape(text):
    return re.sub(rb'%([0-9A-Fa-f]{2})', lambda m: bytes([int(m.group(1), 16)]),
                  text.encode('latin-1'))
values, classes = {}, {}
for line in open(sys.argv[1], encoding='latin-1'):
    m = re.match(r'^/DriverDatabase/DriverPackages/([^/,]+)/([^/,]*),([A-Z_]+),(.*),$', line.rstrip('\n'))
    if m:
        values.setdefault(m.group(1), {})[m.group(2)] = unescape(m.group(4))
    m = re.match(r'^/ControlSet001/Control/Class/(\{[^/]+\})/Class,SZ,(.*),$', line.rstrip('\n'))
    if m:
        classes[m.group(1).lower()] = unescape(m.group(2)).decode()
packages = []
for key, v in values.items():
    b = v['Version']
    assert len(b) == 48, key
    d1, d2, d3 = struct.unpack('<IHH', b[8:16])
    guid = '{%08x-%04x-%04x-%s-%s}' % (d1, d2, d3, b[16:18].hex(), b[18:24].hex())
    filetime, version = struct.unpack('<QQ', b[24:40])
    date = datetime.datetime(1601, 1, 1) + datetime.timedelta(microseconds=filetime // 10)
    inf_name = v.get('InfName', b'').decode()
    published = v.get('', inf_name.encode()).decode() or inf_name
    packages.append({
        'published_name': published,
        'original_file_name': inf_name,
        'inbox': not re.fullmatch(r'oem\d+\.inf', published),
        'class_name': classes.get(guid, ''),
        'provider_name': v.get('Provider', b'').decode(),
        'date': date.strftime('%Y-%m-%d'),
        'version': '%d.%d.%d.%d' % (version >> 48, version >> 32 & 0xFFFF,
                                    version >> 16 & 0xFFFF, version & 0xFFFF),
    })
print(json.dumps(sorted(packages, key=lambda p: p['published_name'].lower())))
EOF
EXPECTED=$("$PYTHON" "$T/expected.py" "$T/reglookup.csv")
THIRD_PARTY=$(json_eval "$EXPECTED" "[p for p in j if not p['inbox']]")
assert_eq 238 "$(json_eval "$EXPECTED" 'len(j)')" "packages in the reference hive (reglookup)"
assert_eq 5 "$(json_eval "$THIRD_PARTY" 'len(j)')" "third-party packages (reglookup)"

# The listing's fields reglookup can check, sorted as expected.py sorts.
fields() {
  json_eval "$1" "sorted([{k: p[k] for k in ('published_name', 'original_file_name', 'inbox',
    'class_name', 'provider_name', 'date', 'version')} for p in j['drivers']],
    key=lambda p: p['published_name'].lower())"
}

step "get-drivers on the WIM lists the five third-party packages as the hive has them"
dismake_ok get-drivers "$T/win.wim" --json
assert_eq "$THIRD_PARTY" "$(fields "$LAST_STDOUT")" "third-party packages"
# DISM's order: by the number of the published name.
assert_eq '["oem0.inf", "oem2.inf", "oem4.inf", "oem6.inf", "oem11.inf"]' \
  "$(json_eval "$LAST_STDOUT" "[p['published_name'] for p in j['drivers']]")" "order"

step "--all lists all 238"
dismake_ok get-drivers "$T/win.wim" --all --json
assert_eq "$EXPECTED" "$(fields "$LAST_STDOUT")" "all packages"

step "the text form has DISM's fields in DISM's order"
dismake_ok get-drivers "$T/win.wim"
block=$(awk '/^Published Name : oem4.inf$/,/^Boot Critical/' <<<"$LAST_STDOUT")
pv=$(json_eval "$THIRD_PARTY" "[p for p in j if p['published_name'] == 'oem4.inf'][0]")
IFS=- read -r y m d <<<"$(json_eval "$pv" "j['date']")"
assert_eq "Published Name : oem4.inf
Original File Name : $(json_eval "$pv" "j['original_file_name']")
Inbox : No
Class Name : $(json_eval "$pv" "j['class_name']")
Provider Name : $(json_eval "$pv" "j['provider_name']")
Date : $((10#$m))/$((10#$d))/$y
Version : $(json_eval "$pv" "j['version']")
Boot Critical : No" "$block" "oem4.inf's block"

step "get-driver-info lists a package's hardware and compatible ids from its Descriptors"
dismake_ok get-driver-info "$T/win.wim" OEM6.INF --json
vmmouse_key=$(grep -E '^/DriverDatabase/DriverPackages/[^/]+/,SZ,oem6\.inf,$' "$T/reglookup.csv" |
  cut -d/ -f4)
ids=$(grep -E "^/DriverDatabase/DriverPackages/$vmmouse_key/Descriptors/[^/]+,KEY," \
  "$T/reglookup.csv" | cut -d/ -f6 | cut -d, -f1 | sort | paste -sd' ')
[[ -n $ids ]] || fail "reglookup shows no descriptors for oem6.inf"
assert_eq "$ids" "$(json_eval "$LAST_STDOUT" "' '.join(sorted(sum(([m['hardware_id']] + m['compatible_ids'] for m in j['drivers']), [])))")" \
  "oem6.inf's hardware and compatible ids"
# A compatible id is one whose DeviceIds entry for oem6.inf starts with 02.
compatible=$(grep -E '^/DriverDatabase/DeviceIds/[^,]+/oem6\.inf,BINARY,%02' "$T/reglookup.csv" |
  cut -d/ -f4 | sort | paste -sd' ')
[[ -n $compatible ]] || fail "reglookup shows no compatible ids for oem6.inf"
assert_eq "$compatible" "$(json_eval "$LAST_STDOUT" "' '.join(sorted(sum((m['compatible_ids'] for m in j['drivers']), [])))")" \
  "oem6.inf's compatible ids, as DeviceIds ranks them"
assert_eq "[]" "$(json_eval "$LAST_STDOUT" "sum((m['exclude_ids'] for m in j['drivers']), [])")" \
  "no exclude ids in the database"
mfg=$(grep -E "^/DriverDatabase/DriverPackages/$vmmouse_key/Strings/vmmouse.mfg,SZ," "$T/reglookup.csv" |
  cut -d, -f3- | sed 's/,$//; s/%2C/,/g')
assert_eq "$mfg" "$(json_eval "$LAST_STDOUT" "j['drivers'][0]['manufacturer']")" "manufacturer, from Strings"
assert_eq x64 "$(json_eval "$LAST_STDOUT" "j['drivers'][0]['architecture']")" "architecture"
assert_eq "i8042prt" "$(json_eval "$LAST_STDOUT" "j['drivers'][0]['service_name']")" "service"

# --- an INF in the image, and one on the host --------------------------------
# A stand-in for pvscsi's INF (the reference hive's image had it in
# Windows\INF\oem4.inf): the database keeps no configurations for oem4.inf,
# so its INF says it is boot-critical (StartType 0) and what it drives.
cat >"$TREE/Windows/INF/oem4.inf" <<'EOF'
; stand-in INF for the tests, written in the style of a storage miniport's
[Version]
Signature   = "$WINDOWS NT$"
Class       = SCSIAdapter
ClassGuid   = {4D36E97B-E325-11CE-BFC1-08002BE10318}
Provider    = %Vendor%
DriverVer   = 08/02/2019,1.3.15.0
CatalogFile = pvscsi.cat

[Manufacturer]
%Vendor% = Models, NTamd64, NTx86

[Models.NTamd64]
%Desc% = pvscsi_inst, PCI\VEN_15AD&DEV_07C0, \
         PCI\VEN_15AD&DEV_07C0&SUBSYS_07C015AD
[Models.NTx86]
%Desc% = pvscsi_inst, PCI\VEN_15AD&DEV_07C0&X86

[pvscsi_inst]
CopyFiles = @pvscsi.sys
[pvscsi_inst.Services]
AddService = pvscsi, 2, pvscsi_service
[pvscsi_service]
ServiceType    = 1
StartType      = 0 ; boot
ErrorControl   = 1
ServiceBinary  = %12%\pvscsi.sys
LoadOrderGroup = SCSI miniport

[Strings]
Vendor = "VMware, Inc."
Desc   = "VMware PVSCSI Controller"
EOF
wimlib-imagex capture "$TREE" "$T/with-inf.wim" "Windows" --compress=none >/dev/null

step "an INF in the image tells boot-criticality and models the database lacks"
dismake_ok get-drivers "$T/with-inf.wim" --json
assert_eq true "$(json_eval "$LAST_STDOUT" "[p['boot_critical'] for p in j['drivers'] if p['published_name'] == 'oem4.inf'][0]")" \
  "oem4.inf boot-critical"
assert_eq false "$(json_eval "$LAST_STDOUT" "[p['boot_critical'] for p in j['drivers'] if p['published_name'] == 'oem6.inf'][0]")" \
  "oem6.inf boot-critical"
dismake_ok get-driver-info "$T/with-inf.wim" oem4.inf
grep -qx '    Hardware ID : PCI\\VEN_15AD&DEV_07C0' <<<"$LAST_STDOUT" ||
  fail "get-driver-info oem4.inf misses the INF's hardware id: $LAST_STDOUT"
grep -qx '    Compatible IDs : PCI\\VEN_15AD&DEV_07C0&SUBSYS_07C015AD' <<<"$LAST_STDOUT" ||
  fail "get-driver-info oem4.inf misses the model line's further id as a compatible id: $LAST_STDOUT"
grep -qx '    Exclude IDs : ' <<<"$LAST_STDOUT" || fail "no Exclude IDs line: $LAST_STDOUT"
grep -q 'X86' <<<"$LAST_STDOUT" && fail "the x86 models were listed for an x64 image"
grep -qx 'Boot Critical : Yes' <<<"$LAST_STDOUT" || fail "oem4.inf is not boot-critical: $LAST_STDOUT"

step "an .inf on the host is read for the image's architecture"
# ExcludeFromSelect: the exclude ids of the models it names.
sed 's/^\[Manufacturer\]$/[ControlFlags]\nExcludeFromSelect = PCI\\VEN_15AD\&DEV_07C0\n\n&/' \
  "$TREE/Windows/INF/oem4.inf" >"$T/pvscsi.inf"
dismake_ok get-driver-info "$T/win.wim" "$T/pvscsi.inf" --json
assert_eq '[["PCI\\VEN_15AD&DEV_07C0", ["PCI\\VEN_15AD&DEV_07C0&SUBSYS_07C015AD"], ["PCI\\VEN_15AD&DEV_07C0"]]]' \
  "$(json_eval "$LAST_STDOUT" "[[m['hardware_id'], m['compatible_ids'], m['exclude_ids']] for m in j['drivers']]")" \
  "host INF's hardware, compatible and exclude ids"
assert_eq "VMware, Inc." "$(json_eval "$LAST_STDOUT" "j['provider_name']")" "host INF's provider"
assert_eq "2019-08-02" "$(json_eval "$LAST_STDOUT" "j['date']")" "host INF's date"
dismake_ok get-driver-info "$T/win.wim" "$T/pvscsi.inf"
grep -qx '    Exclude IDs : PCI\\VEN_15AD&DEV_07C0' <<<"$LAST_STDOUT" ||
  fail "the text form misses the exclude id: $LAST_STDOUT"

# --- mounts -----------------------------------------------------------------
step "a mount (full and lazy) lists what the WIM lists"
dismake_ok get-drivers "$T/with-inf.wim" --all --json
from_wim=$LAST_STDOUT
dismake_ok mount "$T/with-inf.wim" "$T/full" --index 1 --quiet
dismake_ok get-drivers "$T/full" --all --json
assert_eq "$from_wim" "$LAST_STDOUT" "full mount's listing"
dismake_ok unmount "$T/full" --discard --quiet
dismake_ok mount "$T/with-inf.wim" "$T/lazy" --index 1 --lazy --quiet
dismake_ok get-drivers "$T/lazy" --all --json
assert_eq "$from_wim" "$LAST_STDOUT" "lazy mount's listing"
dismake_ok unmount "$T/lazy" --discard --quiet

# --- bad input ---------------------------------------------------------------
step "bad input fails, naming what was wrong"
expect_fail 0x80070002 'oem99\.inf' -- "$DISMAKE" get-driver-info "$T/win.wim" oem99.inf
mkdir -p "$T/empty/Windows"
echo x >"$T/empty/Windows/readme.txt"
wimlib-imagex capture "$T/empty" "$T/empty.wim" "Empty" --compress=none >/dev/null
expect_fail 0x80070490 'no SYSTEM hive' -- "$DISMAKE" get-drivers "$T/empty.wim"
wimlib-imagex append "$T/empty" "$T/win.wim" "Second" >/dev/null
expect_fail 0xC0040005 '2 images' -- "$DISMAKE" get-drivers "$T/win.wim"
dismake_ok get-drivers "$T/win.wim" --index 1 --json
assert_eq "$THIRD_PARTY" "$(fields "$LAST_STDOUT")" "--index 1"
printf '[Version]\nDriverVer = 01/01/2024,1.0\n[Manufacturer]\n%%Nobody%% = M\n' >"$T/bad.inf"
expect_fail 0xE0000003 'bad\.inf, line 4: the string %Nobody% is not defined' -- \
  "$DISMAKE" get-driver-info "$T/win.wim" --index 1 "$T/bad.inf"

end_test
