#!/usr/bin/env bash
# `dismake info` shows what `dism /Get-ImageInfo` (and DismGetImageInfo)
# shows: architecture, hal, version with service pack build and level,
# edition, installation type, product type and suite, system root, counts,
# created and modified dates, languages with the default, whether the image
# is the boot image. wimlib-imagex, reading the same XML, is the oracle.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test info_fields

BASE=$DISMAKE_FIXTURES/base.wim

# wimlib's "Creation Time: Wed Jan 01 00:00:00 2020 UTC" as ISO 8601.
wimlib_time() {
  local line
  line=$(wimlib-imagex info "$BASE" "$1" | awk -F': ' -v f="$2" '$1 == f {print $2}')
  [[ -n $line ]] || fail "wimlib-imagex info shows no $2 for image $1"
  date -u -d "${line% UTC}" +%Y-%m-%dT%H:%M:%SZ
}

step "info --json has every DismImageInfo field"
dismake_ok info "$BASE" --json
j=$LAST_STDOUT
for i in 1 2; do
  img=$(json_eval "$j" "j['images'][$((i - 1))]")
  win=$(json_eval "$img" 'j["windows"]')
  assert_eq WINDOWS "$(json_eval "$win" 'j["system_root"]')" "image $i system_root"
  assert_eq "Terminal Server" "$(json_eval "$win" 'j["product_suite"]')" "image $i product_suite"
  assert_eq 1 "$(json_eval "$win" 'j["service_pack_build"]')" "image $i service_pack_build"
  assert_eq 0 "$(json_eval "$win" 'j["service_pack_level"]')" "image $i service_pack_level"
  assert_eq 10.0.19041.1 "$(json_eval "$win" 'j["version"]')" "image $i version"
  assert_eq "$(wimlib_time "$i" "Creation Time")" "$(json_eval "$img" 'j["created"]')" \
    "image $i created"
  assert_eq "$(wimlib_time "$i" "Last Modification Time")" "$(json_eval "$img" 'j["modified"]')" \
    "image $i modified"
done
assert_eq true "$(json_eval "$j" 'j["images"][0]["bootable"]')" "image 1 is the boot image"
assert_eq false "$(json_eval "$j" 'j["images"][1]["bootable"]')" "image 2 is not"

step "info (text) in dism /Get-ImageInfo's labels"
dismake_ok info "$BASE" --index 1
for want in "WIM Bootable : Yes" "Architecture : x64" "Hal : <undefined>" \
  "Version : 10.0.19041.1" "ServicePack Build : 1" "ServicePack Level : 0" \
  "Edition : Professional" "Installation : Client" "ProductType : WinNT" \
  "ProductSuite : Terminal Server" "System Root : WINDOWS" \
  "Created : $(wimlib_time 1 "Creation Time")" \
  "Modified : $(wimlib_time 1 "Last Modification Time")" "en-US (Default)"; do
  grep -qxF -- "$want" <<<"$(sed 's/^ *//' <<<"$LAST_STDOUT")" || fail "info lacks the line '$want'"
done

end_test
