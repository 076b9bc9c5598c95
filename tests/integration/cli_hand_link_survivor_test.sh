#!/usr/bin/env bash
# A hard link made by hand in a CLI mount (`ln a b`) is a second name of
# a's file. When the first name then goes (a delete step, or `rm` by hand),
# Windows keeps the file as long as a name of it exists: b keeps the
# descriptor, attributes and named streams a had (not the short name, which
# was a's). The commit makes that a rename of the base file to b, so the
# image equals the one a `rename` step gives; a third name stays linked.
# A first name renamed (or carried by its directory's rename) stays one
# file with its other names.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_hand_link_survivor

META=$DISMAKE_FIXTURES/meta.wim
SETTINGS=/Windows/System32/settings.ini

[[ -n $(wim_descriptor "$META" /secure.txt) ]] || fail "meta.wim's secure.txt has no descriptor"

step "ln by hand, commit, then a delete step removes the first name"
fixture_copy meta.wim "$T/a.wim"
dismake_ok mount "$T/a.wim" "$T/a" --index 1
ln "$T/a/secure.txt" "$T/a/Windows/secure-link.txt"
dismake_ok commit "$T/a" --output "$T/linked.wim"
assert_eq 2 "$(wim_link_count "$T/linked.wim" /Windows/secure-link.txt)" "link count while both names exist"
dismake_ok delete "$T/a" secure.txt
dismake_ok commit "$T/a" --output "$T/survivor.wim"
verify_wim "$T/survivor.wim"
wim_detailed "$T/survivor.wim" 1 /secure.txt >/dev/null 2>&1 && fail "/secure.txt is still there"
assert_eq "$(wim_descriptor "$META" /secure.txt)" "$(wim_descriptor "$T/survivor.wim" /Windows/secure-link.txt)" \
  "descriptor of the remaining name"
assert_eq "$(wim_attributes "$META" /secure.txt)" "$(wim_attributes "$T/survivor.wim" /Windows/secure-link.txt)" \
  "attributes of the remaining name"
assert_eq 1 "$(wim_link_count "$T/survivor.wim" /Windows/secure-link.txt)" "link count of the remaining name"
assert_eq "$(wim_cat "$META" 1 /secure.txt)" "$(wim_cat "$T/survivor.wim" 1 /Windows/secure-link.txt)" \
  "content of the remaining name"

step "the same as a rename step gives"
fixture_copy meta.wim "$T/r.wim"
dismake_ok mount "$T/r.wim" "$T/r" --index 1
dismake_ok rename "$T/r" secure.txt Windows/secure-link.txt
dismake_ok commit "$T/r" --output "$T/renamed.wim"
assert_same_listing "$(wim_detailed "$T/renamed.wim" 1)" "$(wim_detailed "$T/survivor.wim" 1)" \
  "the image against the renamed one"

step "rm by hand of the first of three names: the other two stay one file with its metadata"
ln "$T/a/Windows/System32/settings.ini" "$T/a/Windows/settings-b.ini"
ln "$T/a/Windows/System32/settings.ini" "$T/a/settings-c.ini"
dismake_ok commit "$T/a" --output "$T/three.wim"
rm "$T/a/Windows/System32/settings.ini"
dismake_ok commit "$T/a" --output "$T/two.wim"
verify_wim "$T/two.wim"
wim_detailed "$T/two.wim" 1 $SETTINGS >/dev/null 2>&1 && fail "$SETTINGS is still there"
for name in /Windows/settings-b.ini /settings-c.ini; do
  assert_eq "$(wim_descriptor "$META" $SETTINGS)" "$(wim_descriptor "$T/two.wim" $name)" "descriptor of $name"
  assert_eq "$(wim_attributes "$META" $SETTINGS)" "$(wim_attributes "$T/two.wim" $name)" "attributes of $name"
  assert_eq 2 "$(wim_link_count "$T/two.wim" $name)" "link count of $name"
  wim_detailed "$T/two.wim" 1 $name | grep -q 'Named data stream "Zone.Identifier"' ||
    fail "$name lost the named stream"
done
assert_eq "$(wim_field "$T/two.wim" /Windows/settings-b.ini 'Link Group ID')" \
  "$(wim_field "$T/two.wim" /settings-c.ini 'Link Group ID')" "link group of the two names"
