#!/usr/bin/env bash
# check_docs.sh BUILD_DOCS_DIR PAGE...: the docs were built and render.
# Sphinx must not have warned (bad reST in a doc comment); each manual page
# must format with man(1) (groff underneath) without a warning and say what
# its sources say; the HTML, when Sphinx built it, must hold every CMake
# function the module documents.
set -euo pipefail
dir=$1
shift
fail() {
  echo "FAIL docs: $*" >&2
  exit 1
}
for log in "$dir"/*-warnings.txt; do
  [[ -e $log ]] || continue
  [[ ! -s $log ]] || fail "Sphinx warned while building the docs: $(cat "$log")"
done
for page in "$@"; do
  file=$dir/man/$page
  [[ -s $file ]] || fail "$file was not built"
  warnings=$(groff -k -man -Tutf8 -ww -z "$file" 2>&1) || fail "groff cannot format $page"
  [[ -z $warnings ]] || fail "groff warns about $page: $warnings"
  # Not hyphenated, words joined into one line: man fills paragraphs.
  text=$(MANWIDTH=100 man --nh --nj -l "$file" 2>/dev/null | col -b) ||
    fail "man -l cannot show $page"
  words=$(tr -s ' \n\t' '   ' <<<"$text")
  case $page in
    dismake.1)
      grep -q '^NAME' <<<"$text" || fail "$page has no NAME section"
      grep -qF 'dismake diff' <<<"$words" || fail "$page does not describe dismake diff"
      grep -qF 'Windows Registry Editor Version 5.00' <<<"$words" || fail "$page lacks the .reg part"
      for verb in set-attributes set-security explain --compact; do
        grep -qF -- "$verb" <<<"$words" || fail "$page does not describe $verb"
      done
      # Every verb the helper lists (DISMAKE: the helper under test).
      if [[ -n ${DISMAKE:-} ]]; then
        mapfile -t verbs < <("$DISMAKE" --help | sed -n '/^Subcommands:/,$s/^  \([a-z][a-z-]*\) .*/\1/p')
        ((${#verbs[@]} > 20)) || fail "dismake --help lists ${#verbs[@]} verbs"
        for verb in "${verbs[@]}"; do
          grep -qE -- "(^|[ (])$verb([ ,)]|$)" <<<"$words" || fail "$page does not describe $verb"
        done
      fi
      # Opened from the build tree as the README says: by its path.
      by_path=$(cd "$dir/.." && MANWIDTH=100 man "./docs/man/$page" 2>/dev/null | col -b) || true
      grep -q '^NAME' <<<"$by_path" || fail "man ./docs/man/$page does not open $page from the build tree"
      ;;
    dismake-cmake.7)
      for fn in dismake_mount_image dismake_unmount_image DIFF_REPORT; do
        grep -qF "$fn" <<<"$words" || fail "$page does not document $fn"
      done
      ;;
  esac
  echo "ok: $page renders ($(wc -l <<<"$text") lines)"
done
if [[ -d $dir/html ]]; then
  modules=("$(dirname "$0")"/../cmake-modules/Dismake*.cmake)
  mapfile -t functions < <(sed -n 's/^\.\. command:: //p' "${modules[@]}")
  ((${#functions[@]} > 0)) || fail "Dismake.cmake documents no command"
  for fn in "${functions[@]}"; do
    grep -q "id=\"command-$fn\"" "$dir/html/dismake-cmake.html" ||
      fail "the HTML docs lack $fn"
  done
  echo "ok: HTML documents ${#functions[@]} CMake functions"
fi
