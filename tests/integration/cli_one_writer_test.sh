#!/usr/bin/env bash
# One read-write mount per image, as DISM: mounting an image (the same WIM
# file, by any path to it, and the same index) read-write while it is already
# mounted read-write elsewhere is refused, naming the other mount, with
# WIMGAPI's 0xC1420127; nothing is created. A read-only second mount, another
# index, another copy of the file and a build's mount are fine.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test cli_one_writer

fixture_copy base.wim "$T/base.wim"
W=$T/base.wim
dismake_ok mount "$W" "$T/first" --index 1

step "a second read-write mount of the image is refused, naming the first"
expect_refused 0xC1420127 "image 1 of '$W' is already mounted read-write at '$T/first'.*unmount $T/first" -- \
  "$DISMAKE" mount "$W" "$T/second" --index 1
step "... also by name, through a symlink and through a hard link"
expect_refused 0xC1420127 "already mounted read-write at '$T/first'" -- \
  "$DISMAKE" mount "$W" "$T/second" --name "Windows 10 Pro"
mkdir "$T/links"
ln -s "$W" "$T/links/symlink.wim"
ln "$W" "$T/links/hardlink.wim"
expect_refused 0xC1420127 "already mounted read-write at '$T/first'" -- \
  "$DISMAKE" mount "$T/links/symlink.wim" "$T/second" --index 1
expect_refused 0xC1420127 "already mounted read-write at '$T/first'" -- \
  "$DISMAKE" mount "$T/links/hardlink.wim" "$T/second" --index 1

step "read-only, another index, another copy of the file, a build's mount: fine"
dismake_ok mount "$W" "$T/readonly" --index 1 --readonly
dismake_ok mount "$W" "$T/index2" --index 2
cp "$W" "$T/copy.wim"
dismake_ok mount "$T/copy.wim" "$T/copy" --index 1
dismake_ok ensure --wim "$W" --index 1 --mount-dir "$T/build" --quiet
assert_eq 5 "$(mounts_json 'len(m)')" "registered mounts"

step "once the first is unmounted, the image can be mounted read-write again"
echo "kept" >"$T/first/Windows/kept.txt"
dismake_ok unmount "$T/first" --commit --quiet
dismake_ok mount "$W" "$T/second" --index 1
assert_eq kept "$(cat "$T/second/Windows/kept.txt")" "the first mount's committed file"

for m in second readonly index2 copy build; do dismake_ok unmount "$T/$m" --discard; done
end_test
