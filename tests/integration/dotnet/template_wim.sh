# Sourced by the .NET tests (after lib.sh and begin_test). make_template_wim
# WIM: a WIM made as ManagedDism's test template makes one (TestWimTemplate):
# two images of ten small files, then each given a WINDOWS element.
make_template_wim() {
  local wim=$1 capture=$T/template-capture i image
  mkdir -p "$capture/Windows/System32"
  for i in $(seq 10); do random_file "$capture/TestFile$i.txt" 4096 "$i"; done
  run_ok wimlib-imagex capture "$capture" "$wim" "Test Image 1" "Test Image 1"
  run_ok wimlib-imagex append "$capture" "$wim" "Test Image 2" "Test Image 2"
  for image in 1 2; do
    run_ok wimlib-imagex info "$wim" $image \
      --image-property WINDOWS/ARCH=9 \
      --image-property "WINDOWS/PRODUCTNAME=Microsoft® Windows® Operating System" \
      --image-property WINDOWS/EDITIONID=WindowsPE \
      --image-property WINDOWS/INSTALLATIONTYPE=WindowsPE \
      --image-property WINDOWS/PRODUCTTYPE=WinNT \
      --image-property WINDOWS/LANGUAGES/LANGUAGE=en-US \
      --image-property WINDOWS/LANGUAGES/DEFAULT=en-US \
      --image-property WINDOWS/VERSION/MAJOR=6 \
      --image-property WINDOWS/VERSION/MINOR=3 \
      --image-property WINDOWS/VERSION/BUILD=9600 \
      --image-property WINDOWS/VERSION/SPBUILD=16384 \
      --image-property WINDOWS/VERSION/SPLEVEL=0 \
      --image-property WINDOWS/SYSTEMROOT=WINDOWS
  done
}

# The libDismApi.so of the build tree the helper under test was built in.
built_libdismapi() {
  local tree library
  tree=$(dirname "$DISMAKE")
  while [[ $tree != / && ! -f $tree/CMakeCache.txt ]]; do tree=$(dirname "$tree"); done
  library=$(find "$tree/plugin" -name 'libDismApi.so' | head -n1)
  [[ -n $library ]] || fail "libDismApi.so is not built under $tree"
  echo "$library"
}
