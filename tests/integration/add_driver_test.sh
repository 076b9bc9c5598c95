#!/usr/bin/env bash
# add-driver and remove-driver on an image holding the real Windows 10 SYSTEM
# hive (tests/fixtures/data/win10-system). A package made by driver_lib.sh in the style
# of a virtio storage driver (an INF written for the test, a stand-in .sys,
# and a test catalog: a PKCS#7 SignedData made with `openssl smime -sign`
# and a self-signed certificate, a fair stand-in for a signed .cat) is
# staged; reglookup (an independent reader) then shows that every key and
# value it wrote has the names and types of the keys Windows wrote for
# pvscsi (oem4.inf) and vmci (oem2.inf), the package is oem12.inf
# (OemInfMap FF F0 -> FF F8), its boot-start service is in the control set,
# and get-drivers lists it. remove-driver takes it out: the hive is as it
# was (reglookup's listing equal but for key times), the files are gone.
# Bad packages (another architecture, unsigned, a missing file, one bad
# package among good ones, an inbox driver to remove) fail and change
# nothing. In CMake, dismake_add_driver re-runs when a file of the package
# changes, and the incremental output is the clean build's, byte for byte.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=cmake_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"
set -euo pipefail
begin_test add_driver

for tool in reglookup openssl; do
  command -v $tool >/dev/null || skip_test "$tool is not installed"
done

eval "lib_$(declare -f hresult_name)"
hresult_name() {
  case ${1^^} in
    0XE0000003) echo ERROR_GENERAL_SYNTAX ;;
    0X8007066A) echo ERROR_INSTALL_PLATFORM_UNSUPPORTED ;;
    0X800B0100) echo TRUST_E_NOSIGNATURE ;;
    *) lib_hresult_name "$1" ;;
  esac
}

# shellcheck source=driver_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/driver_lib.sh"

step "an image holding the real SYSTEM hive, mounted"
make_driver_image "$T/win.wim"
M=$T/mount
dismake_ok mount "$T/win.wim" "$M" --index 1 --quiet
reglookup -H "$M/$CONFIG/SYSTEM" 2>/dev/null | cut -d, -f1-3 | sort >"$T/before.txt"

make_package "$T/pkg"

# The value names and types of key KEY in reglookup listing FILE, sorted.
value_shape() {
  grep -F "$2/" "$1" | awk -F, -v key="$2/" '$2 != "KEY" && index($1, key) == 1 && substr($1, length(key) + 1) !~ /\// {
    print substr($1, length(key) + 1) "," $2 }' | sort
}
# The data of value PATH (/key/name; /key/ for the default) in HIVE, as reglookup prints it.
reg_value() {
  reglookup -H "$1" 2>/dev/null | awk -F, -v p="$2" '$1 == p { print $3; exit }'
}

step "add-driver stages the package as oem12.inf"
dismake_ok add-driver "$M" "$T/pkg"
reglookup -H "$M/$CONFIG/SYSTEM" 2>/dev/null | cut -d, -f1-3 | sort >"$T/after.txt"
pkg_key=$(grep -oE '^/DriverDatabase/DriverPackages/teststor\.inf_amd64_[0-9a-f]{16}' "$T/after.txt" | sort -u)
[[ $(wc -l <<<"$pkg_key") == 1 ]] || fail "expected one teststor package key, got: $pkg_key"
pv_key=$(grep -oE '^/DriverDatabase/DriverPackages/pvscsi\.inf_amd64_[0-9a-f]+' "$T/after.txt" | sort -u)
assert_eq "oem12.inf" "$(reg_value "$M/$CONFIG/SYSTEM" "$pkg_key/")" "published name"
assert_eq '%FF%F8' "$(reg_value "$M/$CONFIG/SYSTEM" /DriverDatabase/OemInfMap)" "OemInfMap"

step "its values have the names and types of pvscsi's (but OemPath, the installing host's folder)"
assert_eq "$(value_shape "$T/after.txt" "$pv_key" | grep -v '^OemPath,')" \
  "$(value_shape "$T/after.txt" "$pkg_key")" "DriverPackages value shape"

step "its subkeys have the shapes of what Windows wrote"
# package_shapes LISTING KEY...: each value below each package KEY as
# "<subkey path>,<name>,<type>", the names Windows varies per package made
# '*' (a configuration, a hardware id, a string's name).
package_shapes() {
  "$PYTHON" - "$@" <<'EOF2'
import re, sys
listing, keys = sys.argv[1], sys.argv[2:]
shapes = set()
for line in open(listing, encoding='utf-8', errors='replace'):
    path, kind = line.rstrip('\n').split(',')[:2]
    if kind == 'KEY':
        continue
    for key in keys:
        if not path.startswith(key + '/'):
            continue
        parts = path[len(key) + 1:].split('/')
        if parts[0] == 'Configurations' and len(parts) > 2:
            parts[1] = '*'
        elif parts[0] == 'Descriptors':
            parts = ['Descriptors', '*', parts[-1]]
        elif parts[0] == 'Strings':
            parts = ['Strings', '*']
        shapes.add('/'.join(parts[:-1]) + ',' + parts[-1] + ',' + kind)
print('\n'.join(sorted(shapes)))
EOF2
}
ours=$(package_shapes "$T/after.txt" "$pkg_key")
all_windows=$(package_shapes "$T/after.txt" $(grep -oE '^/DriverDatabase/DriverPackages/[^/,]+' "$T/after.txt" |
  sort -u | grep -vF "$pkg_key"))
