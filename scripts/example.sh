#!/usr/bin/env bash
# The main job, end to end: set up and build dismake, generate a Windows-like
# base image, then build examples/basic with CMake + Ninja (mount, overlay,
# registry values, .reg import, unattend, image info, commit) and show the
# result. A second build shows that nothing re-runs when nothing changed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
work=$build/example

"$root/scripts/setup.sh"
dismake=$build/plugin/src/cli/dismake
export DISMAKE_HOME=$work/home # keep the example's mounts apart from yours

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# A fresh example every time: its mount is registered in $work/home only.
rm -rf "$work" && mkdir -p "$work"
bash "$root/tests/fixtures/make_fixtures.sh" "$work/fixtures" >/dev/null
base=$work/fixtures/base.wim
out=$work/basic/contoso.wim

step "configure examples/basic (find_package(Dismake) from $build/cmake-modules)"
cmake -S "$root/examples/basic" -B "$work/basic" -G Ninja \
  -DDismake_DIR="$build/cmake-modules" -DDISMAKE_BASE_WIM="$base" -DDISMAKE_BASE_INDEX=1

step "build: one line per servicing step"
cmake --build "$work/basic"

step "build again: only the mount check and the sessions run; the output is not rewritten"
cmake --build "$work/basic"

step "dismake info $out --index 1"
"$dismake" info "$out" --index 1

step "what changed in the image (wimlib-imagex dir, base vs output)"
diff <(wimlib-imagex dir "$base" 1) <(wimlib-imagex dir "$out" 1) || true

step "registry values in the output's SOFTWARE hive (hivexget)"
hive=$work/SOFTWARE
wimlib-imagex extract "$out" 1 /Windows/System32/config/SOFTWARE --to-stdout >"$hive"
for value in 'Contoso\Deployment Channel' 'Contoso\Deployment Revision' \
  'Contoso\Settings Homepage'; do
  read -r key name <<<"$value"
  printf 'HKLM\\SOFTWARE\\%s\\%s = %s\n' "$key" "$name" "$(hivexget "$hive" "$key" "$name")"
done

step "the answer file in the image (Windows/Panther/unattend.xml), first lines"
wimlib-imagex extract "$out" 1 /Windows/Panther/unattend.xml --to-stdout | head -n 4
