// The volume recognition area of an ISO (ECMA-119 and ECMA-167): 2048-byte
// descriptors from sector 16, each with a 5-byte standard identifier.
// CD001 with type 1 is the ISO 9660 primary volume descriptor; NSR02 or
// NSR03 says that a UDF volume follows. Read here so that a file that is no
// ISO is refused before any reader is asked, and libudfread is only ever
// given an image that says it has UDF.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "dismake/base/error.h"
#include "dismake/base/unique_fd.h"
#include "dismake/media/media_image.h"

namespace dismake {

namespace {

constexpr std::size_t kSector = 2048;
constexpr std::size_t kFirstDescriptor = 16;
constexpr std::size_t kMaxDescriptors = 64;  // the area ends long before on real media

std::string trimmed(const char* text, std::size_t size) {
  std::string value(text, size);
  std::size_t end = value.find_last_not_of(' ');
  return end == std::string::npos ? "" : value.substr(0, end + 1);
}

// ECMA-119 8.4.26.1: "YYYYMMDDhhmmsscc" and a signed offset from GMT in
// 15-minute steps; all zero digits means "not specified".
std::int64_t descriptor_time(const unsigned char* field) {
  int parts[6];
  static constexpr int kWidths[6] = {4, 2, 2, 2, 2, 2};
  const unsigned char* at = field;
  for (int i = 0; i < 6; ++i) {
    parts[i] = 0;
    for (int d = 0; d < kWidths[i]; ++d, ++at) {
      if (*at < '0' || *at > '9') return 0;
      parts[i] = parts[i] * 10 + (*at - '0');
    }
  }
  if (parts[0] == 0) return 0;
  std::tm utc{};
  utc.tm_year = parts[0] - 1900;
  utc.tm_mon = parts[1] - 1;
  utc.tm_mday = parts[2];
  utc.tm_hour = parts[3];
  utc.tm_min = parts[4];
  utc.tm_sec = parts[5];
  std::int64_t seconds = ::timegm(&utc);
  auto offset = static_cast<signed char>(field[16]);
  return seconds - static_cast<std::int64_t>(offset) * 15 * 60;
}

}  // namespace

const char* media_format_name(MediaFormat format) {
  return format == MediaFormat::kUdf ? "UDF" : "ISO 9660";
}

MediaVolume probe_media_image(const std::filesystem::path& iso) {
  UniqueFd fd(::open(iso.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno("open the media image", iso.string(), errno);
  MediaVolume volume;
  unsigned char sector[kSector];
  for (std::size_t i = 0; i < kMaxDescriptors; ++i) {
    ssize_t got = ::pread(fd.get(), sector, kSector, (kFirstDescriptor + i) * kSector);
    if (got < 0) throw_errno("read the media image", iso.string(), errno);
    if (static_cast<std::size_t>(got) < kSector) break;
    const char* id = reinterpret_cast<const char*>(sector + 1);
    if (std::memcmp(id, "CD001", 5) == 0) {
      if (sector[0] == 1 && !volume.has_iso9660) {
        volume.has_iso9660 = true;
        volume.label = trimmed(reinterpret_cast<const char*>(sector + 40), 32);
        volume.date = descriptor_time(sector + 813);
      }
      if (sector[0] == 255) continue;  // the set terminator; UDF's descriptors follow it
    } else if (std::memcmp(id, "NSR02", 5) == 0 || std::memcmp(id, "NSR03", 5) == 0) {
      volume.has_udf = true;
    } else if (std::memcmp(id, "BEA01", 5) != 0 && std::memcmp(id, "TEA01", 5) != 0 &&
               std::memcmp(id, "BOOT2", 5) != 0 && std::memcmp(id, "CDW02", 5) != 0) {
      break;  // the end of the recognition area
    }
  }
  if (!volume.has_iso9660 && !volume.has_udf)
    throw Error(hr::kBadFormat,
                iso.string() +
                    " is not an ISO image: it has no ISO 9660 or UDF volume descriptor at 32 KiB",
                "give the .iso file of an installation media, or a folder holding its files");
  return volume;
}

}  // namespace dismake