extra=$(comm -23 <(echo "$ours") <(echo "$all_windows"))
[[ -z $extra ]] || fail "shapes no package of the reference has: $extra"
# Everything pvscsi has (but OemPath), and vmci's configurations,
# descriptors and strings, the package has too (the Properties subkey
# included).
needed=$( (package_shapes "$T/after.txt" "$pv_key" | grep -v '^,OemPath,'
  package_shapes "$T/after.txt" /DriverDatabase/DriverPackages/vmci.inf_amd64_5e38a278d114b813 |
    grep -E '^(Configurations/\*|Descriptors/\*|Strings),') | sort -u)
missing=$(comm -13 <(echo "$ours") <(echo "$needed"))
[[ -z $missing ]] || fail "shapes Windows writes that the package lacks: $missing"
grep -q '^Properties/{4da162c1-5eb1-4140-a444-5064c9814e76}/0009,,0xFFFF0012$' <<<"$ours" ||
  fail "no Properties value: $ours"
assert_eq "$(value_shape "$T/after.txt" /DriverDatabase/DriverInfFiles/oem2.inf)" \
  "$(value_shape "$T/after.txt" /DriverDatabase/DriverInfFiles/oem12.inf)" "DriverInfFiles shape"
assert_eq "oem4.inf,BINARY" \
  "$(value_shape "$T/after.txt" '/DriverDatabase/DeviceIds/PCI/VEN_15AD&DEV_07C0')" \
  "pvscsi's DeviceIds shape"
assert_eq "oem12.inf,BINARY" \
  "$(value_shape "$T/after.txt" '/DriverDatabase/DeviceIds/PCI/VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00')" \
  "the package's DeviceIds shape"
# The first byte ranks the id: 01 the model line's hardware id, 02 a further
# (compatible) id, as vmci's PCI ids (oem2.inf) have it.
assert_eq '%01%FF%00%00' \
  "$(reg_value "$M/$CONFIG/SYSTEM" '/DriverDatabase/DeviceIds/PCI/VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00/oem12.inf')" \
  "the hardware id's DeviceIds entry"
assert_eq '%02%FF%00%00' \
  "$(reg_value "$M/$CONFIG/SYSTEM" '/DriverDatabase/DeviceIds/PCI/VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01/oem12.inf')" \
  "the compatible id's DeviceIds entry"
grep -qx '/DriverDatabase/DeviceIds/{4d36e97b-e325-11ce-bfc1-08002be10318}/oem12.inf,NONE,(null)' \
  "$T/after.txt" || fail "no class DeviceIds entry for oem12.inf"
assert_eq "Dismake Test Driver Signer" "$(reg_value "$M/$CONFIG/SYSTEM" "$pkg_key/SignerName")" \
  "SignerName, from the catalog's certificate"
assert_eq "Test SCSI Controller" \
  "$(reg_value "$M/$CONFIG/SYSTEM" "$pkg_key/Descriptors/PCI/VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01/Description")" \
  "descriptor"

step "the boot-start service is in the control set, its binary in System32/drivers"
assert_eq "ErrorControl,DWORD
Group,SZ
ImagePath,EXPAND_SZ
Start,DWORD
Type,DWORD" "$(value_shape "$T/after.txt" /ControlSet001/Services/teststor)" "service key shape"
assert_eq '0x00000000' "$(reg_value "$M/$CONFIG/SYSTEM" /ControlSet001/Services/teststor/Start)" "Start"
assert_eq '\SystemRoot\System32\drivers\teststor.sys' \
  "$(reg_value "$M/$CONFIG/SYSTEM" /ControlSet001/Services/teststor/ImagePath)" "ImagePath"
