#!/usr/bin/env bash
# The C API as a C user gets it: a plain C project that does
# find_package(Dismake) and target_link_libraries(... Dismake::dismapi),
# from the build tree and from an installed prefix, builds a program that
# calls DismInitialize and DismShutdown, and the program runs against that
# package's libdismapi. The package's version is the helper's --version.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"

begin_test cmake_capi_package

tree=$(helper_build_tree)

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

# The same client for the UTF-16 flavour: Dismake::DismApi defines
# DISMAKE_UTF16, so WCHAR is char16_t and DISMAKE_TEXT gives u"..." literals.
src16=$T/client16
mkdir -p "$src16"
cat >"$src16/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.20)
project(dismapi_utf16_client LANGUAGES C)
find_package(Dismake CONFIG REQUIRED)
add_executable(client client.c)
target_link_libraries(client PRIVATE Dismake::DismApi)
set_target_properties(client PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
target_compile_options(client PRIVATE -Wall -Wextra -pedantic-errors -Werror)
file(WRITE "${CMAKE_BINARY_DIR}/dismake-version.txt" "${Dismake_VERSION}")
EOF
cat >"$src16/client.c" <<'EOF'
#include <dismapi.h>
#include <stdio.h>

#ifndef DISMAKE_UTF16
#error "Dismake::DismApi must define DISMAKE_UTF16"
#endif
_Static_assert(sizeof(WCHAR) == 2, "WCHAR is UTF-16");

int main(void) {
  const WCHAR lone_surrogate[] = {'/', 0xD800, 0};
  DismImageInfo *info = NULL;
  UINT count = 0;
  HRESULT hr = DismInitialize(DismLogErrors, NULL, DISMAKE_TEXT("/tmp"));
  if (hr != S_OK) {
    fprintf(stderr, "DismInitialize: 0x%08X\n", (unsigned)hr);
    return 1;
  }
  if (DismGetImageInfo(lone_surrogate, &info, &count) != E_INVALIDARG) return 1;
  if (DismShutdown() != S_OK) return 1;
  puts("initialized and shut down");
  return 0;
}
EOF

dismake_ok --version
helper_version=${LAST_STDOUT#dismake }

# client_builds BUILD LIBDIR [cmake args...]: the client configures, builds,
# runs, and loads its library from LIBDIR; the package's version is the
# helper's. SOURCE and LIBRARY choose the UTF-16 client and libDismApi.
client_builds() {
  local bld=$1 libdir=$2 source=${SOURCE:-$src} library=${LIBRARY:-libdismapi}
  shift 2
  run_ok cmake -S "$source" -B "$bld" -G Ninja "$@"
  run_ok ninja -C "$bld"
  run_ok "$bld/client"
  assert_eq "initialized and shut down" "$LAST_STDOUT" "the client's output"
  local loaded
  loaded=$(ldd "$bld/client" | awk -v lib="$library.so" 'index($1, lib) == 1 {print $3}')
  assert_eq "$(cd "$libdir" && pwd)" "$(dirname "$loaded")" "the directory $library is loaded from"
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

step "a C11 project links Dismake::DismApi (UTF-16) from the build tree and from the prefix"
SOURCE=$src16 LIBRARY=libDismApi client_builds "$T/utf16-from-tree" \
  "$(dirname "$(find "$tree/plugin" -name 'libDismApi.so.*.*' | head -n1)")" \
  -DDismake_DIR="$tree/cmake-modules"
SOURCE=$src16 LIBRARY=libDismApi client_builds "$T/utf16-from-install" \
  "$(dirname "$(find "$prefix" -name 'libDismApi.so' | head -n1)")" -DCMAKE_PREFIX_PATH="$prefix"

end_test
