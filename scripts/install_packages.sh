#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet
# (apt-get, as root or through sudo), and nothing when all are there. Used by
# scripts/setup.sh and tests/bench/run.sh; `who` names the caller in the
# one line it prints.
#
#   scripts/install_packages.sh <who> <package>...
set -euo pipefail
who=$1
shift
missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
((${#missing[@]})) || exit 0

echo "$who: installing ${missing[*]}"
sudo=
[[ $(id -u) -eq 0 ]] || sudo=sudo
$sudo apt-get update -qq # a fresh machine's package lists may be stale or absent
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
