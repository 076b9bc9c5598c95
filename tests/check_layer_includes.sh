#!/usr/bin/env bash
# The layer map, enforced (docs/design-notes.md, "Layers"). Every layer's
# library exports all of plugin/include, so the compiler would accept a header
# from a layer above; this check refuses it. A file in plugin/src/<layer>/ or
# plugin/include/dismake/<layer>/ may include headers of these layers only:
#
#   base      base
#   registry  base registry                 (engines: they need only base/)
#   media     base media
#   drivers   base registry drivers
#   wim       base wim
#   store     base wim store
#   session   base session                  (beside store: neither includes the other)
#   diff      base wim store registry diff
#   ops       base wim store session registry media drivers ops
#   cli       every layer but capi
#   capi      every layer but cli and diff  (dismapi.h is capi's)
#
# and nothing outside plugin/src/wim includes wimlib.h.
# Usage: check_layer_includes.sh <source-dir>; prints each violation as
# "<file>:<line>: ..." and fails when there is one.
set -euo pipefail

root=${1:?usage: check_layer_includes.sh <source-dir>}
cd "$root"

declare -A allowed=(
  [base]="base"
  [registry]="base registry"
  [media]="base media"
  [drivers]="base registry drivers"
  [wim]="base wim"
  [store]="base wim store"
  [session]="base session"
  [diff]="base wim store registry diff"
  [ops]="base wim store session registry media drivers ops"
  [cli]="base registry media drivers wim store session diff ops cli"
  [capi]="base registry media drivers wim store session ops capi"
)

violations=0
report() {
  echo "$1" >&2
  violations=$((violations + 1))
}

# Sets `layer` to the layer of path $1 (a file of the tree), or "" when it is
# in none.
layer_of_file() {
  local rest
  layer=""
  case $1 in
    plugin/src/*/*) rest=${1#plugin/src/} ;;
    plugin/include/dismake/*/*) rest=${1#plugin/include/dismake/} ;;
    plugin/include/*) rest=capi/ ;;
    *) return 0 ;;
  esac
  layer=${rest%%/*}
}

# Sets `layer` to the layer of header $3 included by file $1 with delimiter
# $2: "dismake/<layer>/x.h", dismapi.h, or a private header beside the
# including file (or reached with ../); "" for a system or third-party one.
layer_of_include() {
  local file=$1 delimiter=$2 header=$3 resolved
  layer=""
  case $header in
    dismake/*/*)
      resolved=${header#dismake/}
      layer=${resolved%%/*}
      ;;
    dismapi.h | DismApi.h) layer=capi ;;
    *)
      [[ $delimiter == '"' ]] || return 0
      resolved=$(realpath -m --relative-to=. "${file%/*}/$header")
      [[ -e $resolved ]] && layer_of_file "$resolved"
      ;;
  esac
  return 0
}

# Reads "<file>:<line>:<delimiter>:<header>" lines, one per include.
check_layers() {
  local file number delimiter header own
  while IFS=: read -r file number delimiter header; do
    layer_of_file "$file"
    own=$layer
    if [[ -z ${allowed[$own]+x} ]]; then
      report "$file: is in no known layer (add it to the map in $0)"
      continue
    fi
    layer_of_include "$file" "$delimiter" "$header"
    [[ -z $layer || " ${allowed[$own]} " == *" $layer "* ]] && continue
    report "$file:$number: includes \"$header\", a header of layer $layer; $own may include only: ${allowed[$own]}"
  done
}

sources() {
  find "$@" -type f \( -name '*.h' -o -name '*.hpp' -o -name '*.c' -o -name '*.cpp' \) | sort
}

check_layers < <(sources plugin/src plugin/include |
  xargs grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' /dev/null |
  sed -E 's/^([^:]+):([0-9]+):[^<"]*([<"])([^">]*)[">].*/\1:\2:\3:\4/' || true)

while IFS= read -r hit; do
  report "$hit: includes wimlib.h; only plugin/src/wim may (the wim layer wraps it)"
done < <(sources plugin tests examples | grep -v '^plugin/src/wim/' |
  xargs grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]wimlib(\.h|/)' /dev/null |
  cut -d: -f1,2 || true)

if ((violations > 0)); then
  echo "check_layer_includes: $violations include(s) break the layer map" >&2
  exit 1
fi
echo "check_layer_includes: every include keeps to the layer map"