# The survivor kept its descriptor from the first test step too.
assert_eq "$(wim_descriptor "$META" /secure.txt)" "$(wim_descriptor "$T/two.wim" /Windows/secure-link.txt)" \
  "descriptor of secure-link.txt in the later commit"

step "a base file with a base hard link: the remaining names are still one file"
SHARED=/Windows/System32/shared.dll
WINSXS=/Windows/WinSxS/shared.dll
assert_eq 2 "$(wim_link_count "$META" $SHARED)" "link count of $SHARED in meta.wim"
ln "$T/a$SHARED" "$T/a/Windows/shared-b.dll"
dismake_ok delete "$T/a" "${SHARED#/}"
dismake_ok commit "$T/a" --output "$T/shared.wim"
verify_wim "$T/shared.wim"
for name in $WINSXS /Windows/shared-b.dll; do
  assert_eq "$(wim_descriptor "$META" $SHARED)" "$(wim_descriptor "$T/shared.wim" $name)" "descriptor of $name"
  assert_eq 2 "$(wim_link_count "$T/shared.wim" $name)" "link count of $name"
done
assert_eq "$(wim_field "$T/shared.wim" $WINSXS 'Link Group ID')" \
  "$(wim_field "$T/shared.wim" /Windows/shared-b.dll 'Link Group ID')" "link group of the two names"

step "names in a new directory: made before the rename, the file keeps its metadata"
mkdir "$T/a/NewDir"
ln "$T/a/edit-me.txt" "$T/a/NewDir/one.txt"
ln "$T/a/edit-me.txt" "$T/a/NewDir/two.txt"
dismake_ok commit "$T/a" --output "$T/new-dir-linked.wim"
rm "$T/a/edit-me.txt"
dismake_ok commit "$T/a" --output "$T/new-dir.wim"
verify_wim "$T/new-dir.wim"
for name in /NewDir/one.txt /NewDir/two.txt; do
  assert_eq 2 "$(wim_link_count "$T/new-dir.wim" $name)" "link count of $name"
  assert_eq "$(wim_cat "$META" 1 /edit-me.txt)" "$(wim_cat "$T/new-dir.wim" 1 $name)" "content of $name"
  assert_eq "$(wim_descriptor "$META" /edit-me.txt)" "$(wim_descriptor "$T/new-dir.wim" $name)" "descriptor of $name"
done

step "the first name renamed (itself, or its directory): the names stay one file"
fixture_copy meta.wim "$T/m.wim"
dismake_ok mount "$T/m.wim" "$T/m" --index 1
ln "$T/m$SETTINGS" "$T/m/Windows/b.ini"
ln "$T/m/readonly.txt" "$T/m/ro-b.txt"
dismake_ok commit "$T/m" --output "$T/m-linked.wim"
dismake_ok rename "$T/m" Windows/System32 Windows/Sys64
dismake_ok rename "$T/m" readonly.txt ro-x.txt
dismake_ok commit "$T/m" --output "$T/m-renamed.wim"
verify_wim "$T/m-renamed.wim"
for pair in "/Windows/Sys64/settings.ini /Windows/b.ini $SETTINGS" "/ro-x.txt /ro-b.txt /readonly.txt"; do
  read -r one other was <<<"$pair"
  for name in "$one" "$other"; do
    assert_eq 2 "$(wim_link_count "$T/m-renamed.wim" "$name")" "link count of $name"
    assert_eq "$(wim_attributes "$META" "$was")" "$(wim_attributes "$T/m-renamed.wim" "$name")" "attributes of $name"
    assert_eq "$(wim_descriptor "$META" "$was")" "$(wim_descriptor "$T/m-renamed.wim" "$name")" "descriptor of $name"
  done
  assert_eq "$(wim_field "$T/m-renamed.wim" "$one" 'Link Group ID')" \
    "$(wim_field "$T/m-renamed.wim" "$other" 'Link Group ID')" "link group of $one and $other"
done
dismake_ok unmount "$T/m" --discard

step "committing the same state again gives the same bytes"
dismake_ok commit "$T/a" --output "$T/new-dir-again.wim"
assert_same_file "$T/new-dir.wim" "$T/new-dir-again.wim"

dismake_ok unmount "$T/a" --discard
dismake_ok unmount "$T/r" --discard
end_test
