// A USB installation disk as a raw image: an MBR partition table with one
// FAT32 partition (type 0x0C, LBA, active, from 1 MiB), as Rufus and the
// Media Creation Tool lay out sticks that boot on UEFI. UEFI firmware
// starts efi/boot/bootx64.efi from it (the media's own). The MBR carries no
// boot code: BIOS boot would need Microsoft's MBR and boot sector code,
// which no Debian package provides, so it is not offered. Made without root:
// mkfs.fat writes the file system into the image at the partition's offset
// and mtools copies the files in.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dismake/media/media_tree.h"

namespace dismake {

// FAT32's largest file: 4 GiB - 1.
constexpr std::uint64_t kFat32MaxFileSize = 0xFFFFFFFFULL;

struct UsbRequest {
  std::filesystem::path output;
  std::string label;  // the FAT volume label: 1 to 11 of A-Z 0-9 _ -
  // Files written besides the tree's (install.swm parts), and tree paths
  // left out (the install.wim they replace).
  std::vector<MediaFile> extra_files;
  std::vector<std::string> omitted;
  // Every time in the image is SOURCE_DATE_EPOCH when set, else this one.
  std::int64_t date = 0;
};

struct UsbResult {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;  // the image's size
  std::uint64_t partition_bytes = 0;
  std::int64_t date = 0;
};

// Throws E_INVALIDARG unless `label` can be a FAT volume label.
void check_fat_label(const std::string& label);

// Writes `tree` (less request.omitted, plus request.extra_files) as a USB
// disk image to request.output, through a temporary file renamed into
// place. Checks first: efi/boot/bootx64.efi (ERROR_FILE_NOT_FOUND), no file
// over FAT32's 4 GiB limit (E_INVALIDARG naming it), the label, the free
// space (ERROR_DISK_FULL). The same
// inputs give the same bytes (volume id and disk signature derived from
// the content's listing and the time).
UsbResult write_usb_image(const MediaTree& tree, const UsbRequest& request);

}  // namespace dismake
