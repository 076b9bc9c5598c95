#!/usr/bin/env bash
# Microsoft's DISM API driver sample (capi/ms_driver_sample.c: DismInitialize,
# DismMountImage, DismOpenSession on the mount, DismAddDriver(session, inf,
# FALSE), DismGetDrivers(session, FALSE, ...), DismGetDriverInfo for each,
# printing their fields, DismDelete, DismCloseSession, DismUnmountImage with
# commit, DismShutdown), compiled here as a Windows developer's C99 program
# against the built libdismapi (its <windows.h> is the shim of
# tests/unit/capi/windows_client), runs end to end on an image holding the
# real Windows 10 SYSTEM hive with the test storage package of
# driver_lib.sh: the added driver is listed as oem12.inf with its class,
# provider, date and version, its hardware ids are listed, and the committed
# WIM holds it.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test ms_driver_sample
for tool in cc openssl xz; do
  command -v $tool >/dev/null || skip_test "$tool is not installed"
done
# shellcheck source=driver_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/driver_lib.sh"

step "the sample compiles against the built libdismapi (C99, warnings as errors)"
tree=$(dirname "$DISMAKE")
while [[ $tree != / && ! -f $tree/CMakeCache.txt ]]; do tree=$(dirname "$tree"); done
library=$(find "$tree/plugin" -name 'libdismapi.so' | head -n1)
[[ -n $library ]] || fail "libdismapi.so is not built under $tree"
shims=$DISMAKE_SOURCE_DIR/tests/unit/capi/windows_client
run_ok cc -std=c99 -Wall -Wextra -pedantic-errors -Werror -I"$shims" \
  -I"$DISMAKE_SOURCE_DIR/plugin/include" -o "$T/ms_driver_sample" \
  "$DISMAKE_SOURCE_DIR/tests/integration/capi/ms_driver_sample.c" "$shims/wmain.c" \
  "$library" -Wl,-rpath,"$(dirname "$library")"

step "it adds the test package and lists it"
make_driver_image "$T/win.wim"
make_package "$T/pkg"
run_ok "$T/ms_driver_sample" "$T/win.wim" "$T/mount" "$T/pkg/teststor.inf" "$T/logs/dism.log"
printf '%s\n' "$LAST_STDOUT" >"$T/sample.out"
# The sample's listing as JSON: one object per package (its "Name: value"
# lines), with its hardware ids and the last compatible and exclude ids.
listing=$("$PYTHON" - "$T/sample.out" <<'EOF'
import json, sys
packages = []
for block in open(sys.argv[1], encoding='utf-8').read().split('\n\n')[1:]:
    package = {'hardware_ids': []}
    for line in block.splitlines():
        name, _, value = line.strip().partition(': ')
        if name == 'Hardware Id':
            package['hardware_ids'].append(value)
        elif name == 'Compatible Ids':
            package['compatible_ids'] = line.strip()[len('Compatible Ids: '):]
        elif name == 'Exclude Ids':
            package['exclude_ids'] = line.strip()[len('Exclude Ids: '):]
        elif not line.startswith(' '):
            package[name] = value
    packages.append(package)
print(json.dumps(packages))
EOF
)
assert_eq "oem0.inf oem2.inf oem4.inf oem6.inf oem11.inf oem12.inf" \
  "$(json_eval "$listing" "' '.join(p['Published Name'] for p in j)")" "the third-party packages"
assert_eq '{"Published Name": "oem12.inf", "Original File Name": "teststor.inf", "Inbox": "FALSE", "Catalog File": "teststor.cat", "Class Name": "SCSIAdapter", "Class GUID": "{4d36e97b-e325-11ce-bfc1-08002be10318}", "Boot Critical": "TRUE", "Driver Signature": "2", "Provider Name": "Test Vendor, Inc.", "Date": "3/14/2024", "Version": "100.94.104.26200"}' \
  "$(json_eval "$listing" "{k: v for k, v in j[-1].items() if k not in ('hardware_ids', 'compatible_ids', 'exclude_ids', 'Class Description')}")" \
  "the added package as DismGetDrivers gives it"
assert_eq '[["PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00"], "PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01"]' \
  "$(json_eval "$listing" "[j[-1]['hardware_ids'], j[-1]['compatible_ids']]")" \
  "its model from DismGetDriverInfo: the hardware id, the line's further id a compatible id"
assert_eq 'PCI\VEN_1AF4&DEV_1001&SUBSYS_00081AF4' "$(json_eval "$listing" "j[-1]['exclude_ids']")" \
  "its exclude id, the install section's ExcludeID as the database keeps it"
assert_eq "VMware, Inc." "$(json_eval "$listing" "j[2]['Provider Name']")" "pvscsi's provider"
grep -q 'Mounting Complete' "$T/sample.out" || fail "the mount's progress callback did not run"
for call in DismMountImage DismAddDriver DismGetDrivers DismGetDriverInfo DismUnmountImage; do
  grep -q "Enter $call - $call" "$T/logs/dism.log" || fail "the log does not record $call"
done

step "the unmount committed it"
assert_no_mounts
dismake_ok get-drivers "$T/win.wim" --json
assert_eq "oem12.inf teststor.inf" \
  "$(json_eval "$LAST_STDOUT" "' '.join([p['published_name'], p['original_file_name']] if (p := j['drivers'][-1]) else [])")" \
  "the last package of the committed image"

end_test
