// The byte-level pieces of the registry hive file format that the registry
// engine's own code reads and writes (log replay, big-data values): little-
// endian fields, the base block's offsets and its checksum. Offsets and names
// follow Maxim Suhanov's "Windows registry file format specification".
// Internal to plugin/src/registry/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dismake::hive_format {

// The base block (the file's first 4096 bytes) and its fields.
constexpr std::size_t kBaseBlockSize = 4096;
constexpr std::size_t kPrimarySequence = 4;
constexpr std::size_t kSecondarySequence = 8;
constexpr std::size_t kLastWritten = 12;
constexpr std::size_t kMinorVersion = 24;
constexpr std::size_t kFileType = 28;
constexpr std::size_t kRootCell = 36;
constexpr std::size_t kHiveBinsSize = 40;
constexpr std::size_t kFlags = 144;
constexpr std::size_t kChecksum = 508;

// A key (nk) cell's last-written time (a FILETIME), from the cell's start.
constexpr std::size_t kKeyLastWritten = 8;

// Seconds between 1601-01-01 (FILETIME's epoch) and 1970-01-01.
constexpr std::int64_t kFiletimeUnixOffset = 11644473600;

// Hive bins are multiples of 4096 bytes; cells inside them of 8.
constexpr std::size_t kHiveBinAlignment = 4096;
constexpr std::size_t kHiveBinHeaderSize = 32;
constexpr std::size_t kCellAlignment = 8;

inline std::uint16_t get16(const std::string& bytes, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[at]) |
                                    static_cast<unsigned char>(bytes[at + 1]) << 8);
}

inline std::uint32_t get32(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

inline std::uint64_t get64(const std::string& bytes, std::size_t at) {
  return get32(bytes, at) | static_cast<std::uint64_t>(get32(bytes, at + 4)) << 32;
}

inline void put16(std::string& bytes, std::size_t at, std::uint16_t v) {
  bytes[at] = static_cast<char>(v & 0xff);
  bytes[at + 1] = static_cast<char>(v >> 8);
}

inline void put32(std::string& bytes, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>(v >> (8 * i) & 0xff);
}

inline void put64(std::string& bytes, std::size_t at, std::uint64_t v) {
  put32(bytes, at, static_cast<std::uint32_t>(v));
  put32(bytes, at + 4, static_cast<std::uint32_t>(v >> 32));
}

// The plain XOR-32 of the base block's first 508 bytes.
inline std::uint32_t xor32(const std::string& bytes) {
  std::uint32_t sum = 0;
  for (std::size_t at = 0; at < kChecksum; at += 4) sum ^= get32(bytes, at);
  return sum;
}

// The base block's checksum as Windows writes it: the XOR-32, with 0 and -1
// reserved.
inline std::uint32_t base_block_checksum(const std::string& bytes) {
  std::uint32_t sum = xor32(bytes);
  if (sum == 0xffffffffu) return 0xfffffffeu;
  if (sum == 0) return 1;
  return sum;
}

}  // namespace dismake::hive_format
