# shellcheck shell=bash
# Shared helpers for the installation media tests (media_*_test.sh): a
# media tree generated here, laid out as Windows media are, and ISOs made
# from it as Microsoft's and as Linux tools make them. Source it after
# lib.sh. Nothing here is Microsoft's: the boot files are stand-ins.
#
#   boot/etfsboot.com               BIOS stand-in: 16-bit code that writes
#                                   "$BIOS_LINE" to COM1 and powers QEMU off
#   efi/microsoft/boot/efisys.bin   a FAT image holding EFI/BOOT/BOOTX64.EFI
#   efi/boot/bootx64.efi            a GRUB EFI image whose embedded config
#                                   writes "$UEFI_LINE" to the serial port
#                                   and halts
#   sources/install.wim             a real WIM (the fixtures' single.wim)
#   setup.exe, a long and a spaced name, an empty folder's sibling file

BIOS_LINE="dismake BIOS stand-in booted"
UEFI_LINE="dismake UEFI stand-in booted"

# Exits 77 (skipped) unless every named program is installed.
require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null ||
      skip_test "$tool is not installed (scripts/setup.sh installs it)"
  done
}

# The BIOS stand-in: loaded at 0:7C00 by an El Torito no-emulation entry
# (load size 8: 4 KiB), it prints over the UART and writes 0x2000 to
# port 0x604, which powers off QEMU's q35/pc (ACPI PM1a control).
make_bios_standin() {
  local out=$1 dir
  dir=$(mktemp -d "$T/bios.XXXXXX")
  cat >"$dir/standin.S" <<EOF
.code16
.global _start
_start:
  cli
  xor %ax, %ax
  mov %ax, %ds
  mov \$message, %si
next:
  lodsb
  test %al, %al
  jz off
  mov %al, %bl
  mov \$0x3fd, %dx
wait_uart:
  inb %dx, %al
  test \$0x20, %al
  jz wait_uart
  mov \$0x3f8, %dx
  mov %bl, %al
  outb %al, %dx
  jmp next
off:
  mov \$0x604, %dx
  mov \$0x2000, %ax
  outw %ax, %dx
halt:
  hlt
  jmp halt
message:
  .asciz "$BIOS_LINE\r\n"
EOF
  as --32 -o "$dir/standin.o" "$dir/standin.S"
  ld -m elf_i386 -Ttext 0x7c00 --oformat binary -o "$out" "$dir/standin.o"
  truncate -s 4096 "$out"
}

# The UEFI stand-in: GRUB with an embedded config (no modules to load).
make_uefi_standin() {
  local out=$1 cfg=$T/grub-standin.cfg
  cat >"$cfg" <<EOF
serial --unit=0 --speed=115200
terminal_output serial
echo "$UEFI_LINE"
halt
EOF
  grub-mkimage -O x86_64-efi -p /EFI/BOOT -c "$cfg" -o "$out" serial terminal echo halt
}

# A FAT image holding EFI/BOOT/BOOTX64.EFI, as efisys.bin does (no root:
# mkfs.fat on a file, mtools to fill it; a fixed volume id).
make_efisys() {
  local out=$1 efi=$2
  rm -f "$out"
  mkfs.fat -C -i 0D15A4E0 "$out" 1440 >/dev/null
  mmd -i "$out" ::/EFI ::/EFI/BOOT
  mcopy -i "$out" "$efi" ::/EFI/BOOT/BOOTX64.EFI
}

# make_media_tree DIR: the generated media (see the top of this file).
make_media_tree() {
  local dir=$1
  require_tools as ld grub-mkimage mkfs.fat mcopy
  mkdir -p "$dir/boot" "$dir/efi/microsoft/boot" "$dir/efi/boot" "$dir/sources" \
    "$dir/support/Long Folder Name"
  make_bios_standin "$dir/boot/etfsboot.com"
  make_uefi_standin "$dir/efi/boot/bootx64.efi"
  make_efisys "$dir/efi/microsoft/boot/efisys.bin" "$dir/efi/boot/bootx64.efi"
  cp "$DISMAKE_FIXTURES/single.wim" "$dir/sources/install.wim"
  printf 'MZ stand-in setup\r\n' >"$dir/setup.exe"
  printf '[AutoRun.Amd64]\r\nopen=setup.exe\r\n' >"$dir/autorun.inf"
  head -c 300000 /dev/urandom >"$dir/sources/boot.wim"
  printf 'a long Joliet name\r\n' >"$dir/support/Long Folder Name/Microsoft-Windows-Client-Features-Package.mum"
}

