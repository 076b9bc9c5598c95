#!/usr/bin/env bash
# Runs sample_style_client on base.wim with its own DISMAKE_HOME and log
# directory (not made yet: the client's DismInitialize makes it), then checks
# that the log recorded the calls the client made.
#   run_sample_style_client.sh CLIENT FIXTURES_DIR
set -euo pipefail
client=$1 fixtures=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DISMAKE_HOME=$work/home
"$client" "$fixtures/base.wim" "$work/mount" "$work/logs/dism.log"
for call in DismMountImage DismGetDrivers DismUnmountImage; do
  grep -q "Enter $call - $call" "$work/logs/dism.log" ||
    { echo "run_sample_style_client.sh: the log does not record $call" >&2; exit 1; }
done
[[ ! -e $work/mount ]] || { echo "run_sample_style_client.sh: the mount was left behind" >&2; exit 1; }
echo "run_sample_style_client.sh: the sample-style client ran, its log records its calls"
