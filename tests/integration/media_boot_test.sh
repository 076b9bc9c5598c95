#!/usr/bin/env bash
# The ISO make-iso writes boots (and the USB image make-usb writes): in QEMU (TCG, no KVM needed) from SeaBIOS,
# whose El Torito no-emulation boot runs the BIOS stand-in
# (boot/etfsboot.com), and from OVMF (UEFI), which boots the FAT image
# efi/microsoft/boot/efisys.bin's EFI/BOOT/BOOTX64.EFI. Each stand-in
# writes a line to the serial port and powers the machine off; the test
# waits for that line (with a timeout). Skipped (77) without QEMU, OVMF or
# the tools that make the stand-ins.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/media_lib.sh"

begin_test media_boot
require_tools xorriso qemu-system-x86_64 timeout
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
[[ -f $OVMF_CODE && -f $OVMF_VARS ]] ||
  skip_test "OVMF is not installed ($OVMF_CODE; scripts/setup.sh installs ovmf)"
make_media_tree "$T/media"
dismake_ok make-iso --media "$T/media" --output "$T/boot.iso" --label BOOT_TEST

# boot_until LINE LOG TIMEOUT QEMU-ARGS...: runs QEMU until it powers off
# or TIMEOUT seconds pass, then checks that LOG (its serial port) has LINE.
boot_until() {
  local line=$1 log=$2 seconds=$3 rc=0
  shift 3
  timeout "$seconds" qemu-system-x86_64 -machine accel=tcg -m 256 -display none \
    -monitor none -no-reboot -serial "file:$log" "$@" >"$log.qemu" 2>&1 || rc=$?
  if ! grep -qF "$line" "$log"; then
    echo "--- serial:" >&2
    tail -c 2000 "$log" >&2 || true
    echo "--- qemu (exit $rc):" >&2
    cat "$log.qemu" >&2
    fail "the machine did not print '$line' within ${seconds}s"
  fi
  echo "   ok: '$line' (qemu exit $rc)"
}

step "BIOS (SeaBIOS): the El Torito BIOS entry boots boot/etfsboot.com"
boot_until "$BIOS_LINE" "$T/bios.log" 60 -cdrom "$T/boot.iso" -boot d

step "UEFI (OVMF): the El Torito 0xEF entry boots efisys.bin's BOOTX64.EFI"
cp "$OVMF_VARS" "$T/vars.fd"
boot_until "$UEFI_LINE" "$T/uefi.log" 240 -machine q35 \
  -drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE" \
  -drive "if=pflash,format=raw,file=$T/vars.fd" -cdrom "$T/boot.iso"

step "UEFI (OVMF): the USB image (MBR, FAT32) boots efi/boot/bootx64.efi from a USB stick"
dismake_ok make-usb --media "$T/media" --output "$T/boot.img"
cp "$OVMF_VARS" "$T/vars.fd"
boot_until "$UEFI_LINE" "$T/usb.log" 240 -machine q35 \
  -drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE" \
  -drive "if=pflash,format=raw,file=$T/vars.fd" \
  -drive "file=$T/boot.img,format=raw,if=none,id=stick" -device qemu-xhci \
  -device usb-storage,drive=stick
end_test
