#!/usr/bin/env bash
# A WIM whose XML data (the image descriptions) is damaged is refused by
# `info` and `mount` with one clear error naming the file and saying its XML
# is damaged: nothing of the damaged bytes reaches the output (libxml2's
# parser messages quote them), no mount is left behind, the file untouched.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_xml

W=$T/bad-xml.wim
cp "$DISMAKE_FIXTURES/base.wim" "$W"
offset=$(wimlib-imagex info --header "$W" | awk '$1 == "XML" && $3 == "Offset" {print $5}')
[[ $offset =~ ^[0-9]+$ ]] || fail "no XML Data Offset in the header of $W"
# UTF-16 with an unpaired surrogate, a control character and a stray '<'
# inside the first tag: the kind of bytes a parser would quote back.
"$PYTHON" - "$W" "$offset" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]) + 40)
    f.write(bytes([0xFF, 0xFE, 0x01, 0x00, 0x80, 0xD8, 0x00, 0x00, 0x3C, 0x00]) * 5)
PY
sha=$(sha256sum "$W")

# Fails, with only the dismake lines on stderr and only printable ASCII.
expect_xml_damaged() {
  expect_fail 0x80070570 "cannot open '.*bad-xml.wim': its XML data \(the image descriptions\) is damaged; the file is damaged or truncated" -- "$@"
  local other
  other=$(grep -v '^dismake: ' <<<"$LAST_STDERR" || true)
  assert_eq "" "$other" "stderr lines that are not dismake's"
  LC_ALL=C grep -q '[^[:print:][:space:]]' <<<"$LAST_STDERR$LAST_STDOUT" &&
    fail "raw binary in the output: $(cat -v <<<"$LAST_STDERR")"
  return 0
}

step "info"
expect_xml_damaged "$DISMAKE" info "$W"

step "mount (full and lazy)"
expect_xml_damaged "$DISMAKE" mount "$W" "$T/m" --index 1
assert_absent "$T/m.dismake"
expect_xml_damaged "$DISMAKE" mount "$W" "$T/m" --index 1 --lazy
assert_absent "$T/m.dismake"
assert_no_mounts
assert_eq "$sha" "$(sha256sum "$W")" "the damaged WIM after the commands"
end_test
