#!/usr/bin/env bash
# examples/media as users build it, with find_package(Dismake) from the
# build tree: an ISO and a USB image holding the serviced install.wim, from
# a generated media tree. Skipped (77) where the media tools are missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/media_lib.sh"

begin_test cmake_examples_media
require_tools xorriso mcopy
examples=$DISMAKE_SOURCE_DIR/examples
tree=$(helper_build_tree)

step "examples/media: an ISO and a USB image with the serviced install.wim, from a generated media tree"
bld=$T/media-build media=$T/media
make_media_tree "$media"
configure_example media "$bld" -DDismake_DIR="$tree/cmake-modules" -DDISMAKE_MEDIA="$media"
build "$bld"
dismake_ok extract-media "$bld/contoso.iso" "$T/media-back"
cmp "$T/media-back/sources/install.wim" "$bld/install.wim" ||
  fail "the ISO's install.wim is not the serviced one"
assert_eq "$(cat "$examples/media/overlay/ProgramData/Contoso/media.txt")" \
  "$(wim_cat "$T/media-back/sources/install.wim" 1 /ProgramData/Contoso/media.txt)" "the overlay's media.txt"
xorriso -no_rc -indev "$bld/contoso.iso" -report_el_torito plain 2>/dev/null |
  grep -q 'El Torito img path :   2  /efi/microsoft/boot/efisys.bin' ||
  fail "the ISO has no UEFI El Torito entry"
MTOOLS_SKIP_CHECK=1 mcopy -n -i "$bld/contoso.img@@1M" ::/sources/install.wim "$T/usb-install.wim"
cmp "$T/usb-install.wim" "$bld/install.wim" || fail "the USB image's install.wim is not the serviced one"

end_test
