#!/usr/bin/env bash
# `dismake extract-media`: an ISO's files as a folder, without root or loop
# device. A Microsoft-style ISO (files in UDF only, README.TXT alone on the
# ISO 9660 side) is read through UDF; a Linux-made ISO 9660/Joliet ISO
# through xorriso; an ISO whose files cannot be read is refused, never
# extracted as its README.TXT; a file that is no ISO is refused. Extracted
# once, again only when the ISO changed, saying why.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/media_lib.sh"

begin_test media_read
require_tools xorriso genisoimage
make_media_tree "$T/media"

json_field() { "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

test_microsoft_style_udf() {
  step "a UDF-only ISO (README.TXT alone on its ISO 9660 side) is read through UDF"
  make_microsoft_style_iso "$T/media" "$T/ms.iso" CCCOMA_X64FRE_EN-US_DV9
  # The ISO 9660 side really holds README.TXT alone: a plain ISO 9660
  # reader would extract nothing else.
  xorriso -no_rc -osirrox on -indev "$T/ms.iso" -extract / "$T/iso9660-side" >/dev/null 2>&1
  assert_eq README.TXT "$(cd "$T/iso9660-side" && find . -type f -printf '%P\n')" \
    "the ISO 9660 side's files"
  chmod -R u+w "$T/iso9660-side"

  dismake_ok extract-media "$T/ms.iso" "$T/out/ms" --json
  assert_eq extracted "$(json_field outcome <<<"$LAST_STDOUT")" "outcome"
  assert_eq UDF "$(json_field format <<<"$LAST_STDOUT")" "format"
  assert_eq "first build" "$(json_field reason <<<"$LAST_STDOUT")" "reason"
  assert_eq CCCOMA_X64FRE_EN-US_DV9 "$(json_field label <<<"$LAST_STDOUT")" "label"
  # Every file of the media, byte for byte (and the README.TXT the UDF
  # side lists too).
  cp -a "$T/media" "$T/expected"
  cp "$T/out/ms/README.TXT" "$T/expected/README.TXT"
  assert_same_tree "$T/expected" "$T/out/ms"
  rm -rf "$T/expected"

  step "extracted once: up to date until the ISO changes, then again, saying why"
  dismake_ok extract-media "$T/ms.iso" "$T/out/ms" --json
  assert_eq "up to date" "$(json_field outcome <<<"$LAST_STDOUT")" "second outcome"
  touch "$T/ms.iso"
  dismake_ok extract-media "$T/ms.iso" "$T/out/ms" --json
  assert_eq "ms.iso changed" "$(json_field reason <<<"$LAST_STDOUT")" "reason after touch"
  dismake_ok extract-media "$T/ms.iso" "$T/out/ms"
  grep -q 'up to date' <<<"$LAST_STDOUT" || fail "the text report does not say up to date: $LAST_STDOUT"
}

test_linux_joliet() {
  step "a Linux-made ISO 9660 + Joliet ISO (no UDF, no Rock Ridge) keeps its Joliet names"
  xorriso -no_rc -as mkisofs -quiet -iso-level 3 -J -joliet-long -V LINUX_MADE \
    -o "$T/joliet.iso" "$T/media" 2>/dev/null
  dismake_ok extract-media "$T/joliet.iso" "$T/out/joliet" --json
  assert_eq "ISO 9660" "$(json_field format <<<"$LAST_STDOUT")" "format"
  assert_eq LINUX_MADE "$(json_field label <<<"$LAST_STDOUT")" "label"
  assert_same_tree "$T/media" "$T/out/joliet"
}

test_unreadable_udf_refused() {
  step "an ISO whose files are in a UDF volume that cannot be read is refused, not extracted as README.TXT"
  cp "$T/ms.iso" "$T/broken-udf.iso"
  break_udf_anchors "$T/broken-udf.iso"
  expect_fail 0x80070032 'holds only README.TXT on its ISO 9660 side' -- \
    "$DISMAKE" extract-media "$T/broken-udf.iso" "$T/out/broken"
  [[ ! -e $T/out/broken ]] || fail "a refused ISO left $T/out/broken"
  [[ -z $(find "$T/out" -maxdepth 1 -name 'broken.tmp-*') ]] || fail "a refused ISO left a temporary"
}

test_not_an_iso() {
  step "a file that is no ISO is refused"
  head -c 200000 /dev/urandom >"$T/random.iso"
  expect_fail 0x8007000B 'is not an ISO image' -- \
    "$DISMAKE" extract-media "$T/random.iso" "$T/out/random"
  [[ ! -e $T/out/random ]] || fail "a refused file left $T/out/random"
  step "an old extraction stays when the new source is refused"
  expect_fail 0x8007000B 'is not an ISO image' -- \
    "$DISMAKE" extract-media "$T/random.iso" "$T/out/joliet"
  assert_same_tree "$T/media" "$T/out/joliet"
  expect_fail 0x80070057 'is a folder, not an ISO' -- \
    "$DISMAKE" extract-media "$T/media" "$T/out/folder"
}

test_microsoft_style_udf
test_linux_joliet
test_unreadable_udf_refused
test_not_an_iso
end_test
