#!/usr/bin/env bash
# libDismApi from .NET, as ManagedDism uses it: Mono's mcs compiles
# dotnet/DismSmoke.cs (our own program with ManagedDism's native
# declarations: DllImport("DismApi"), UTF-16 strings, Pack = 4 structures,
# .NET's event handle as CancelEvent) and runs its scenarios on a WIM made
# as ManagedDism's test template makes one: two captured images with a
# WINDOWS element set afterwards. Mono finds the library as it does an
# application's: libDismApi.so beside the .exe. Without Mono: skipped (77).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v mcs >/dev/null && command -v mono >/dev/null ||
  skip_test "Mono (mcs, mono) is not installed (Debian: mono-devel)"

begin_test dotnet_smoke

source "$(dirname "${BASH_SOURCE[0]}")/dotnet/template_wim.sh"
library=$(built_libdismapi)

step "the test WIM: two images, each with a WINDOWS element, as ManagedDism's template"
wim=$T/test_template.wim
make_template_wim "$wim"

step "mcs compiles the client; libDismApi.so goes beside it"
mkdir -p "$T/app"
run_ok mcs -nologo -warnaserror -out:"$T/app/DismSmoke.exe" \
  "$DISMAKE_SOURCE_DIR/tests/integration/dotnet/DismSmoke.cs"
cp -L "$library" "$T/app/libDismApi.so"

step "the scenarios run against libDismApi"
log=$T/logs/not-yet-made/dism.log
run_ok mono "$T/app/DismSmoke.exe" "$wim" "$T/mount" \
  "$DISMAKE_SOURCE_DIR/tests/unit/capi/windows_client/unattend.xml" "$log"
assert_eq "DismSmoke: every check passed" "$LAST_STDOUT" "the client's verdict"

step "the answer file was committed into the WIM, the log appended"
wimlib-imagex dir "$wim" 1 | grep -qx '/Windows/Panther/unattend.xml' ||
  fail "the answer file is not in the committed image"
grep -q ', Info                  DISM   API: PID=[0-9]* TID=[0-9]* Enter DismMountImage' "$log" ||
  fail "the log has no DISM-format line for the mount"
assert_no_mounts

end_test
