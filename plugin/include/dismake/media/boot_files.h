// The boot files of Windows installation media, which dismake never ships:
// they always come from the user's media. BIOS firmware boots the El Torito
// image boot/etfsboot.com; UEFI firmware boots the FAT image
// efi/microsoft/boot/efisys.bin (efisys_noprompt.bin skips the "Press any
// key to boot from CD or DVD" prompt), and a USB stick's
// efi/boot/bootx64.efi.
#pragma once

#include <string>

#include "dismake/media/media_tree.h"

namespace dismake {

struct IsoBootFiles {
  const MediaFile* bios = nullptr;  // boot/etfsboot.com
  const MediaFile* uefi = nullptr;  // efi/microsoft/boot/efisys.bin or efisys_noprompt.bin
};

// The El Torito images of `tree`; with `no_prompt`, efisys_noprompt.bin
// when the media has it. Throws ERROR_FILE_NOT_FOUND naming the missing
// file and the firmware that needs it.
IsoBootFiles find_iso_boot_files(const MediaTree& tree, bool no_prompt);

// efi/boot/bootx64.efi, what UEFI firmware starts from a removable disk.
// Throws ERROR_FILE_NOT_FOUND naming it when the media lacks it.
const MediaFile& find_usb_boot_file(const MediaTree& tree);

}  // namespace dismake
