#!/usr/bin/env bash
# `dismake split` gives the same parts for the same WIM: the GUID the parts
# share is derived from the source (wimlib picks a random one per split),
# and the parts still make one valid set (wimlib joins them back into the
# image they came from).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

begin_test split_reproducible
mkdir -p "$T/tree"
for n in 1 2 3 4; do head -c 700000 /dev/urandom >"$T/tree/file$n.bin"; done
wimlib-imagex capture "$T/tree" "$T/source.wim" Image --compress=none >/dev/null

step "two splits of one WIM: the same bytes, part by part"
dismake_ok split "$T/source.wim" "$T/a/install.swm" --size 1 --quiet
dismake_ok split "$T/source.wim" "$T/b/install.swm" --size 1 --quiet
mapfile -t parts < <(cd "$T/a" && ls)
((${#parts[@]} >= 3)) || fail "expected at least 3 parts, got: ${parts[*]}"
assert_eq "$(cd "$T/a" && ls)" "$(cd "$T/b" && ls)" "the parts' names"
for part in "${parts[@]}"; do
  cmp "$T/a/$part" "$T/b/$part" || fail "the two splits' $part differ"
done

step "the parts share their GUID and join back into the source's image"
guids=$(for part in "${parts[@]}"; do wimlib-imagex info "$T/a/$part" --header | grep -i '^GUID'; done | sort -u)
assert_eq 1 "$(wc -l <<<"$guids")" "distinct GUIDs among the parts"
wimlib-imagex join "$T/joined.wim" "$T"/a/*.swm >/dev/null
wimlib-imagex apply "$T/joined.wim" 1 "$T/back" >/dev/null
diff -r "$T/tree" "$T/back" >&2 || fail "the joined parts do not give the source's files back"

step "another part size gives another GUID"
dismake_ok split "$T/source.wim" "$T/c/install.swm" --size 2 --quiet
other=$(wimlib-imagex info "$T/c/install.swm" --header | grep -i '^GUID')
[[ $other != "$guids" ]] || fail "a split with another part size has the same GUID"
end_test
