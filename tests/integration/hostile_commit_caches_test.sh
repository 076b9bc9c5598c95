#!/usr/bin/env bash
# The caches that make a commit fast are derived data, checked against their
# content before use: a content pack (<record dir>/packs/*.wim) with a byte
# flipped or cut short, and kept base versions (<record dir>/base-versions/
# *.ntfs) given an extra stream, each with its mtime restored, are named in
# a warning, dropped and made again; the commit succeeds, and its output has
# the bytes of a commit made without any cache (cmp), and verifies.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test hostile_commit_caches

fixture_copy base.wim "$T/base.wim"
MNT=$T/mnt
OUT=$T/out.wim
RECORD=$MNT.dismake
dismake_ok mount "$T/base.wim" "$MNT" --index 1

# A large file goes through a pack; a replaced base file through kept base
# versions.
random_file "$T/big.bin" 300000 big
printf 'kernel32, serviced\n' >"$T/kernel32.dll"
dismake_ok add "$MNT" "$T/big.bin" Windows/big.bin
dismake_ok add "$MNT" "$T/kernel32.dll" Windows/System32/kernel32.dll
dismake_ok commit "$MNT" --output "$OUT"

only_file() {
  local pattern=$1 found
  found=$(compgen -G "$pattern" || true)
  [[ -n $found && $(wc -l <<<"$found") == 1 ]] || fail "expected one file $pattern, found: $found"
  echo "$found"
}

# Flips the byte at OFFSET of FILE, keeping its mtime.
flip_byte() {
  local file=$1 at=$2 byte
  touch -r "$file" "$T/.mtime"
  byte=$(od -An -tu1 -j "$at" -N1 "$file" | tr -d ' ')
  printf "$(printf '\\%03o' $(((byte + 1) % 256)))" |
    dd of="$file" bs=1 seek="$at" conv=notrunc status=none
  touch -r "$T/.mtime" "$file"
}

# Adds one small file (so that the next commit has work to do), commits to
# OUT, and checks that the commit warned with REGEX, that OUT verifies, and
# that it equals a commit of the same mount made without any cache.
commit_despite_damage() {
  local name=$1 regex=$2
  printf '%s\n' "$name" >"$T/$name.txt"
  dismake_ok add "$MNT" "$T/$name.txt" "Windows/$name.txt"
  dismake_ok commit "$MNT" --output "$OUT"
  grep -qE "^dismake: warning: $regex" <<<"$LAST_STDERR" ||
    fail "the commit did not warn /$regex/: $LAST_STDERR"
  verify_wim "$OUT"
  # The reference: no pack, no kept volume, a fresh copy of the base.
  rm -rf "$RECORD/packs" "$RECORD/base-versions"
  dismake_ok commit "$MNT" --output "$T/clean-$name.wim"
  [[ $LAST_STDERR != *warning* ]] || fail "the clean commit warned: $LAST_STDERR"
  assert_same_file "$T/clean-$name.wim" "$OUT"
}

step "a content pack with a byte flipped is made again"
PACK=$(only_file "$RECORD/packs/*.wim")
flip_byte "$PACK" $(($(stat -c %s "$PACK") / 2))
commit_despite_damage flipped "content pack '$PACK' is damaged: .*; it is made again"
assert_exists "$PACK"

step "a content pack cut short is made again"
PACK=$(only_file "$RECORD/packs/*.wim")
touch -r "$PACK" "$T/.mtime"
truncate -s $(($(stat -c %s "$PACK") * 2 / 3)) "$PACK"
touch -r "$T/.mtime" "$PACK"
commit_despite_damage truncated "content pack '$PACK' is damaged"

step "a content pack's header GUID changed is made again"
PACK=$(only_file "$RECORD/packs/*.wim")
flip_byte "$PACK" 24 # the GUID: not covered by the integrity table
commit_despite_damage guid "content pack '$PACK' is damaged: its GUID"

step "kept base versions given an extra stream are extracted again"
command -v ntfscp >/dev/null || fail "ntfscp (ntfs-3g) is missing"
VOLUME=$(only_file "$RECORD/base-versions/*.ntfs")
printf 'hidden payload\n' >"$T/payload"
touch -r "$VOLUME" "$T/.mtime"
ntfscp -q -N payload "$VOLUME" "$T/payload" /Windows/System32/kernel32.dll ||
  fail "ntfscp could not add a stream to $VOLUME"
touch -r "$T/.mtime" "$VOLUME"
commit_despite_damage stream "kept base versions '$VOLUME' differ from the digest"
wimlib-imagex dir "$OUT" 1 --detailed --path=/Windows/System32/kernel32.dll --one-file-only |
  grep -q payload && fail "the extra stream reached the output"

step "kept base versions with a byte flipped are extracted again"
VOLUME=$(only_file "$RECORD/base-versions/*.ntfs")
# The first block that holds data past the boot sector (the MFT or a file).
OFFSET=$("$PYTHON" - "$VOLUME" <<'EOF'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
at = os.lseek(fd, 4096, os.SEEK_DATA)
while os.pread(fd, 4096, at).count(0) == 4096:
    at = os.lseek(fd, at + 4096, os.SEEK_DATA)
print(at + os.pread(fd, 4096, at).index(next(b for b in os.pread(fd, 4096, at) if b)))
EOF
)
flip_byte "$VOLUME" "$OFFSET"
commit_despite_damage volume_byte "kept base versions '$VOLUME' differ from the digest"

dismake_ok unmount "$MNT" --discard
end_test
