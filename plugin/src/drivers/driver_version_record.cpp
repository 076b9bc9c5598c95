#include "dismake/drivers/driver_version_record.h"

#include <cstdio>

#include "dismake/base/error.h"

namespace dismake {

namespace {

constexpr size_t kRecordSize = 48;

std::uint64_t read_le(const std::string& bytes, size_t offset, size_t size) {
  std::uint64_t value = 0;
  for (size_t i = 0; i < size; ++i)
    value |= std::uint64_t{static_cast<unsigned char>(bytes[offset + i])} << (8 * i);
  return value;
}

void write_le(std::string& bytes, size_t offset, size_t size, std::uint64_t value) {
  for (size_t i = 0; i < size; ++i)
    bytes[offset + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

}  // namespace

DriverVersionRecord decode_driver_version_record(const std::string& bytes,
                                                 const std::string& where) {
  if (bytes.size() != kRecordSize)
    throw Error(hr::kInvalidData,
                where + " is " + std::to_string(bytes.size()) +
                    " bytes, not the 48 of a driver "
                    "package's Version",
                "the image's driver database is damaged");
  DriverVersionRecord record;
  record.inbox = static_cast<unsigned char>(bytes[0]) == 0xFF;
  record.architecture = static_cast<std::uint16_t>(read_le(bytes, 2, 2));
  char guid[40];
  std::snprintf(guid, sizeof guid, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
                static_cast<unsigned>(read_le(bytes, 8, 4)),
                static_cast<unsigned>(read_le(bytes, 12, 2)),
                static_cast<unsigned>(read_le(bytes, 14, 2)), static_cast<unsigned char>(bytes[16]),
                static_cast<unsigned char>(bytes[17]), static_cast<unsigned char>(bytes[18]),
                static_cast<unsigned char>(bytes[19]), static_cast<unsigned char>(bytes[20]),
                static_cast<unsigned char>(bytes[21]), static_cast<unsigned char>(bytes[22]),
                static_cast<unsigned char>(bytes[23]));
  record.class_guid = guid;
  record.date = read_le(bytes, 24, 8);
  record.version = read_le(bytes, 32, 8);
  record.flags = read_le(bytes, 40, 8);
  return record;
}

std::string encode_driver_version_record(const DriverVersionRecord& record) {
  std::string bytes(kRecordSize, '\0');
  bytes[0] = static_cast<char>(record.inbox ? 0xFF : 0x00);
  bytes[1] = static_cast<char>(0xFF);
  write_le(bytes, 2, 2, record.architecture);
  unsigned data1 = 0, data2 = 0, data3 = 0, b[8] = {};
  if (std::sscanf(record.class_guid.c_str(), "{%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x}", &data1,
                  &data2, &data3, &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6], &b[7]) != 11)
    throw Error(hr::kInvalidArg, "'" + record.class_guid + "' is not a class GUID",
                "write it as {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}");
  write_le(bytes, 8, 4, data1);
  write_le(bytes, 12, 2, data2);
  write_le(bytes, 14, 2, data3);
  for (int i = 0; i < 8; ++i) bytes[16 + i] = static_cast<char>(b[i]);
  write_le(bytes, 24, 8, record.date);
  write_le(bytes, 32, 8, record.version);
  write_le(bytes, 40, 8, record.flags);
  return bytes;
}

}  // namespace dismake
