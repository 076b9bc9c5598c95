// Big-data values: how a hive stores value data over 16,344 bytes, written at
// the byte level. Windows keeps such data in a "db" record pointing to a list
// of segment cells of at most 16,344 bytes each (hives of format 1.4 and
// later). hivex reads these but writes any data as one plain cell (and none
// over 1,000,000 bytes), which Windows would misread. So Hive (hive.h) gives
// hivex an 8-byte placeholder for each big value and, once hivex has written
// the hive file, write_big_data() turns each placeholder into a db record
// with its segments, in the same save, before the file replaces the hive.
// Internal to plugin/src/registry/.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace dismake {

// The most data one cell holds; more goes into big-data segments.
constexpr std::size_t kMaxCellData = 16344;

// The placeholder's length: a cell of 16 bytes, room for the db record.
constexpr std::size_t kBigDataPlaceholderSize = 8;

// One big value to write: its vk and nk cells' offsets in the hive file (as
// hivex's handles give them), its data, and the offset of the db record the
// file already holds for that data when the value is unchanged (0 when new):
// the value then points to that record again, and its segments stay as they
// are.
struct BigValueWrite {
  std::size_t value_cell = 0;
  std::size_t key_cell = 0;
  std::string data;
  std::size_t kept_record = 0;
};

// Rewrites the hive file bytes `hive` (a clean hive as hivex_commit wrote
// it): each write's placeholder becomes a db record whose segments and
// segment list are cells of a new hive bin at the end of the file (or the
// value points to its kept record again, which hivex had freed, and the
// placeholder is freed), and the key's largest-data field counts it; `dropped` are the data cells
// of big values the edit replaced or deleted (hivex frees their db record but not what it points
// to), whose segment list and segments are freed. The base block's hive bins size and checksum are
// fixed. Throws Error(ERROR_INVALID_DATA) when a cell is not what it should be.
void write_big_data(std::string& hive, const std::vector<BigValueWrite>& writes,
                    const std::vector<std::size_t>& dropped);

}  // namespace dismake
