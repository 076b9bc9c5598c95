// WimHeader: the fixed 208-byte header at the start of every WIM file, read
// and written as raw bytes. It is what makes an appended WIM reversible:
// wimlib's append mode writes new resources after the old end of the file
// and changes nothing before it but this header, so truncating the file to
// its old length and writing the old header back gives the old file again,
// byte for byte (DESIGN.md, "Commit"). Plain file I/O, no wimlib.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

namespace dismake {

// Where one of the header's tables lies in the file (0/0: absent).
struct WimSpan {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::uint64_t end() const { return offset + size; }
};

struct WimHeader {
  static constexpr std::size_t kSize = 208;

  std::array<std::uint8_t, kSize> bytes{};
  WimSpan blob_table;
  WimSpan xml;
  WimSpan integrity;

  // Reads the header of `path`; throws ERROR_BAD_FORMAT when it is too
  // short or has no WIM magic.
  static WimHeader read(const std::filesystem::path& path);

  // Writes these bytes over the first 208 bytes of `path` (not synced).
  void write_to(const std::filesystem::path& path) const;

  // The end of the last table the header names: where an appending write
  // starts. A file longer than this has bytes an append would overwrite.
  std::uint64_t tables_end() const;
};

// A SHA-256 (hex) of the header of the WIM file `path` and of the tables it
// names: the blob table (every blob's and image metadata's SHA-1, size and
// place), the XML and the integrity table. Two files with the same digest
// hold the same images, blob for blob, wherever they lie on disk; the
// resources themselves are not read, so damage inside them does not change
// it. Throws like WimHeader::read, and ERROR_FILE_CORRUPT when a table lies
// past the end of the file.
std::string wim_tables_digest(const std::filesystem::path& path);

}  // namespace dismake
