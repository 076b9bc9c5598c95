#!/usr/bin/env bash
# A commit applies only the changes, so every file it did not touch keeps all
# its Windows metadata: security descriptor, attributes (hidden, system,
# read-only), alternate data streams, DOS short name, reparse point, times.
# A Linux working tree cannot even hold most of that, so if any of it survives
# it is because untouched files were never extracted-and-recaptured.
# meta.wim is made by tests/fixtures/make_meta_wim.sh from an NTFS volume.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_metadata

META=$T/meta.wim
fixture_copy meta.wim "$META"
MNT=$T/mnt

# The paths this test changes; every other path must keep its record.
EDITED=/edit-me.txt
ADDED="/Program Files/App/added.txt"

# Make sure the fixture really carries what this test is about, so a
# regenerated meta.wim that lost it cannot make the test pass vacuously.
check_fixture_has_metadata() {
  local d
  d=$(wimlib-imagex dir "$META" 1 --detailed)
  grep -q 'FILE_ATTRIBUTE_HIDDEN is set' <<<"$d" || fail "meta.wim: no hidden file"
  grep -q 'FILE_ATTRIBUTE_READONLY is set' <<<"$d" || fail "meta.wim: no read-only file"
  grep -q 'Named data stream "Zone.Identifier"' <<<"$d" || fail "meta.wim: no ADS"
  grep -q 'Short Name *= "LONGFI~1.TXT"' <<<"$d" || fail "meta.wim: no short name"
  grep -q 'Reparse Tag *= 0xa000000c' <<<"$d" || fail "meta.wim: no reparse point"
  [[ $(grep -c '^Security Descriptor' <<<"$d") -gt 0 ]] || fail "meta.wim: no SDs"
  [[ $(grep '^Security Descriptor' <<<"$d" | sort -u | wc -l) -ge 3 ]] ||
    fail "meta.wim: expected several distinct security descriptors"
}

# For every path of ORIGINAL_WIM's image 1 except those given, the detailed
# record in WIM image 1 is identical.
assert_untouched_records() {
  local wim=$1
  shift
  local path skip untouched=0
  while IFS= read -r path; do
    for skip in "$@"; do [[ $path == "$skip" ]] && continue 2; done
    local before after
    # wimlib numbers hard link groups anew in every image it writes: the
    # number is no metadata, the grouping is (checked below).
    before=$(wim_detailed "$ORIGINAL_WIM" 1 "$path" | grep -v '^Link Group ID')
    after=$(wim_detailed "$wim" 1 "$path" | grep -v '^Link Group ID') || fail "$path missing from $wim"
    assert_same_listing "$before" "$after" "metadata of untouched $path in ${wim##*/}"
    untouched=$((untouched + 1))
  done < <(wimlib-imagex dir "$ORIGINAL_WIM" 1)
  echo "   $untouched untouched paths keep their metadata in ${wim##*/}"
  local group=/Windows/System32/shared.dll other=/Windows/WinSxS/shared.dll
  assert_eq "$(wim_detailed "$wim" 1 $group | grep '^Link Group ID')" \
    "$(wim_detailed "$wim" 1 $other | grep '^Link Group ID')" "link group of $group and $other"
  assert_eq "Link Count          = 2" "$(wim_detailed "$wim" 1 $other | grep '^Link Count')" \
    "link count of $other"
}

ORIGINAL_WIM=$DISMAKE_FIXTURES/meta.wim
ORIGINAL_SHA=$(sha256 "$ORIGINAL_WIM")
check_fixture_has_metadata

step "mount meta.wim"
dismake_ok mount "$META" "$MNT" --index 1

step "commit with no changes keeps every record"
dismake_ok commit "$MNT" --output "$T/noop.wim"
verify_wim "$T/noop.wim"
assert_same_listing "$(tree_listing "$ORIGINAL_WIM" 1)" "$(tree_listing "$T/noop.wim" 1)" "listing of noop.wim"
assert_untouched_records "$T/noop.wim"

step "change one file, add one, commit --output"
printf 'edited on Linux\r\n' >"$MNT/edit-me.txt"
printf 'added on Linux\r\n' >"$MNT/Program Files/App/added.txt"
dismake_ok commit "$MNT" --output "$T/out.wim"
verify_wim "$T/out.wim"
assert_same_listing "$( (wimlib-imagex dir "$ORIGINAL_WIM" 1; echo "$ADDED") | sort)" \
  "$(tree_listing "$T/out.wim" 1)" "listing of out.wim"
assert_eq $'edited on Linux\r' "$(wim_cat "$T/out.wim" 1 "$EDITED")" "edited file"
assert_eq $'added on Linux\r' "$(wim_cat "$T/out.wim" 1 "$ADDED")" "added file"
# Includes "/Program Files/App": adding a child must not reset the directory's
# own descriptor (it has inheritable ACEs of its own).
assert_untouched_records "$T/out.wim" "$EDITED" "$ADDED"
# (The records compared include each stream's SHA-1, so the ADS content and
# the reparse data are checked too, not just their presence.)

step "unmount --commit in place keeps them too"
dismake_ok unmount "$MNT" --commit
verify_wim "$META"
assert_untouched_records "$META" "$EDITED" "$ADDED"
assert_absent "$MNT"
assert_absent "$MNT.dismake"
assert_no_mounts
assert_sha256 "$ORIGINAL_WIM" "$ORIGINAL_SHA"

end_test
