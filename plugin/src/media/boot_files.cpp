#include "dismake/media/boot_files.h"

#include "dismake/base/error.h"

namespace dismake {

namespace {

const MediaFile& require(const MediaTree& tree, const std::string& path, const std::string& role) {
  const MediaFile* file = tree.find(path);
  if (file == nullptr)
    throw Error(hr::kFileNotFound,
                "the media " + tree.root.string() + " has no " + path + ", " + role,
                "give the folder of a Windows installation media (boot files come from the "
                "media; dismake ships none)");
  return *file;
}

}  // namespace

IsoBootFiles find_iso_boot_files(const MediaTree& tree, bool no_prompt) {
  IsoBootFiles boot;
  boot.bios = &require(tree, "boot/etfsboot.com", "the El Torito image BIOS firmware boots");
  if (no_prompt) boot.uefi = tree.find("efi/microsoft/boot/efisys_noprompt.bin");
  if (boot.uefi == nullptr)
    boot.uefi = &require(tree, "efi/microsoft/boot/efisys.bin",
                         "the El Torito image (a FAT image) UEFI firmware boots");
  return boot;
}

const MediaFile& find_usb_boot_file(const MediaTree& tree) {
  return require(tree, "efi/boot/bootx64.efi", "what UEFI firmware starts from a USB disk");
}

}  // namespace dismake
