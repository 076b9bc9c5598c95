#!/usr/bin/env bash
# The commit's "reclaimable" figure is what a compacting rewrite frees:
# measured against `wimlib-imagex optimize` on a generated WIM whose
# serviced file was replaced, so that the base's blob of it is referenced by
# no image any more (an appending commit keeps it, and its table entry).
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
begin_test commit_reclaimable
command -v wimlib-imagex >/dev/null || skip_test "wimlib-imagex is not installed"

mkdir -p "$T/src/Windows"
head -c 300000 /dev/urandom >"$T/src/Windows/big.bin"
head -c 300000 /dev/urandom >"$T/src/Windows/other.bin"
printf 'small\n' >"$T/src/Windows/small.txt"
wimlib-imagex capture "$T/src" "$T/base.wim" "Generated" >/dev/null
dismake_ok mount "$T/base.wim" "$T/mnt" --index 1

# bytes TEXT: "294.2 KiB" as bytes (the figure is rounded to 0.1 of its unit).
bytes() {
  "$PYTHON" -c 'import sys; v, u = sys.argv[1].split(); print(int(float(v) * {"bytes": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}[u]))' "$1"
}

# commit_and_compare N: replaces big.bin, commits into out.wim, and checks the
# figure the commit line says against what optimize frees from a copy.
commit_and_compare() {
  head -c 300000 /dev/urandom >"$T/new$1.bin"
  dismake_ok add "$T/mnt" "$T/new$1.bin" /Windows/big.bin
  dismake_ok commit "$T/mnt" --output "$T/out.wim" --quiet
  local said freed reported
  said=$(grep -oE '; [0-9.]+ (bytes|KiB|MiB|GiB) reclaimable' <<<"$LAST_STDOUT") ||
    fail "the commit line does not say what is reclaimable: $LAST_STDOUT"
  said=${said#; }
  reported=$(bytes "${said% reclaimable}")
  cp "$T/out.wim" "$T/optimized.wim"
  wimlib-imagex optimize "$T/optimized.wim" >/dev/null
  freed=$(($(stat -c %s "$T/out.wim") - $(stat -c %s "$T/optimized.wim")))
  echo "   commit $1: said $said ($reported bytes), optimize freed $freed bytes"
  ((freed >= 300000)) || fail "optimize freed only $freed bytes: the test's garbage is not there"
  # The figure's rounding (0.05 of its unit) and nothing else.
  local slack=$((reported / 2000 + 64))
  ((reported - freed <= slack && freed - reported <= slack)) ||
    fail "commit $1 said $said reclaimable ($reported bytes), optimize freed $freed bytes"
}

step "a commit into a new output: the base's replaced blob is garbage"
commit_and_compare 1
step "a commit resetting its previous output in place: the same truth"
commit_and_compare 2

step "--compact leaves none, and optimize frees nothing more"
dismake_ok commit "$T/mnt" --output "$T/compact.wim" --compact --quiet
grep -qF '; 0 bytes reclaimable' <<<"$LAST_STDOUT" || fail "a compact output has garbage: $LAST_STDOUT"
cp "$T/compact.wim" "$T/optimized.wim"
wimlib-imagex optimize "$T/optimized.wim" >/dev/null
freed=$(($(stat -c %s "$T/compact.wim") - $(stat -c %s "$T/optimized.wim")))
((freed <= 64 && freed >= -64)) || fail "optimize still frees $freed bytes of a compact output"
dismake_ok unmount "$T/mnt" --discard

end_test
