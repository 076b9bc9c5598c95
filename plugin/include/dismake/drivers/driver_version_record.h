// The Version value of a DriverDatabase\DriverPackages\<package> key: 48
// bytes in which Windows keeps a package's class, date and version (decoded
// from the reference SYSTEM hive; docs/design-notes.md, "Drivers"):
//
//   0   u8   0xFF for an inbox package, 0x00 for a third-party one
//   1   u8   0xFF
//   2   u16  the architecture (9 = amd64, as DriverDatabase\Architecture)
//   4   u32  0
//   8   GUID the setup class (Data1-3 little-endian, as Windows stores GUIDs)
//   24  u64  DriverVer's date as a FILETIME (midnight UTC)
//   32  u64  DriverVer's version, a<<48 | b<<32 | c<<16 | d
//   40  u64  flags of unknown meaning: 0 for every third-party package of
//            the reference hive, 0x40 or 0x80 in bytes 42-43 for some inbox
//            ones; kept as read, 0 for a package dismake stages
#pragma once

#include <cstdint>
#include <string>

namespace dismake {

struct DriverVersionRecord {
  bool inbox = false;
  std::uint16_t architecture = 0;
  std::string class_guid;  // "{4d36e97b-e325-11ce-bfc1-08002be10318}"
  std::uint64_t date = 0;  // FILETIME
  std::uint64_t version = 0;
  std::uint64_t flags = 0;  // bytes 40-47, kept as Windows wrote them
};

// Decodes the value's bytes; throws Error(ERROR_INVALID_DATA) naming
// `where` when they are not 48 bytes.
DriverVersionRecord decode_driver_version_record(const std::string& bytes,
                                                 const std::string& where);

// The 48 bytes Windows writes for `record`.
std::string encode_driver_version_record(const DriverVersionRecord& record);

}  // namespace dismake
