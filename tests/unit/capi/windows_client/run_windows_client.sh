#!/usr/bin/env bash
# Runs windows_client on a private copy of base.wim with its own
# DISMAKE_HOME, then checks with wimlib that the answer file was committed.
#   run_windows_client.sh CLIENT FIXTURES_DIR UNATTEND_XML
set -euo pipefail
client=$1 fixtures=$2 unattend=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$fixtures/base.wim" "$work/base.wim"
export DISMAKE_HOME=$work/home
"$client" "$work/base.wim" "$work/mount" "$unattend"
wimlib-imagex dir "$work/base.wim" 1 | grep -qx '/Windows/Panther/unattend.xml' ||
  { echo "run_windows_client.sh: the answer file is not in the committed image" >&2; exit 1; }
[[ ! -e $work/mount ]] || { echo "run_windows_client.sh: the mount was left behind" >&2; exit 1; }
echo "run_windows_client.sh: answer file committed, mount removed"
