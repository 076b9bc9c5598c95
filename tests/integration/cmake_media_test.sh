#!/usr/bin/env bash
# The media functions in a real CMake + Ninja build: dismake_add_media
# extracts a Microsoft-style (UDF-only) ISO when CMake runs and sets
# <name>_MEDIA_DIR, whose install.wim is mounted and serviced; then
# dismake_make_iso writes the ISO with the serviced image in its place. A
# second build does nothing; a changed ISO is extracted again and the ISO
# written again, the console saying why; a changed option likewise. REPLACE
# may name the target that builds the file (an image, an assemble target).
# Mistakes fail when CMake runs, from the function called.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cmake_lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/media_lib.sh"

begin_test cmake_media
require_tools xorriso genisoimage
export SOURCE_DATE_EPOCH=1700000000
make_media_tree "$T/media"
make_microsoft_style_iso "$T/media" "$T/win.iso" CCCOMA_X64FRE_EN-US_DV9
src=$T/src
bld=$T/build

project_code() {
  local label=$1
  cat <<EOF
dismake_add_media(win SOURCE "$T/win.iso")
if(NOT EXISTS "\${win_MEDIA_DIR}/sources/install.wim")
  message(FATAL_ERROR "win_MEDIA_DIR (\${win_MEDIA_DIR}) has no sources/install.wim")
endif()
dismake_mount_image(pro WIM "\${win_MEDIA_DIR}/sources/install.wim" INDEX 1)
dismake_open_session(s IMAGE pro)
dismake_add_files(s SOURCE overlay DESTINATION /)
dismake_close_session(s)
dismake_unmount_image(pro COMMIT OUTPUT pro.wim)
dismake_make_iso(OUTPUT contoso.iso MEDIA win REPLACE sources/install.wim pro.wim $label)
dismake_make_usb_image(OUTPUT contoso.img MEDIA win REPLACE sources/install.wim pro.wim SPLIT_SIZE 1)
EOF
}

step "configure: the ISO is extracted through UDF, once"
write_inputs "$src"
write_project "$src" "$(project_code "LABEL CONTOSO_W11")"
configure "$src" "$bld"
grep -q "dismake media win: extracted win.iso (first build): UDF volume 'CCCOMA_X64FRE_EN-US_DV9'" \
  <<<"$LAST_STDOUT" || fail "configure does not say it extracted the ISO: $LAST_STDOUT"
configure "$src" "$bld"
grep -q "dismake media win: win.iso up to date" <<<"$LAST_STDOUT" ||
  fail "the second configure does not say up to date: $LAST_STDOUT"

step "build: the serviced install.wim goes into the ISO"
build "$bld"
outcome_lines | grep -q 'make-iso win -> contoso.iso: ran (first build)' ||
  fail "the make-iso step does not say it ran for the first build: $(outcome_lines)"
outcome_lines | grep -q 'make-usb win -> contoso.img: ran (first build)' ||
  fail "the make-usb step does not say it ran: $(outcome_lines)"
dismake_ok extract-media "$bld/contoso.iso" "$T/back"
cmp "$T/back/sources/install.wim" "$bld/pro.wim" || fail "the ISO's install.wim is not pro.wim"
cmp "$T/back/boot/etfsboot.com" "$T/media/boot/etfsboot.com" || fail "etfsboot.com differs"
wimlib-imagex extract "$T/back/sources/install.wim" 1 /ProgramData/Contoso/readme.txt \
  --dest-dir="$T/check" >/dev/null
assert_eq "contoso readme" "$(tr -d '\r' <"$T/check/readme.txt")" "the serviced file in the ISO's image"
wipe_dir "$T/back"
MTOOLS_SKIP_CHECK=1 mdir -b -i "$bld/contoso.img@@1M" ::/sources | grep -qi 'install2.swm' ||
  fail "the USB image has no install.swm parts (SPLIT_SIZE 1)"

step "a second build does nothing"
build "$bld"
! outcome_lines | grep -qE 'make-(iso|usb)' || fail "the second build wrote the media again: $(outcome_lines)"

step "an option changed: the ISO is written again, saying which"
write_project "$src" "$(project_code "LABEL CONTOSO_W12")"
build "$bld"
outcome_lines | grep -q 'make-iso win -> contoso.iso: ran (option label changed ("CONTOSO_W11" -> "CONTOSO_W12"))' ||
  fail "the make-iso step does not say the label changed: $(outcome_lines)"

step "the ISO changed: extracted again (CMake re-runs by itself), the ISO written again"
printf 'new setup\r\n' >"$T/media/setup.exe"
make_microsoft_style_iso "$T/media" "$T/win.iso" CCCOMA_X64FRE_EN-US_DV9
build "$bld"
grep -q "dismake media win: extracted win.iso (win.iso changed)" <<<"$LAST_STDOUT" ||
  fail "the build does not say the ISO was extracted again: $LAST_STDOUT"
