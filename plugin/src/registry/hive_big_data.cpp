#include "hive_big_data.h"

#include <algorithm>
#include <cstdint>

#include "dismake/base/error.h"
#include "hive_format.h"

namespace dismake {

namespace {

using namespace hive_format;

// vk and nk fields (offsets from the cell's start, its size field included).
constexpr std::size_t kValueDataSize = 8;
constexpr std::size_t kValueDataOffset = 12;
constexpr std::size_t kKeyLargestData = 0x44;

// db record: "db", segment count, segment list offset.
constexpr std::size_t kDbSegmentCount = 6;
constexpr std::size_t kDbSegmentList = 8;
constexpr std::size_t kSegmentSlack = 4;

std::size_t align(std::size_t size, std::size_t to) { return (size + to - 1) / to * to; }

// Hive cell offsets are relative to the first hive bin.
std::size_t file_offset(std::uint32_t cell) { return kBaseBlockSize + cell; }
std::uint32_t cell_offset(std::size_t at) {
  return static_cast<std::uint32_t>(at - kBaseBlockSize);
}

[[noreturn]] void bad_cell(const char* what, std::size_t at) {
  throw Error(hr::kInvalidData,
              std::string("the hive hivex wrote has no ") + what + " at offset " +
                  std::to_string(at) + " while writing its big values",
              "report this to the dismake developers with the hive; the step was rolled back");
}

void check_cell(const std::string& hive, std::size_t at, std::size_t payload, const char* what) {
  if (at < kBaseBlockSize || at + 4 + payload > hive.size()) bad_cell(what, at);
}

bool is_used_cell(const std::string& hive, std::size_t at) {
  return static_cast<std::int32_t>(get32(hive, at)) < 0;
}

std::size_t used_cell_size(const std::string& hive, std::size_t at) {
  return static_cast<std::size_t>(
      -static_cast<std::int64_t>(static_cast<std::int32_t>(get32(hive, at))));
}

// Appends a hive bin holding `cells` (payload sizes), each a used cell,
// followed by one free cell for the bin's rest; returns the cells' offsets.
std::vector<std::size_t> append_hive_bin(std::string& hive, const std::vector<std::size_t>& cells) {
  std::size_t used = kHiveBinHeaderSize;
  for (std::size_t payload : cells) used += align(4 + payload, kCellAlignment);
  std::size_t bin_size = align(used, kHiveBinAlignment);
  std::size_t bin = hive.size();
  hive.append(bin_size, '\0');
  hive.replace(bin, 4, "hbin");
  put32(hive, bin + 4, cell_offset(bin));
  put32(hive, bin + 8, static_cast<std::uint32_t>(bin_size));
  std::vector<std::size_t> offsets;
  std::size_t at = bin + kHiveBinHeaderSize;
  for (std::size_t payload : cells) {
    std::size_t size = align(4 + payload, kCellAlignment);
    put32(hive, at, static_cast<std::uint32_t>(-static_cast<std::int32_t>(size)));
    offsets.push_back(at);
    at += size;
  }
  if (at < bin + bin_size) put32(hive, at, static_cast<std::uint32_t>(bin + bin_size - at));
  return offsets;
}

bool is_db_record(const std::string& hive, std::size_t at) {
  return at >= kBaseBlockSize && at + 4 + kDbSegmentList + 4 <= hive.size() &&
         hive.compare(at + 4, 2, "db") == 0;
}

void use_cell(std::string& hive, std::size_t at) {
  if (!is_used_cell(hive, at))
    put32(hive, at, static_cast<std::uint32_t>(-static_cast<std::int32_t>(get32(hive, at))));
}

void free_cell(std::string& hive, std::size_t at) {
  if (is_used_cell(hive, at)) put32(hive, at, static_cast<std::uint32_t>(used_cell_size(hive, at)));
}

void count_in_key(std::string& hive, const BigValueWrite& value) {
  const std::size_t nk = value.key_cell;
  check_cell(hive, nk, kKeyLargestData + 4, "key record");
  if (hive.compare(nk + 4, 2, "nk") != 0) bad_cell("key record", nk);
  auto size = static_cast<std::uint32_t>(value.data.size());
  if (get32(hive, nk + kKeyLargestData) < size) put32(hive, nk + kKeyLargestData, size);
}

void write_one(std::string& hive, const BigValueWrite& value) {
  const std::size_t vk = value.value_cell;
  check_cell(hive, vk, kValueDataOffset + 4, "value record");
  if (hive.compare(vk + 4, 2, "vk") != 0) bad_cell("value record", vk);
  if (get32(hive, vk + kValueDataSize) != kBigDataPlaceholderSize)
    bad_cell("big value placeholder", vk);
  const std::size_t db = file_offset(get32(hive, vk + kValueDataOffset));
  check_cell(hive, db, kDbSegmentList + 4, "big value placeholder");
  put32(hive, vk + kValueDataSize, static_cast<std::uint32_t>(value.data.size()));
  count_in_key(hive, value);
  // An unchanged value keeps its record (a plain cell of an older hive
  // cannot be kept: it gets a db record like a new value).
  if (value.kept_record != 0 && is_db_record(hive, value.kept_record)) {
    use_cell(hive, value.kept_record);
    put32(hive, vk + kValueDataOffset, cell_offset(value.kept_record));
    free_cell(hive, db);
    return;
  }

  std::size_t segments = (value.data.size() + kMaxCellData - 1) / kMaxCellData;
  std::vector<std::size_t> lengths;
  for (std::size_t i = 0; i < segments; ++i)
    lengths.push_back(std::min(kMaxCellData, value.data.size() - i * kMaxCellData));
  // A segment cell has 4 bytes to spare after its data, as Windows makes
  // them (16,352-byte cells for full segments): readers such as hivex take
  // a segment's data to end 4 bytes before its cell does.
  std::vector<std::size_t> payloads;
  for (std::size_t length : lengths) payloads.push_back(length + kSegmentSlack);
  payloads.push_back(4 * segments);  // the segment list
  std::vector<std::size_t> cells = append_hive_bin(hive, payloads);

  const std::size_t list = cells.back();
  for (std::size_t i = 0; i < segments; ++i) {
    hive.replace(cells[i] + 4, lengths[i], value.data, i * kMaxCellData, lengths[i]);
    put32(hive, list + 4 + 4 * i, cell_offset(cells[i]));
  }
  hive.replace(db + 4, 2, "db");
  put16(hive, db + kDbSegmentCount, static_cast<std::uint16_t>(segments));
  put32(hive, db + kDbSegmentList, cell_offset(list));
}

// A dropped value's data cell: when it is a db record, frees its segments
// and its segment list (hivex freed the record itself). A plain cell (a big
// value of a hive that never used db records) needs nothing more.
void free_big_data(std::string& hive, std::size_t db) {
  if (!is_db_record(hive, db)) return;
  std::size_t list = file_offset(get32(hive, db + kDbSegmentList));
  std::size_t segments = get16(hive, db + kDbSegmentCount);
  if (list + 4 + 4 * segments > hive.size() || !is_used_cell(hive, list)) return;
  for (std::size_t i = 0; i < segments; ++i) {
    std::size_t segment = file_offset(get32(hive, list + 4 + 4 * i));
    if (segment + 4 <= hive.size()) free_cell(hive, segment);
  }
  free_cell(hive, list);
}

}  // namespace

void write_big_data(std::string& hive, const std::vector<BigValueWrite>& writes,
                    const std::vector<std::size_t>& dropped) {
  if (hive.size() < kBaseBlockSize || hive.compare(0, 4, "regf") != 0) bad_cell("base block", 0);
  // New bins go right after the last one hivex wrote.
  std::size_t end = kBaseBlockSize + get32(hive, kHiveBinsSize);
  if (end > hive.size() || (end - kBaseBlockSize) % kHiveBinAlignment != 0)
    bad_cell("hive bin end", end);
  hive.resize(end);
  for (std::size_t db : dropped) free_big_data(hive, db);
  for (const BigValueWrite& value : writes) write_one(hive, value);
  put32(hive, kHiveBinsSize, static_cast<std::uint32_t>(hive.size() - kBaseBlockSize));
  put32(hive, kChecksum, base_block_checksum(hive));
}

}  // namespace dismake
