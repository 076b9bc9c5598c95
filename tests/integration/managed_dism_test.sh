#!/usr/bin/env bash
# ManagedDism itself against libDismApi: when MANAGEDDISM_SRC names a
# checkout of ManagedDism 2.5.2 (github.com/jeffkl/ManagedDism, tag v2.5.2:
# the last release Mono's mcs compiles), its src/Microsoft.Dism is compiled
# with mcs, and dotnet/ManagedDismClient.cs (ours) runs ManagedDism's test
# scenarios through it. Nothing of ManagedDism is in this repository and
# nothing is downloaded: without MANAGEDDISM_SRC, or without Mono, the test
# is skipped (77).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -n ${MANAGEDDISM_SRC:-} ]] ||
  skip_test "set MANAGEDDISM_SRC to a ManagedDism 2.5.2 checkout"
command -v mcs >/dev/null && command -v mono >/dev/null && command -v resgen >/dev/null ||
  skip_test "Mono (mcs, mono, resgen) is not installed (Debian: mono-devel)"
sources=$MANAGEDDISM_SRC/src/Microsoft.Dism
[[ -f $sources/DismApi.NativeMethods.cs ]] || { echo "FAIL managed_dism: no $sources/DismApi.NativeMethods.cs" >&2; exit 1; }

begin_test managed_dism
source "$(dirname "${BASH_SOURCE[0]}")/dotnet/template_wim.sh"
library=$(built_libdismapi)

step "mcs compiles ManagedDism (Microsoft.Dism.dll) and our client of it"
app=$T/app
mkdir -p "$app"
run_ok resgen "$sources/Properties/Resources.resx" "$T/Microsoft.Dism.Properties.Resources.resources"
mapfile -t cs_files < <(find "$sources" -name '*.cs' | sort)
run_ok mcs -nologo -target:library -out:"$app/Microsoft.Dism.dll" -define:NET40 -nowarn:1591,0618,1685 \
  -r:System.dll -r:System.Core.dll -resource:"$T/Microsoft.Dism.Properties.Resources.resources" \
  "${cs_files[@]}"
run_ok mcs -nologo -out:"$app/ManagedDismClient.exe" -r:"$app/Microsoft.Dism.dll" -r:System.Core.dll \
  "$DISMAKE_SOURCE_DIR/tests/integration/dotnet/ManagedDismClient.cs"
cp -L "$library" "$app/libDismApi.so"

step "ManagedDism's scenarios"
make_template_wim "$T/test_template.wim"
status=0
mono "$app/ManagedDismClient.exe" "$T/test_template.wim" "$T/mount" \
  "$DISMAKE_SOURCE_DIR/tests/unit/capi/windows_client/unattend.xml" "$T/logs/dism.log" || status=$?
((status == 0)) || fail "$status of ManagedDism's scenarios failed (FAIL lines above)"
wimlib-imagex dir "$T/test_template.wim" 1 | grep -qx '/Windows/Panther/unattend.xml' ||
  fail "the answer file is not in the committed image"
assert_no_mounts

end_test
