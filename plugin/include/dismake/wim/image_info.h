// ImageInfo: what DismGetImageInfo and `dism /Get-ImageInfo` tell about one
// image, read from the WIM's XML: name, description, counts, size and, for a
// Windows image, the WINDOWS element (architecture, edition, version,
// languages, system root) and the image's creation and modification times.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dismake/wim/wim_file.h"

namespace dismake {

struct WindowsInfo {
  std::string architecture;  // "x86", "x64", "arm", "arm64", "ia64" or the raw number
  std::string edition;       // EDITIONID, e.g. "Professional"
  std::string installation_type;
  std::string product_type;
  std::string product_name;
  std::string product_suite;  // e.g. "Terminal Server"
  std::string hal;
  std::string system_root;
  std::uint32_t major = 0, minor = 0, build = 0, sp_build = 0, sp_level = 0;
  std::vector<std::string> languages;
  std::string default_language;

  std::string version() const;  // "10.0.19041.1"
};

struct ImageInfo {
  int index = 0;
  std::string name;
  std::string description;
  std::string display_name;
  std::string display_description;
  std::string flags;  // the edition flags, e.g. "Professional"
  std::uint64_t dir_count = 0;
  std::uint64_t file_count = 0;
  std::uint64_t total_bytes = 0;
  // FILETIMEs (100 ns ticks since 1601-01-01 UTC), as the XML's CREATIONTIME
  // and LASTMODIFICATIONTIME record them; 0 when absent or unreadable.
  std::uint64_t created = 0;
  std::uint64_t modified = 0;
  std::optional<WindowsInfo> windows;  // absent for a non-Windows image
};

ImageInfo read_image_info(const WimFile& wim, int image);

// A FILETIME as ISO 8601 UTC ("2020-01-01T00:00:00Z"); "" for 0 or a time
// before 1970.
std::string filetime_iso8601(std::uint64_t filetime);

}  // namespace dismake