# make_udf_iso TREE OUT LABEL: a UDF 1.02 bridge ISO as genisoimage writes
# it (UDF and ISO 9660 both list every file). Without El Torito entries:
# genisoimage would list its boot catalog as a file in UDF, which
# Microsoft's media do not (these ISOs are for reading; make-iso's are the
# ones booted).
make_udf_iso() {
  local tree=$1 out=$2 label=$3
  genisoimage -quiet -udf -iso-level 3 -V "$label" -o "$out" "$tree"
}

# only_readme_on_iso9660 ISO: rewrites the ISO 9660 side of ISO (made by
# make_udf_iso, with a README.TXT in its root) to list README.TXT alone,
# as Microsoft's media do ("This disc contains a UDF file system..."): the
# root directory's records after README.TXT's are cleared and the path
# tables hold the root only. The UDF side is not touched.
only_readme_on_iso9660() {
  "$PYTHON" - "$1" <<'EOF'
import struct, sys
path = sys.argv[1]
with open(path, "r+b") as f:
    f.seek(16 * 2048)
    pvd = bytearray(f.read(2048))
    assert pvd[1:6] == b"CD001" and pvd[0] == 1
    root = pvd[156:156 + 34]
    lba, size = struct.unpack_from("<I", root, 2)[0], struct.unpack_from("<I", root, 10)[0]
    f.seek(lba * 2048)
    records = bytearray(f.read(size))
    kept, at = bytearray(), 0
    while at < len(records):
        length = records[at]
        if length == 0:  # records do not cross a sector: skip to the next
            at = (at // 2048 + 1) * 2048
            continue
        record = records[at:at + length]
        name = bytes(record[33:33 + record[32]])
        if at < 68 or name.upper().startswith(b"README.TXT"):  # ".", "..", README.TXT
            kept += record
        at += length
    f.seek(lba * 2048)
    f.write(bytes(kept) + bytes(size - len(kept)))
    # Path tables: the root's entry alone (10 bytes, little- and big-endian).
    pvd[132:140] = struct.pack("<I", 10) + struct.pack(">I", 10)
    l_table, m_table = struct.unpack_from("<I", pvd, 140)[0], struct.unpack_from(">I", pvd, 148)[0]
    f.seek(l_table * 2048)
    f.write(struct.pack("<BBIH", 1, 0, lba, 1) + b"\0\0")
    f.seek(m_table * 2048)
    f.write(struct.pack(">BBIH", 1, 0, lba, 1) + b"\0\0")
    f.seek(16 * 2048)
    f.write(pvd)
EOF
}

# make_microsoft_style_iso TREE OUT LABEL: the files in UDF only, README.TXT
# alone on the ISO 9660 side.
make_microsoft_style_iso() {
  local tree=$1 out=$2 label=$3 staged=$T/ms-style-tree
  require_tools genisoimage
  rm -rf "$staged"
  cp -a "$tree" "$staged"
  printf 'This disc contains a "UDF" file system and requires an operating system\r\nthat supports the ISO-13346 "UDF" file system specification.\r\n' \
    >"$staged/README.TXT"
  make_udf_iso "$staged" "$out" "$label"
  only_readme_on_iso9660 "$out"
  rm -rf "$staged"
}

# break_udf_anchors ISO: zeroes the UDF anchor volume descriptor pointers
# (sectors 256, N-256 and N-1): the ISO still says it has UDF (NSR02), but
# no UDF reader finds the volume.
break_udf_anchors() {
  "$PYTHON" - "$1" <<'EOF'
import os, sys
path = sys.argv[1]
sectors = os.path.getsize(path) // 2048
with open(path, "r+b") as f:
    for sector in (256, sectors - 256, sectors - 1):
        f.seek(sector * 2048)
        f.write(bytes(2048))
EOF
}

# assert_same_tree A B: the same files, byte for byte, and no others.
assert_same_tree() {
  local a=$1 b=$2
  diff <(cd "$a" && find . -type f | sort) <(cd "$b" && find . -type f | sort) >&2 ||
    fail "$b does not hold the files of $a (diff above)"
  diff -r "$a" "$b" >&2 || fail "a file of $b differs from $a (diff above)"
}
