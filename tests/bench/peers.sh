#!/usr/bin/env bash
# What a user would do without dismake, for the benchmark's recipe
# (tests/bench/bench.py writes the inputs into <project>):
#
#   peers.sh naive  <base.wim> <out.wim> <project> <work-dir>
#       apply the whole image, edit the tree, capture a new WIM (LZX)
#   peers.sh expert <base.wim> <out.wim> <project> <work-dir>
#       cp the WIM, extract only the hives and the run step's directory,
#       edit them, then one `wimlib-imagex update --unsafe-compact` with every
#       add/delete
#   peers.sh expert-one <prev-out.wim> <out.wim> <file> <image-path>
#       the expert way of applying one changed file: cp + update (one add)
#   peers.sh expert-reg <prev-out.wim> <out.wim> <software.hsh> <work-dir>
#       the expert way of changing one registry value: cp + extract the hive
#       + hivexsh + update (one add)
#   peers.sh expert-verify <base.wim> <out.wim> <project> <work-dir>
#       `wimlib-imagex verify` of the base first (the whole file checked),
#       then the expert script
#   peers.sh floor  <base.wim> <out.wim>
#       copying the WIM file: no way of producing a new image is faster
#
# <project> holds overlay/, unattend.xml, run_step.sh, software.hsh and
# system.hsh (hivexsh scripts making the same registry values as the
# recipe's dismake_set_registry_value steps). <work-dir> is emptied first.
set -euo pipefail

mode=$1
shift

hive_edit() { # <hivexsh script> <hive file>
  hivexsh -w -f "$1" "$2"
}

case $mode in
  naive)
    base=$1 out=$2 project=$3 work=$4
    rm -rf "$work" && mkdir -p "$work"
    tree=$work/tree
    wimlib-imagex apply "$base" 1 "$tree" >/dev/null
    cp -a "$project/overlay/." "$tree/"
    hive_edit "$project/software.hsh" "$tree/Windows/System32/config/SOFTWARE"
    hive_edit "$project/system.hsh" "$tree/Windows/System32/config/SYSTEM"
    mkdir -p "$tree/Windows/Panther"
    cp "$project/unattend.xml" "$tree/Windows/Panther/unattend.xml"
    rm -rf "$tree/Windows/Web"
    (cd "$tree" && sh "$project/run_step.sh")
    wimlib-imagex capture "$tree" "$out" "Windows" --compress=lzx --threads=2 >/dev/null
    ;;
  expert)
    base=$1 out=$2 project=$3 work=$4
    rm -rf "$work" && mkdir -p "$work"
    x=$work/x
    cp "$base" "$out"
    wimlib-imagex extract "$base" 1 /Windows/System32/config/SOFTWARE \
      /Windows/System32/config/SYSTEM /Windows/Setup/Scripts \
      --dest-dir="$x" --preserve-dir-structure --no-acls >/dev/null
    hive_edit "$project/software.hsh" "$x/Windows/System32/config/SOFTWARE"
    hive_edit "$project/system.hsh" "$x/Windows/System32/config/SYSTEM"
    (cd "$x" && sh "$project/run_step.sh")
    wimlib-imagex update "$out" 1 --unsafe-compact >/dev/null <<EOF
add "$project/overlay" /
add "$x/Windows/System32/config/SOFTWARE" /Windows/System32/config/SOFTWARE
add "$x/Windows/System32/config/SYSTEM" /Windows/System32/config/SYSTEM
add "$project/unattend.xml" /Windows/Panther/unattend.xml
delete --recursive /Windows/Web
add "$x/Windows/Setup/Scripts" /Windows/Setup/Scripts
EOF
    ;;
  expert-verify)
    wimlib-imagex verify "$1" >/dev/null
    exec "$0" expert "$@"
    ;;
  expert-one)
    prev=$1 out=$2 file=$3 dest=$4
    cp "$prev" "$out"
    printf 'add "%s" "%s"\n' "$file" "$dest" |
      wimlib-imagex update "$out" 1 --unsafe-compact >/dev/null
    ;;
  expert-reg)
    prev=$1 out=$2 script=$3 work=$4
    rm -rf "$work" && mkdir -p "$work"
    cp "$prev" "$out"
    wimlib-imagex extract "$prev" 1 /Windows/System32/config/SOFTWARE \
      --dest-dir="$work" --no-acls >/dev/null
    hive_edit "$script" "$work/SOFTWARE"
    printf 'add "%s" /Windows/System32/config/SOFTWARE\n' "$work/SOFTWARE" |
      wimlib-imagex update "$out" 1 --unsafe-compact >/dev/null
    ;;
  floor)
    cp "$1" "$2"
    ;;
  *)
    echo "peers.sh: unknown mode '$mode'" >&2
    exit 2
    ;;
esac
