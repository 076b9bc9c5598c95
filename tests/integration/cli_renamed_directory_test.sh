#!/usr/bin/env bash
# A directory the rename step moved carries everything its origin held into
# the image (one wimlib RENAME); what a later step, or a hand edit in the
# mount, then removed below it must be deleted at the new place, or the
# commit keeps files the mount no longer has. The committed image is the
# mount's tree (names and content), and equals the image the same changes
# give when the deletions come before the rename.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_renamed_directory

META=$DISMAKE_FIXTURES/meta.wim

# Every path of the mount's tree as `wimlib-imagex dir` prints it, sorted.
mount_listing() {
  (cd "$1" && find . | sed -e 's|^\.||' -e 's|^$|/|') | sort
}

# Each regular file of the tree has the committed image's content.
assert_same_content() {
  local m=$1 wim=$2 path
  while IFS= read -r -d '' path; do
    assert_eq "$(sha256sum <"$m/$path")" "$(wim_cat "$wim" 1 "/$path" | sha256sum)" "content of /$path"
  done < <(cd "$m" && find . -type f -printf '%P\0')
}

step "rename a directory, then delete below it by a step and by hand"
fixture_copy meta.wim "$T/a.wim"
dismake_ok mount "$T/a.wim" "$T/a" --index 1
dismake_ok rename "$T/a" Windows/System32 Windows/Sys64
dismake_ok delete "$T/a" Windows/Sys64/settings.ini
rm -r "$T/a/Windows/Sys64/config"
rm "$T/a/Windows/Sys64/shared.dll"
printf 'new below the renamed directory\r\n' >"$T/a/Windows/Sys64/new.txt"
dismake_ok commit "$T/a" --output "$T/renamed.wim"
verify_wim "$T/renamed.wim"
assert_same_listing "$(mount_listing "$T/a")" "$(tree_listing "$T/renamed.wim" 1)" \
  "the committed image's paths against the mount's"
assert_same_content "$T/a" "$T/renamed.wim"

step "the same changes with the deletions first give the same image"
fixture_copy meta.wim "$T/b.wim"
dismake_ok mount "$T/b.wim" "$T/b" --index 1
dismake_ok delete "$T/b" Windows/System32/settings.ini
rm -r "$T/b/Windows/System32/config"
rm "$T/b/Windows/System32/shared.dll"
dismake_ok rename "$T/b" Windows/System32 Windows/Sys64
printf 'new below the renamed directory\r\n' >"$T/b/Windows/Sys64/new.txt"
dismake_ok commit "$T/b" --output "$T/deleted-first.wim"
assert_same_listing "$(wim_detailed "$T/deleted-first.wim" 1)" "$(wim_detailed "$T/renamed.wim" 1)" \
  "the image with the deletions before the rename"

step "a file replaced below the renamed directory is the new file, once"
printf 'replaced after the rename\r\n' >"$T/in.txt"
dismake_ok add "$T/a" "$T/in.txt" Windows/Sys64/new.txt
dismake_ok commit "$T/a" --output "$T/replaced.wim"
verify_wim "$T/replaced.wim"
assert_same_listing "$(mount_listing "$T/a")" "$(tree_listing "$T/replaced.wim" 1)" \
  "the committed image's paths after the replacement"
assert_same_content "$T/a" "$T/replaced.wim"
# The renamed directory kept its descriptor (the rename is a rename).
assert_eq "$(wim_detailed "$META" 1 /Windows/System32 | grep '^Security Descriptor')" \
  "$(wim_detailed "$T/replaced.wim" 1 /Windows/Sys64 | grep '^Security Descriptor')" \
  "descriptor of the renamed directory"

dismake_ok unmount "$T/a" --discard
dismake_ok unmount "$T/b" --discard
end_test
