// Install media as dismake reads it: a Windows ISO (or a folder holding the
// same tree) whose files become a folder that boot.wim and install.wim can
// be mounted from. Microsoft's ISOs keep their files in UDF only (the
// ISO 9660 side holds one README.TXT), so an ISO is read through UDF when it
// has a UDF volume (libudfread), else through ISO 9660/Joliet (xorriso); no
// root and no loop device either way.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace dismake {

// Which of its file systems an ISO's files are read from.
enum class MediaFormat { kUdf, kIso9660 };

// "UDF" or "ISO 9660".
const char* media_format_name(MediaFormat format);

// What the volume descriptors of an ISO say.
struct MediaVolume {
  bool has_udf = false;      // an NSR02/NSR03 descriptor (UDF 1.02 to 2.60)
  bool has_iso9660 = false;  // a primary volume descriptor (CD001)
  std::string label;         // the primary volume's identifier, trailing blanks removed
  std::int64_t date = 0;     // its creation time (seconds since 1970), 0 when unset
};

// Reads the volume recognition area of `iso` (from 32 KiB). Throws
// ERROR_BAD_FORMAT naming the file when it holds neither an ISO 9660 nor a
// UDF volume, and the errno error when it cannot be read.
MediaVolume probe_media_image(const std::filesystem::path& iso);

struct MediaExtraction {
  MediaFormat format = MediaFormat::kUdf;
  MediaVolume volume;
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
};

// Extracts every file of `iso` into the folder `destination` (which is
// replaced as a whole: the new tree is made beside it and renamed into
// place, so an interrupted extraction leaves the old tree or none). An ISO
// whose files are only in a UDF volume that cannot be read, which leaves
// a README.TXT alone on the ISO 9660 side, is refused with
// ERROR_NOT_SUPPORTED, never extracted as that README.TXT.
MediaExtraction extract_media_image(const std::filesystem::path& iso,
                                    const std::filesystem::path& destination);

}  // namespace dismake
