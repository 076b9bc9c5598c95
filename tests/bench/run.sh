#!/usr/bin/env bash
# dismake against its peers: clean build, no-op and one-change rebuilds,
# side by side in one run. Not part of the test suite (not registered with
# CTest): run it by hand, as root or with sudo for the packages.
#
#   tests/bench/run.sh [--reps N] [--naive-reps M] [--scale-reps K] [--skip-memory] [--big-media]
#                      [--no-scale]
#
# Environment: BUILD_DIR (default ./build; the helper is built there if
# missing), BENCH_CACHE (default $BUILD_DIR/bench-cache: generated images,
# work files, logs; never committed), BENCH_RESULTS (default
# tests/bench/results). Writes results.md, results.json, results.png and
# results-scale.png (one-change rebuild time against image size).
#
# The first run generates the base images (~20 minutes on 2 cores, most of it
# the 100k-file one of the scale series); later runs reuse them. One run
# takes ~25 minutes on 2 cores (--no-scale: ~15).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$root/build}
cache=${BENCH_CACHE:-$build/bench-cache}
results=${BENCH_RESULTS:-$here/results}

# --- packages ----------------------------------------------------------------
packages=(wimtools libhivex-bin python3 python3-matplotlib time cmake ninja-build xorriso)
"$root/scripts/install_packages.sh" bench "${packages[@]}"

# --- the helper ----------------------------------------------------------------
helper=$build/plugin/src/cli/dismake
if [[ ! -x $helper ]]; then
  BUILD_DIR=$build "$root/scripts/setup.sh"
else
  cmake --build "$build" --target dismake >/dev/null
fi
module=$root/cmake-modules/Dismake.cmake
# Debian's python3 (the one python3-matplotlib is for), whatever else is on PATH.
python=/usr/bin/python3

# --- the base images (generated once) -------------------------------------------
mkdir -p "$cache"
make_image() { # <name> <scale> [<bytes scale>]
  local wim=$cache/$1.wim tree=$cache/$1-tree
  if [[ -f $wim && -f $wim.ok ]]; then
    return
  fi
  echo "bench: generating $wim (scale $2)"
  local t0=$SECONDS
  "$python" "$here/gen_tree.py" "$tree" "$root/tests/fixtures/data/minimal.hive" --scale "$2" \
    --bytes-scale "${3:-$2}"
  rm -f "$wim"
  wimlib-imagex capture "$tree" "$wim" "Windows" --compress=lzx --threads="$(nproc)" >/dev/null
  rm -rf "$tree"
  touch "$wim.ok"
  echo "bench: $wim: $(stat -c %s "$wim") bytes, $((SECONDS - t0)) s"
}
# A 4-edition WIM of the base's content: the editions share every blob but
# a few, as the editions of a real install.wim do.
make_multi() { # <name> <from>
  local wim=$cache/$1.wim
  if [[ -f $wim && -f $wim.ok ]]; then
    return
  fi
  echo "bench: generating $wim (4 editions of $2)"
  rm -f "$wim"
  local edition
  for edition in 1 2 3 4; do
    wimlib-imagex export "$2" 1 "$wim" "Edition $edition" >/dev/null
    printf 'edition %s\r\n' "$edition" >"$cache/edition.txt"
    printf 'add "%s" /Windows/System32/edition.txt\n' "$cache/edition.txt" |
      wimlib-imagex update "$wim" "$edition" >/dev/null
  done
  rm -f "$cache/edition.txt"
  touch "$wim.ok"
}
scale=(--scale 10k="$cache/scale-10k.wim" --scale 30k="$cache/base.wim"
  --scale 100k="$cache/scale-100k.wim")
args=()
for arg in "$@"; do
  if [[ $arg == --no-scale ]]; then
    scale=()
  else
    args+=("$arg")
  fi
done
make_image base 1
make_image base-small 0.25
make_multi multi "$cache/base.wim"
if ((${#scale[@]})); then
  make_image scale-10k 0.33
  make_image scale-100k 3.3 1.3 # 100k files, 1.5 GiB: generated in ~20 minutes
fi

exec "$python" "$here/bench.py" --cache "$cache" --dismake "$helper" --module "$module" \
  --base "$cache/base.wim" --small-base "$cache/base-small.wim" --multi-base "$cache/multi.wim" \
  "${scale[@]}" --results "$results" "${args[@]}"
