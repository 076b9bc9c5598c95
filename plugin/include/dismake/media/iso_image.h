// A bootable installation ISO written from a media folder, as Microsoft's
// oscdimg writes it with
//   -bootdata:2#p0,e,bboot\etfsboot.com#pEF,e,befi\microsoft\boot\efisys.bin
// two El Torito entries without emulation: BIOS (platform 0, load size 8
// sectors) and UEFI (platform 0xEF). The boot images are the media's files
// byte for byte (no boot information table). Files are grafted from where
// they are (xorriso -as mkisofs), never copied into a staging tree. The
// ISO is ISO 9660 level 3 with Joliet names: level 3 stores a file over
// 4 GiB (an install.wim) as several extents, which xorriso writes; xorriso
// writes no UDF.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "dismake/media/media_tree.h"

namespace dismake {

struct IsoRequest {
  std::filesystem::path output;
  std::string label;       // the volume label: 1 to 32 of A-Z a-z 0-9 _ . -
  bool no_prompt = false;  // UEFI boots efisys_noprompt.bin when the media has it
  // Every time in the ISO is SOURCE_DATE_EPOCH when set, else this one
  // (seconds since 1970).
  std::int64_t date = 0;
};

struct IsoResult {
  std::string bios_image;  // the media paths of the El Torito images
  std::string uefi_image;
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;  // the ISO's size
  std::int64_t date = 0;    // the time written into it
};

// Throws E_INVALIDARG unless `label` can be an ISO's volume label.
void check_iso_label(const std::string& label);

// Writes `tree` as a bootable ISO to request.output: a temporary file
// beside it, renamed into place when xorriso succeeded, so a failure leaves
// no half-written ISO under that name. Checks before writing that the
// media has its boot files (find_iso_boot_files), that the label is valid
// (E_INVALIDARG) and that the output's filesystem has room for it
// (ERROR_DISK_FULL). The same tree, label and time give the same bytes.
IsoResult write_iso(const MediaTree& tree, const IsoRequest& request);

}  // namespace dismake
