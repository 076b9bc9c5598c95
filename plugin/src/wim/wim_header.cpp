#include "dismake/wim/wim_header.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dismake/base/digest.h"
#include "dismake/base/error.h"

namespace dismake {

namespace {

std::uint64_t little_endian(const std::uint8_t* p, int bytes) {
  std::uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

// A resource header: 7 bytes of size in the file, 1 byte of flags, 8 bytes
// of offset, 8 bytes of uncompressed size.
WimSpan span_at(const std::uint8_t* header, std::size_t at) {
  return WimSpan{little_endian(header + at + 8, 8), little_endian(header + at, 7)};
}

constexpr std::size_t kBlobTableAt = 48;
constexpr std::size_t kXmlAt = 72;
constexpr std::size_t kIntegrityAt = 124;

}  // namespace

WimHeader WimHeader::read(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("open", path.string(), errno);
  WimHeader header;
  ssize_t n = ::pread(fd, header.bytes.data(), kSize, 0);
  int saved = errno;
  ::close(fd);
  if (n < 0) throw_errno("read", path.string(), saved);
  if (static_cast<std::size_t>(n) != kSize ||
      (std::memcmp(header.bytes.data(), "MSWIM\0\0\0", 8) != 0 &&
       std::memcmp(header.bytes.data(), "WLPWM\0\0\0", 8) != 0))
    throw Error(hr::kBadFormat, "'" + path.string() + "' has no WIM header",
                "give a .wim file made by DISM or wimlib");
  header.blob_table = span_at(header.bytes.data(), kBlobTableAt);
  header.xml = span_at(header.bytes.data(), kXmlAt);
  header.integrity = span_at(header.bytes.data(), kIntegrityAt);
  return header;
}

void WimHeader::write_to(const std::filesystem::path& path) const {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("open", path.string(), errno);
  ssize_t n = ::pwrite(fd, bytes.data(), kSize, 0);
  int saved = errno;
  ::close(fd);
  if (n < 0) throw_errno("write the header of", path.string(), saved);
  if (static_cast<std::size_t>(n) != kSize) throw_errno("write the header of", path.string(), EIO);
}

std::uint64_t WimHeader::tables_end() const {
  return std::max({std::uint64_t{kSize}, blob_table.end(), xml.end(), integrity.end()});
}

std::string wim_tables_digest(const std::filesystem::path& path) {
  WimHeader header = WimHeader::read(path);
  Sha256 digest;
  digest.add(
      std::string_view(reinterpret_cast<const char*>(header.bytes.data()), WimHeader::kSize));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("open", path.string(), errno);
  std::string table;
  for (const WimSpan& span : {header.blob_table, header.xml, header.integrity}) {
    table.resize(span.size);
    ssize_t n = span.size == 0 ? 0 : ::pread(fd, table.data(), span.size, span.offset);
    int saved = errno;
    if (n < 0) {
      ::close(fd);
      throw_errno("read", path.string(), saved);
    }
    if (static_cast<std::uint64_t>(n) != span.size) {
      ::close(fd);
      throw Error(hr::kFileCorrupt,
                  "'" + path.string() + "' is damaged: a table its header names lies past its end",
                  "get an intact copy of the WIM");
    }
    digest.add(table);
  }
  ::close(fd);
  return digest.hex();
}

}  // namespace dismake