outcome_lines | grep -q 'make-iso win -> contoso.iso: ran (media win.iso changed)' ||
  fail "the make-iso step does not say the ISO changed: $(outcome_lines)"
dismake_ok extract-media "$bld/contoso.iso" "$T/back"
assert_eq "new setup" "$(tr -d '\r' <"$T/back/setup.exe")" "the new ISO's setup.exe in the written ISO"
wipe_dir "$T/back"

step "incremental == clean: a clean build of the same recipe writes the same ISO and USB image"
clean=$(clean_build "$src" media)
cmp "$bld/pro.wim" "$clean/pro.wim" || fail "the incremental and clean pro.wim differ"
cmp "$bld/contoso.iso" "$clean/contoso.iso" || fail "the incremental and clean ISOs differ"
cmp "$bld/contoso.img" "$clean/contoso.img" || fail "the incremental and clean USB images differ"

step "REPLACE may name the target that writes the file: an image, a dismake_assemble_wim target"
write_project "$src" "$(project_code "LABEL CONTOSO_W11")
dismake_assemble_wim(OUTPUT editions.wim TARGET editions IMAGES pro)
dismake_make_iso(OUTPUT by-image.iso MEDIA win REPLACE sources/install.wim pro LABEL X)
dismake_make_iso(OUTPUT by-assemble.iso MEDIA win REPLACE sources/install.wim editions LABEL X)"
build "$bld" by-image-iso by-assemble-iso
dismake_ok extract-media "$bld/by-image.iso" "$T/back"
cmp "$T/back/sources/install.wim" "$bld/pro.wim" || fail "REPLACE ... pro did not put pro.wim in the ISO"
wipe_dir "$T/back"
dismake_ok extract-media "$bld/by-assemble.iso" "$T/back"
cmp "$T/back/sources/install.wim" "$bld/editions.wim" ||
  fail "REPLACE ... editions did not put the assembled editions.wim in the ISO"
wipe_dir "$T/back"

step "mistakes fail when CMake runs, from the function called"
write_project "$src" "$(project_code "LABEL CONTOSO_W11")
dismake_mount_image(gone WIM \"\${win_MEDIA_DIR}/sources/install.wim\" INDEX 1)
dismake_unmount_image(gone DISCARD)
dismake_make_iso(OUTPUT other.iso MEDIA win REPLACE sources/install.wim gone LABEL X)"
configure_fails "$src" "$bld" \
  "dismake_make_iso: REPLACE sources/install.wim gone: image 'gone' is unmounted with DISCARD and writes no WIM"
write_project "$src" "$(project_code "LABEL CONTOSO_W11")
dismake_mount_image(later WIM \"\${win_MEDIA_DIR}/sources/install.wim\" INDEX 1)
dismake_make_iso(OUTPUT other.iso MEDIA win REPLACE sources/install.wim later LABEL X)
dismake_unmount_image(later DISCARD)"
configure_fails "$src" "$bld" \
  "dismake_make_iso: REPLACE sources/install.wim later: image 'later' has no committed output yet"
write_project "$src" "$(project_code "LABEL CONTOSO_W11")
dismake_make_iso(OUTPUT other.iso MEDIA win REPLACE sources/install2.wim pro.wim LABEL X)"
configure_fails "$src" "$bld" "dismake_make_iso: REPLACE sources/install2.wim: the media .* has no such file"
write_project "$src" "$(project_code "LABEL CONTOSO_W11")
dismake_make_iso(OUTPUT other.iso MEDIA nope)"
configure_fails "$src" "$bld" "dismake_make_iso: MEDIA 'nope' is not declared"
write_project "$src" "$(project_code "LABEL CONTOSO_W11")
dismake_make_iso(OUTPUT other.iso MEDIA win REPLACE sources/install.wim)"
configure_fails "$src" "$bld" "dismake_make_iso: REPLACE takes pairs"
write_project "$src" "$(project_code 'LABEL "two words"')"
configure_fails "$src" "$bld" "dismake_make_iso: the volume label 'two words' is not usable"
write_project "$src" "$(project_code "LABEL CONTOSO_W11")
dismake_make_usb_image(OUTPUT other.img MEDIA win SPLIT_SIZE big)"
configure_fails "$src" "$bld" "dismake_make_usb_image: SPLIT_SIZE must be a positive number of MiB, got 'big'"
head -c 100000 /dev/urandom >"$T/random.iso"
write_project "$src" "dismake_add_media(bad SOURCE \"$T/random.iso\")"
configure_fails "$src" "$bld" "dismake_add_media: .*random.iso is not an ISO image"
end_test
