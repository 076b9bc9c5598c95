#!/usr/bin/env bash
# The C API as a C user gets it: a plain C project that does
# find_package(Dismake) and target_link_libraries(... Dismake::dismapi),
# from the build tree and from an installed prefix, builds a program that
# calls DismInitialize and DismShutdown, and the program runs against that
# package's libdismapi. The package's version is the helper's --version.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

begin_test cmake_capi_package

# The build tree the helper under test was built in (the nearest directory
# above it with a CMakeCache.txt).
tree=$(dirname "$DISMAKE")
while [[ $tree != / && ! -f $tree/CMakeCache.txt ]]; do tree=$(dirname "$tree"); done
[[ -f $tree/CMakeCache.txt ]] || fail "no build tree above $DISMAKE"

src=$T/client
mkdir -p "$src"
cat >"$src/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.20)
project(dismapi_client LANGUAGES C)
find_package(Dismake CONFIG REQUIRED)
add_executable(client client.c)
target_link_libraries(client PRIVATE Dismake::dismapi)
set_target_properties(client PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
target_compile_options(client PRIVATE -Wall -Wextra -pedantic-errors -Werror)
file(WRITE "${CMAKE_BINARY_DIR}/dismake-version.txt" "${Dismake_VERSION}")
EOF
cat >"$src/client.c" <<'EOF'
#include <dismapi.h>
#include <stdio.h>

int main(void) {
  HRESULT hr = DismInitialize(DismLogErrors, NULL, NULL);
  if (hr != S_OK) {
    fprintf(stderr, "DismInitialize: 0x%08X\n", (unsigned)hr);
    return 1;
  }
  hr = DismShutdown();
  if (hr != S_OK) {
    fprintf(stderr, "DismShutdown: 0x%08X\n", (unsigned)hr);
    return 1;
  }
  /* A second shutdown must fail: the first one really shut the API down. */
  if ((unsigned)DismShutdown() != DISMAPI_E_DISMAPI_NOT_INITIALIZED) return 1;
  puts("initialized and shut down");
  return 0;
}
EOF

dismake_ok --version
helper_version=${LAST_STDOUT#dismake }

# client_builds BUILD LIBDIR [cmake args...]: the client configures, builds,
# runs, and loads libdismapi from LIBDIR; the package's version is the helper's.
client_builds() {
  local bld=$1 libdir=$2
  shift 2
  run_ok cmake -S "$src" -B "$bld" -G Ninja "$@"
  run_ok ninja -C "$bld"
  run_ok "$bld/client"
  assert_eq "initialized and shut down" "$LAST_STDOUT" "the client's output"
  local loaded
  loaded=$(ldd "$bld/client" | awk '$1 ~ /^libdismapi\.so/ {print $3}')
  assert_eq "$(cd "$libdir" && pwd)" "$(dirname "$loaded")" "the directory libdismapi is loaded from"
  assert_eq "$helper_version" "$(cat "$bld/dismake-version.txt")" \
    "Dismake_VERSION (the helper says 'dismake $helper_version')"
}

step "a C project links Dismake::dismapi from the build tree"
client_builds "$T/from-tree" "$(dirname "$(find "$tree/plugin" -name 'libdismapi.so.*.*' | head -n1)")" \
  -DDismake_DIR="$tree/cmake-modules"

step "a C project links Dismake::dismapi from an installed prefix"
prefix=$T/prefix
run_ok cmake --install "$tree" --prefix "$prefix"
client_builds "$T/from-install" "$(dirname "$(find "$prefix" -name 'libdismapi.so' | head -n1)")" \
  -DCMAKE_PREFIX_PATH="$prefix"

end_test
