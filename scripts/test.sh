#!/usr/bin/env bash
# Sets up (scripts/setup.sh), builds, and runs the whole test suite: unit tests
# (GoogleTest) and integration tests (the real helper on real WIM files), then
# the session and C API tests again under AddressSanitizer and
# ThreadSanitizer, as their threads demand.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
(cd "$build" && ctest --output-on-failure -j2)

for sanitizer in address thread; do
  sbuild=$build-$sanitizer
  echo "test: session and C API tests under the ${sanitizer} sanitizer"
  cmake -S "$root" -B "$sbuild" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DDISMAKE_SANITIZE=$sanitizer >/dev/null
  cmake --build "$sbuild"
  (cd "$sbuild" && ctest --output-on-failure -j2 -L threads)
done