store=$M/Windows/System32/DriverStore/FileRepository/${pkg_key##*/}
for f in teststor.inf teststor.sys teststor.cat; do assert_same_file "$T/pkg/$f" "$store/$f"; done
assert_same_file "$T/pkg/teststor.inf" "$M/Windows/INF/oem12.inf"
assert_same_file "$T/pkg/teststor.sys" "$M/Windows/System32/drivers/teststor.sys"

step "get-drivers lists it, boot-critical"
dismake_ok get-drivers "$M" --json
assert_eq '{"published_name": "oem12.inf", "original_file_name": "teststor.inf", "class_name": "SCSIAdapter", "provider_name": "Test Vendor, Inc.", "date": "2024-03-14", "version": "100.94.104.26200", "boot_critical": true, "signer_name": "Dismake Test Driver Signer"}' \
  "$(json_eval "$LAST_STDOUT" "p = [p for p in j['drivers'] if p['published_name'] == 'oem12.inf'][0]; {k: p[k] for k in ('published_name', 'original_file_name', 'class_name', 'provider_name', 'date', 'version', 'boot_critical', 'signer_name')}")" \
  "oem12.inf as listed"
assert_eq 6 "$(json_eval "$LAST_STDOUT" "len(j['drivers'])")" "third-party packages"

step "the commit carries it: get-drivers on the output WIM"
dismake_ok commit "$M" --output "$T/with-driver.wim" --quiet
dismake_ok get-drivers "$T/with-driver.wim" --json
assert_eq true "$(json_eval "$LAST_STDOUT" "any(p['published_name'] == 'oem12.inf' for p in j['drivers'])")" \
  "oem12.inf in the committed image"

step "remove-driver leaves the hive as it was"
dismake_ok remove-driver "$M" oem12.inf
reglookup -H "$M/$CONFIG/SYSTEM" 2>/dev/null | cut -d, -f1-3 | sort >"$T/removed.txt"
assert_same_listing "$(cat "$T/before.txt")" "$(cat "$T/removed.txt")" "hive after add + remove"
assert_absent "$store"
assert_absent "$M/Windows/INF/oem12.inf"
assert_absent "$M/Windows/System32/drivers/teststor.sys"

step "bad packages fail and stage nothing"
make_package "$T/arm" arm64
expect_fail 0x8007066A 'no models for amd64' -- "$DISMAKE" add-driver "$M" "$T/arm"
make_package "$T/unsigned"
rm "$T/unsigned/teststor.cat"
expect_fail 0x800B0100 'teststor\.cat' -- "$DISMAKE" add-driver "$M" "$T/unsigned"
make_package "$T/nosys"
rm "$T/nosys/teststor.sys"
expect_fail 0x80070002 'teststor\.inf, line 18: the package has no .teststor\.sys.' -- \
  "$DISMAKE" add-driver "$M" "$T/nosys"
make_package "$T/many/a"
make_package "$T/many/b"
sed -i 's/^Provider .*/Provider = "Test/' "$T/many/b/teststor.inf"
expect_fail 0xE0000003 'b/teststor\.inf, line 6: a quoted string is not closed' -- "$DISMAKE" add-driver "$M" "$T/many" --recurse
expect_fail 0x80070005 'disk\.inf.*inbox' -- "$DISMAKE" remove-driver "$M" disk.inf
reglookup -H "$M/$CONFIG/SYSTEM" 2>/dev/null | cut -d, -f1-3 | sort >"$T/refused.txt"
assert_same_listing "$(cat "$T/before.txt")" "$(cat "$T/refused.txt")" "hive after refused steps"
dismake_ok get-drivers "$M" --json
assert_eq 5 "$(json_eval "$LAST_STDOUT" "len(j['drivers'])")" "packages after refused steps"

step "unsigned with --force-unsigned is staged, SignerScore unsigned"
dismake_ok add-driver "$M" "$T/unsigned" --force-unsigned
key=$(reglookup -H -p /DriverDatabase/DriverPackages "$M/$CONFIG/SYSTEM" 2>/dev/null |
  grep -oE '^/DriverDatabase/DriverPackages/teststor\.inf_amd64_[0-9a-f]{16}' | sort -u)
assert_eq 0x80000000 "$(reg_value "$M/$CONFIG/SYSTEM" "$key/SignerScore")" "SignerScore"
dismake_ok unmount "$M" --discard --quiet

# --- CMake ------------------------------------------------------------------
step "dismake_add_driver in a build: re-runs when the package changes; incremental == clean"
make_package "$T/src/drivers/teststor"
write_project "$T/src" "
dismake_mount_image(main WIM \"$T/win.wim\" INDEX 1)
dismake_open_session(main_s IMAGE main)
dismake_add_driver(main_s PATH drivers RECURSE)
dismake_close_session(main_s)
dismake_unmount_image(main COMMIT OUTPUT main.wim)"
configure "$T/src" "$T/build"
build "$T/build"
dismake_ok get-drivers "$T/build/main.wim" --json
assert_eq true "$(json_eval "$LAST_STDOUT" "any(p['original_file_name'] == 'teststor.inf' for p in j['drivers'])")" \
  "the build's image has the driver"
build "$T/build"
grep -q 'add driver' <<<"$(outcome_lines)" && fail "a no-op rebuild re-ran add-driver: $(outcome_lines)"
head -c 4096 /dev/zero | tr '\0' 'T' >"$T/src/drivers/teststor/teststor.sys"
build "$T/build"
grep -q 'add driver' <<<"$(outcome_lines)" || fail "changing the .sys did not re-run add-driver"
clean=$(clean_build "$T/src" again)
assert_same_file "$clean/main.wim" "$T/build/main.wim"
dismake_ok unmount "$(mount_dir_of "$clean" main)" --discard
dismake_ok unmount "$(mount_dir_of "$T/build" main)" --discard

write_project "$T/bad" "
dismake_mount_image(main WIM \"$T/win.wim\" INDEX 1)
dismake_open_session(main_s IMAGE main)
dismake_remove_driver(main_s NAME disk.inf)"
configure_fails "$T/bad" "$T/bad-build" 'dismake_remove_driver: NAME .disk\.inf. is not a published name'

end_test
