#!/usr/bin/env bash
# A file or directory moved by hand in a CLI mount into a directory made by
# hand (`mkdir d; mv f d/`, `mkdir -p a/b`) is the same file under a new
# name, as on Windows: it keeps its security descriptor, attributes and
# named streams. The commit renames the base file into the new directory,
# so the image equals the one the steps `add` (an empty directory) and
# `rename` give.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_move_into_new_directory

META=$DISMAKE_FIXTURES/meta.wim

streams() { wim_detailed "$1" 1 "$2" | grep -E '^\s*(Named data stream|Hash)'; }

# base path → where the moves below put it
MOVED=(
  "/plain.txt /New2/plain.txt"
  "/readonly.txt /New2/readonly.txt"
  "/Windows/System32/settings.ini /A/B/settings.ini"
  "/Program Files/App /NewParent/App"
  "/Program Files/App/app.exe /NewParent/App/app.exe"
)

step "the fixture's files have what the moves must keep"
for pair in "${MOVED[@]}"; do
  was=${pair% /*}
  [[ -n $(wim_descriptor "$META" "$was") ]] || fail "meta.wim's $was has no descriptor"
done
streams "$META" /Windows/System32/settings.ini | grep -q 'Named data stream "Zone.Identifier"' ||
  fail "meta.wim's settings.ini has no named stream"

step "mv by hand into new directories, then commit"
fixture_copy meta.wim "$T/h.wim"
dismake_ok mount "$T/h.wim" "$T/h" --index 1
mkdir "$T/h/New2" "$T/h/NewParent"
mv "$T/h/plain.txt" "$T/h/readonly.txt" "$T/h/New2/"
mkdir -p "$T/h/A/B"
mv "$T/h/Windows/System32/settings.ini" "$T/h/A/B/"
mv "$T/h/Program Files/App" "$T/h/NewParent/"
dismake_ok commit "$T/h" --output "$T/hand.wim"
verify_wim "$T/hand.wim"
for pair in "${MOVED[@]}"; do
  was=${pair% /*} now=/${pair#* /}
  wim_detailed "$T/hand.wim" 1 "$was" >/dev/null 2>&1 && fail "$was is still there"
  assert_eq "$(wim_descriptor "$META" "$was")" "$(wim_descriptor "$T/hand.wim" "$now")" "descriptor of $now"
  assert_eq "$(wim_attributes "$META" "$was")" "$(wim_attributes "$T/hand.wim" "$now")" "attributes of $now"
  assert_eq "$(streams "$META" "$was")" "$(streams "$T/hand.wim" "$now")" "streams of $now"
done

step "the same as the add and rename steps give"
fixture_copy meta.wim "$T/s.wim"
dismake_ok mount "$T/s.wim" "$T/s" --index 1
mkdir -p "$T/empty/New2" "$T/empty/A/B" "$T/empty/NewParent"
for dir in New2 A NewParent; do dismake_ok add "$T/s" "$T/empty/$dir" $dir; done
dismake_ok rename "$T/s" plain.txt New2/plain.txt
dismake_ok rename "$T/s" readonly.txt New2/readonly.txt
dismake_ok rename "$T/s" Windows/System32/settings.ini A/B/settings.ini
dismake_ok rename "$T/s" "Program Files/App" NewParent/App
dismake_ok commit "$T/s" --output "$T/steps.wim"
verify_wim "$T/steps.wim"
assert_same_listing "$(wim_detailed "$T/steps.wim" 1)" "$(wim_detailed "$T/hand.wim" 1)" \
  "the image against the one of the steps"

step "a moved file edited in a later commit keeps its metadata"
printf 'edited\r\n' >"$T/h/New2/plain.txt"
dismake_ok commit "$T/h" --output "$T/edited.wim"
verify_wim "$T/edited.wim"
assert_eq "$(wim_descriptor "$META" /plain.txt)" "$(wim_descriptor "$T/edited.wim" /New2/plain.txt)" \
  "descriptor of the edited /New2/plain.txt"
assert_eq "$(printf 'edited\r\n')" "$(wim_cat "$T/edited.wim" 1 /New2/plain.txt)" \
  "content of the edited /New2/plain.txt"
assert_eq "$(wim_descriptor "$META" /readonly.txt)" "$(wim_descriptor "$T/edited.wim" /New2/readonly.txt)" \
  "descriptor of /New2/readonly.txt in the later commit"

step "a directory made where the base had a file: the move is still a rename"
fixture_copy meta.wim "$T/f.wim"
dismake_ok mount "$T/f.wim" "$T/f" --index 1
rm "$T/f/edit-me.txt"
mkdir "$T/f/edit-me.txt"
mv "$T/f/secure.txt" "$T/f/edit-me.txt/"
dismake_ok commit "$T/f" --output "$T/retyped.wim"
verify_wim "$T/retyped.wim"
assert_eq "$(wim_descriptor "$META" /secure.txt)" "$(wim_descriptor "$T/retyped.wim" /edit-me.txt/secure.txt)" \
  "descriptor of /edit-me.txt/secure.txt"
fixture_copy meta.wim "$T/g.wim"
dismake_ok mount "$T/g.wim" "$T/g" --index 1
dismake_ok delete "$T/g" edit-me.txt
mkdir -p "$T/empty2/edit-me.txt"
dismake_ok add "$T/g" "$T/empty2/edit-me.txt" edit-me.txt
dismake_ok rename "$T/g" secure.txt edit-me.txt/secure.txt
dismake_ok commit "$T/g" --output "$T/retyped-steps.wim"
assert_same_listing "$(wim_detailed "$T/retyped-steps.wim" 1)" "$(wim_detailed "$T/retyped.wim" 1)" \
  "the image against the one of the steps"
dismake_ok unmount "$T/f" --discard
dismake_ok unmount "$T/g" --discard

step "a new directory inside a renamed one: the commit still works"
# The directory cannot be made before its parent's rename: the file moved
# into it is added as a new one (known gap), the rest keeps its metadata.
fixture_copy meta.wim "$T/k.wim"
dismake_ok mount "$T/k.wim" "$T/k" --index 1
dismake_ok rename "$T/k" Windows Win2
mkdir "$T/k/Win2/New"
mv "$T/k/plain.txt" "$T/k/Win2/New/"
dismake_ok commit "$T/k" --output "$T/in-renamed.wim"
verify_wim "$T/in-renamed.wim"
assert_eq "$(wim_cat "$META" 1 /plain.txt)" "$(wim_cat "$T/in-renamed.wim" 1 /Win2/New/plain.txt)" \
  "content of /Win2/New/plain.txt"
assert_eq "$(wim_descriptor "$META" /Windows/System32/settings.ini)" \
  "$(wim_descriptor "$T/in-renamed.wim" /Win2/System32/settings.ini)" "descriptor of the renamed settings.ini"
dismake_ok unmount "$T/k" --discard

step "committing the same state again gives the same bytes"
dismake_ok commit "$T/h" --output "$T/edited-again.wim"
assert_same_file "$T/edited.wim" "$T/edited-again.wim"

dismake_ok unmount "$T/h" --discard
dismake_ok unmount "$T/s" --discard
end_test
