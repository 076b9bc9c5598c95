#!/usr/bin/env bash
# The main job, end to end: set up, generate a Windows-like base image, then
# service it the DISM way with dismake (info, mount, change the tree, commit
# to a new WIM, unmount) and show what changed in the image.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
work=${DEMO_DIR:-$build/demo}

"$root/scripts/setup.sh"
dismake=$build/plugin/src/cli/dismake
export DISMAKE_HOME=$work/home  # keep the demo's mounts apart from yours

rm -rf "$work" && mkdir -p "$work"
bash "$root/tests/fixtures/make_fixtures.sh" "$work/fixtures" >/dev/null
base=$work/fixtures/base.wim
mount=$work/mount

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "dismake info $base --index 1"
"$dismake" info "$base" --index 1

step "dismake mount (image 'Windows 10 Pro')"
"$dismake" mount "$base" "$mount" --name "Windows 10 Pro"

step "edit the mounted tree with ordinary shell commands"
mkdir -p "$mount/ProgramData/Contoso"
echo "deployed by dismake" >"$mount/ProgramData/Contoso/readme.txt"
echo "10.0.0.5 intranet.contoso.com" >>"$mount/Windows/System32/drivers/etc/hosts"
rm "$mount/Windows/System32/drivers/etc/lmhosts.sam"
"$dismake" list-mounts

step "dismake commit --output serviced.wim, then unmount"
"$dismake" commit "$mount" --output "$work/serviced.wim"
"$dismake" unmount "$mount" --discard

step "what changed in the image (wimlib-imagex dir, base vs serviced)"
diff <(wimlib-imagex dir "$base" 1) <(wimlib-imagex dir "$work/serviced.wim" 1) || true
step "the serviced hosts file"
wimlib-imagex extract "$work/serviced.wim" 1 /Windows/System32/drivers/etc/hosts --to-stdout
