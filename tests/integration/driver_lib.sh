# Sourced by the driver tests (after lib.sh and begin_test): an image holding
# the real Windows 10 SYSTEM hive (tests/fixtures/data/win10-system) and a
# driver package made for the tests in the style of a virtio storage driver
# (an INF written for dismake's tests, a stand-in .sys, and a test catalog: a
# PKCS#7 SignedData made with `openssl smime -sign` and a self-signed
# certificate, a fair stand-in for a signed .cat).

DRIVER_TESTDATA=${DISMAKE_TESTDATA:-$DISMAKE_SOURCE_DIR/tests/fixtures/data}/win10-system
CONFIG=Windows/System32/config

# Marks the hive HIVE clean (secondary sequence number = primary, checksum
# again). The reference hive is dirty (sequence numbers 4317, 4316) and its
# logs are gone; steps refuse to edit such a hive. Windows loading it would
# find no logs to replay and use the primary file: this is what that gives.
mark_hive_clean() {
  "$PYTHON" - "$1" <<'EOF'
import struct, sys
with open(sys.argv[1], 'r+b') as f:
    h = bytearray(f.read(512))
    h[8:12] = h[4:8]
    s = 0
    for i in range(0, 508, 4):
        s ^= struct.unpack_from('<I', h, i)[0]
    struct.pack_into('<I', h, 508, s)
    f.seek(0)
    f.write(h)
EOF
}

# make_driver_image WIM: a one-image WIM ("Windows") of a tree holding the
# reference SYSTEM hive (marked clean), an empty Windows/INF and
# System32/drivers.
make_driver_image() {
  local wim=$1 tree=$T/driver-image-tree
  rm -rf "$tree"
  mkdir -p "$tree/$CONFIG" "$tree/Windows/INF" "$tree/Windows/System32/drivers"
  xz -dc "$DRIVER_TESTDATA/SYSTEM.xz" >"$tree/$CONFIG/SYSTEM"
  mark_hive_clean "$tree/$CONFIG/SYSTEM"
  wimlib-imagex capture "$tree" "$wim" "Windows" --compress=none >/dev/null
}

# make_package DIR [arch]: teststor.inf in the style of a storage miniport's
# INF, a stand-in teststor.sys and teststor.cat signed with a self-signed
# certificate (made once per test in $T).
make_package() {
  local dir=$1 arch=${2:-amd64}
  if [[ ! -f $T/cert.pem ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Dismake Test Driver Signer" \
      -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
  fi
  mkdir -p "$dir"
  cat >"$dir/teststor.inf" <<EOF
; A storage miniport package for the tests (INF written for dismake's tests)
[Version]
Signature   = "\$WINDOWS NT\$"
Class       = SCSIAdapter
ClassGuid   = {4D36E97B-E325-11CE-BFC1-08002BE10318}
Provider    = %Vendor%
DriverVer   = 03/14/2024,100.94.104.26200
CatalogFile = teststor.cat
PnpLockdown = 1

[DestinationDirs]
DefaultDestDir = 12

[SourceDisksNames]
1 = %DiskName%,,,""

[SourceDisksFiles]
teststor.sys = 1,,

[Manufacturer]
%Vendor% = Vendor, NT$arch.10.0...16299

[Vendor.NT$arch.10.0...16299]
%DeviceDesc% = teststor_inst, PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00, \\
                              PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01

[teststor_inst]
CopyFiles = teststor_files
ExcludeID = PCI\\VEN_1AF4&DEV_1001&SUBSYS_00081AF4

[teststor_files]
teststor.sys,,,2

[teststor_inst.Services]
AddService = teststor, 0x00000002, teststor_service

[teststor_service]
ServiceType    = 1   ; SERVICE_KERNEL_DRIVER
StartType      = 0   ; SERVICE_BOOT_START
ErrorControl   = 1   ; SERVICE_ERROR_NORMAL
ServiceBinary  = %12%\\teststor.sys
LoadOrderGroup = SCSI miniport

[Strings]
Vendor     = "Test Vendor, Inc."
DiskName   = "Test Storage Installation Disk"
DeviceDesc = "Test SCSI Controller"
EOF
  head -c 8192 /dev/zero | tr '\0' 'S' >"$dir/teststor.sys"
  openssl smime -sign -binary -in "$dir/teststor.inf" -signer "$T/cert.pem" -inkey "$T/key.pem" \
    -outform DER -out "$dir/teststor.cat" -nodetach
}
