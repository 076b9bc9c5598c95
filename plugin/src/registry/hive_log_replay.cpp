#include "dismake/registry/hive_log_replay.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include "dismake/base/case_fold.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "hive_format.h"

namespace dismake {

namespace fs = std::filesystem;

namespace {

using namespace hive_format;

// Sizes from the specification's "Base block" not shared with hive_format.h.
constexpr std::size_t kLogBaseBlockSize = 512;

constexpr std::uint32_t kTypePrimary = 0;
constexpr std::uint32_t kTypeOldLog = 1;
constexpr std::uint32_t kTypeOldLogNt4 = 2;  // Windows 2000 and earlier
constexpr std::uint32_t kTypeNewLog = 6;

// Header of a new-format log entry.
constexpr std::size_t kEntryHeaderSize = 40;
constexpr std::size_t kEntrySize = 4;
constexpr std::size_t kEntryFlags = 8;
constexpr std::size_t kEntrySequence = 12;
constexpr std::size_t kEntryHiveBinsSize = 16;
constexpr std::size_t kEntryPageCount = 20;
constexpr std::size_t kEntryHash1 = 24;
constexpr std::size_t kEntryHash2 = 32;

// The only bit of the base block's flags a log entry carries (KTM lock).
constexpr std::uint32_t kEntryFlagMask = 1;

constexpr std::uint64_t kMarvinSeed = 0x82EF4D887A4E55C5ull;

std::uint32_t rotl(std::uint32_t v, int n) { return v << n | v >> (32 - n); }

// Also accepts the plain XOR that hivex writes, which differs only when it
// is 0 or -1.
bool has_valid_base_block(const std::string& bytes) {
  if (bytes.size() < kLogBaseBlockSize || bytes.compare(0, 4, "regf") != 0) return false;
  std::uint32_t stored = get32(bytes, kChecksum);
  return stored == base_block_checksum(bytes) || stored == xor32(bytes);
}

// Sequence numbers wrap around; a is older than b when b is less than half
// the number space ahead of it.
bool sequence_before(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) < 0;
}

std::string read_prefix(const fs::path& path, std::size_t size) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

// One transaction log file as read from disk; `problem` says why it cannot
// be used ("" when it can).
struct LogFile {
  std::string name;
  std::string bytes;
  std::string problem;
  bool present = true;

  bool usable() const { return problem.empty(); }
  std::uint32_t type() const { return get32(bytes, kFileType); }
  std::uint32_t sequence() const { return get32(bytes, kPrimarySequence); }
  std::uint64_t last_written() const { return get64(bytes, kLastWritten); }
  bool is_new_format() const { return usable() && type() == kTypeNewLog; }
  bool is_old_format() const {
    return usable() && (type() == kTypeOldLog || type() == kTypeOldLogNt4);
  }
};

LogFile read_log(const fs::path& path) {
  LogFile log{path.filename().string(), read_file(path), ""};
  if (log.bytes.empty()) {
    log.problem = "is empty";
  } else if (log.bytes.size() < kLogBaseBlockSize || log.bytes.compare(0, 4, "regf") != 0) {
    log.problem = "is not a registry transaction log";
  } else if (!has_valid_base_block(log.bytes)) {
    log.problem = "has a damaged header (wrong checksum)";
  } else if (log.sequence() != get32(log.bytes, kSecondarySequence)) {
    log.problem = "was itself being written when Windows stopped (its sequence numbers differ)";
  } else if (log.type() != kTypeNewLog && log.type() != kTypeOldLog &&
             log.type() != kTypeOldLogNt4) {
    log.problem = "has the unknown file type " + std::to_string(log.type());
  }
  return log;
}

// The hive as it is being recovered, and what went into it.
struct Recovery {
  std::string hive;
  std::uint32_t hive_bins_size = 0;
  std::uint32_t flags = 0;
  std::optional<std::uint32_t> last_sequence;
  std::string root_from;  // the base block whose root cell offset wins
  std::vector<std::string> applied;
  std::vector<std::string> problems;
  std::vector<std::string> warnings;
  // The largest hive bins size the files can give: what the hive file holds
  // plus every byte of its logs. A log entry claiming more is damaged (a
  // crafted 0xFFFFF000 would otherwise cost 4 GiB of zeros).
  std::uint64_t max_hive_bins = 0;

  void resize_hive_bins(std::uint32_t size) {
    hive_bins_size = size;
    hive.resize(kBaseBlockSize + size, '\0');
  }
};

bool has_entry_signature(const std::string& log, std::size_t at) {
  return at + kEntryHeaderSize <= log.size() && log.compare(at, 4, "HvLE") == 0;
}

// True for an entry left from an earlier use of the log: intact, with a
// sequence number before `expected`. Windows reuses a log from its start,
// so one may follow the last entry written; it ends the log, it is no damage.
bool is_stale_entry(const std::string& log, std::size_t at, std::uint32_t expected) {
  if (!has_entry_signature(log, at)) return false;
  const auto* data = reinterpret_cast<const unsigned char*>(log.data()) + at;
  return marvin32_log_hash(data, 32) == get64(log, at + kEntryHash2) &&
         sequence_before(get32(log, at + kEntrySequence), expected);
}

// Why the new-format log entry at `at` cannot be applied, or "" when it can.
// Every size is checked against the files' real sizes before it is used.
std::string check_log_entry(const std::string& log, std::size_t at, std::uint32_t expected,
                            std::uint64_t max_hive_bins) {
  if (!has_entry_signature(log, at))
    return "has no log entry where entry " + std::to_string(expected) + " should be";
  std::uint32_t size = get32(log, at + kEntrySize);
  if (size < 512 || size % 512 != 0 || size > log.size() - at) return "has a truncated log entry";
  std::uint32_t bins = get32(log, at + kEntryHiveBinsSize);
  if (bins < kHiveBinAlignment || bins % kHiveBinAlignment != 0)
    return "has a log entry with a bad hive size";
  if (bins > max_hive_bins)
    return "has a log entry with a hive size of " + std::to_string(bins) +
           " bytes, more than the hive and its logs hold";
  const auto* data = reinterpret_cast<const unsigned char*>(log.data()) + at;
  if (marvin32_log_hash(data, 32) != get64(log, at + kEntryHash2) ||
      marvin32_log_hash(data + kEntryHeaderSize, size - kEntryHeaderSize) !=
          get64(log, at + kEntryHash1))
    return "has a damaged log entry (its Marvin32 hash does not match)";
  std::uint32_t sequence = get32(log, at + kEntrySequence);
  if (sequence != expected)
    return "has log entry " + std::to_string(sequence) + " where entry " +
           std::to_string(expected) + " should follow";
  std::uint64_t count = get32(log, at + kEntryPageCount);
  if (count == 0 || kEntryHeaderSize + count * 8 > size) return "has a log entry with no pages";
  std::uint64_t pages = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t offset = get32(log, at + kEntryHeaderSize + i * 8);
    std::uint64_t length = get32(log, at + kEntryHeaderSize + i * 8 + 4);
    if (offset + length > bins) return "has a log entry writing outside the hive";
    pages += length;
  }
  if (kEntryHeaderSize + count * 8 + pages > size) return "has a truncated log entry";
  return "";
}

void apply_log_entry(Recovery& r, const std::string& log, std::size_t at) {
  r.resize_hive_bins(get32(log, at + kEntryHiveBinsSize));
  r.flags = (r.flags & ~kEntryFlagMask) | (get32(log, at + kEntryFlags) & kEntryFlagMask);
  r.last_sequence = get32(log, at + kEntrySequence);
  std::uint32_t count = get32(log, at + kEntryPageCount);
  std::size_t page = at + kEntryHeaderSize + std::size_t{count} * 8;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t offset = get32(log, at + kEntryHeaderSize + i * 8);
    std::uint32_t length = get32(log, at + kEntryHeaderSize + i * 8 + 4);
    std::memcpy(r.hive.data() + kBaseBlockSize + offset, log.data() + page, length);
    page += length;
  }
}

// The intact log entries after `sequence` in `log`, found at every 512-byte
// boundary from `from` on: those a stop at a damaged entry left unapplied.
int count_entries_after(const std::string& log, std::size_t from, std::uint32_t sequence) {
  int count = 0;
  for (std::size_t at = from; at + kEntryHeaderSize <= log.size(); at += 512) {
    if (!has_entry_signature(log, at)) continue;
    const auto* data = reinterpret_cast<const unsigned char*>(log.data()) + at;
    if (marvin32_log_hash(data, 32) == get64(log, at + kEntryHash2) &&
        sequence_before(sequence, get32(log, at + kEntrySequence)))
      ++count;
  }
  return count;
}

// Applies the log entries of one new-format log, from its first, in sequence
// order; stops at the first entry that is missing, damaged or out of order,
// as Windows does. A damaged entry after applied ones is warned about, with
// how many later entries (in this log and `other`) were not applied.
// Returns how many it applied.
int apply_new_log(Recovery& r, const LogFile& log, const LogFile* other) {
  std::size_t at = kLogBaseBlockSize;
  std::uint32_t expected = log.sequence();
  int applied = 0;
  for (;;) {
    std::string problem = check_log_entry(log.bytes, at, expected, r.max_hive_bins);
    if (!problem.empty()) {
      if (applied == 0) {
        r.problems.push_back(log.name + " " + problem);
      } else if (has_entry_signature(log.bytes, at) && !is_stale_entry(log.bytes, at, expected)) {
        int later = count_entries_after(log.bytes, at + 512, expected);
        if (other) later += count_entries_after(other->bytes, kLogBaseBlockSize, expected);
        r.warnings.push_back(
            log.name + " " + problem + ": log entry " + std::to_string(expected) + " at offset " +
            std::to_string(at) + "; replay stopped there, as Windows does (entries " +
            std::to_string(log.sequence()) + " to " + std::to_string(expected - 1) + " applied, " +
            std::to_string(later) + " later entries not applied)");
      }
      break;
    }
    apply_log_entry(r, log.bytes, at);
    at += get32(log.bytes, at + kEntrySize);
    ++expected;
    ++applied;
  }
  if (applied > 0) {
    r.applied.push_back(log.name);
    r.root_from = log.bytes.substr(0, kLogBaseBlockSize);
  }
  return applied;
}

// A new-format log applies when its entries start no earlier than the
// hive's secondary sequence number: older ones are already in the hive.
bool eligible(Recovery& r, const LogFile& log, std::uint32_t hive_secondary) {
  if (!sequence_before(log.sequence(), hive_secondary)) return true;
  r.problems.push_back(log.name + " holds only older log entries (from " +
                       std::to_string(log.sequence()) + ", the hive is at " +
                       std::to_string(hive_secondary) + ")");
  return false;
}

// Windows 8.1 and later alternate between .LOG1 and .LOG2: the log with the
// earlier entries goes first, and the other continues it when its first
// entry follows the last one applied.
void replay_new_format(Recovery& r, std::vector<const LogFile*> logs,
                       std::uint32_t hive_secondary) {
  if (logs.size() == 2 && sequence_before(logs[1]->sequence(), logs[0]->sequence()))
    std::swap(logs[0], logs[1]);
  const LogFile* second = logs.size() == 2 ? logs[1] : nullptr;
  if (!eligible(r, *logs[0], hive_secondary)) {
    if (second && eligible(r, *second, hive_secondary)) apply_new_log(r, *second, nullptr);
    return;
  }
  std::size_t warned = r.warnings.size();
  apply_new_log(r, *logs[0], second);
  if (r.warnings.size() == warned && second && r.last_sequence &&
      second->sequence() == *r.last_sequence + 1)
    apply_new_log(r, *second, nullptr);
}

// Old format: a bitmap of dirty 512-byte pages of the hive bins ("DIRT"),
// then those pages in order.
void replay_old_format(Recovery& r, const LogFile& log, std::uint64_t hive_last_written) {
  if (log.last_written() < hive_last_written) {
    r.problems.push_back(log.name + " is older than the hive (its timestamp is earlier)");
    return;
  }
  std::uint32_t bins = get32(log.bytes, kHiveBinsSize);
  if (bins > r.max_hive_bins) {
    r.problems.push_back(log.name + " gives a hive size of " + std::to_string(bins) +
                         " bytes, more than the hive and its logs hold");
    return;
  }
  std::size_t bitmap_size = bins / kHiveBinAlignment;
  std::size_t first_page = (kLogBaseBlockSize + 4 + bitmap_size + 511) / 512 * 512;
  if (bins < kHiveBinAlignment || bins % kHiveBinAlignment != 0 ||
      log.bytes.compare(kLogBaseBlockSize, 4, "DIRT") != 0 || first_page > log.bytes.size()) {
    r.problems.push_back(log.name + " has a damaged dirty vector");
    return;
  }
  std::vector<std::size_t> dirty;
  for (std::size_t bit = 0; bit < bins / 512; ++bit) {
    auto byte = static_cast<unsigned char>(log.bytes[kLogBaseBlockSize + 4 + bit / 8]);
    if (byte >> (bit % 8) & 1) dirty.push_back(bit);
  }
  if (dirty.empty() || first_page + dirty.size() * 512 > log.bytes.size()) {
    r.problems.push_back(log.name + (dirty.empty() ? " lists no dirty pages" : " is truncated"));
    return;
  }
  r.resize_hive_bins(bins);
  r.flags = get32(log.bytes, kFlags);
  for (std::size_t i = 0; i < dirty.size(); ++i)
    std::memcpy(r.hive.data() + kBaseBlockSize + dirty[i] * 512,
                log.bytes.data() + first_page + i * 512, 512);
  r.applied.push_back(log.name);
  r.root_from = log.bytes.substr(0, kLogBaseBlockSize);
}

// The old-format log Windows 8 recovers from: of .LOG1 and .LOG2 the one
// written last, else the single .LOG.
const LogFile* pick_old_format(const std::vector<LogFile>& logs) {
  const LogFile* best = nullptr;
  for (std::size_t i = 0; i < logs.size() && i < 2; ++i) {
    if (logs[i].is_old_format() && (!best || logs[i].last_written() > best->last_written()))
      best = &logs[i];
  }
  if (!best && logs.size() > 2 && logs[2].is_old_format()) best = &logs[2];
  return best;
}

// Why the replayed hive bins are not what Windows would load, or "".
std::string check_hive_bins(const Recovery& r) {
  std::size_t offset = 0;
  while (offset < r.hive_bins_size) {
    std::size_t at = kBaseBlockSize + offset;
    if (r.hive.compare(at, 4, "hbin") != 0 || get32(r.hive, at + 4) != offset)
      return "the replayed hive has no valid hive bin at offset " + std::to_string(offset);
    std::uint32_t size = get32(r.hive, at + 8);
    if (size < kHiveBinAlignment || size % kHiveBinAlignment != 0 ||
        offset + size > r.hive_bins_size)
      return "the replayed hive has a hive bin of bad size at offset " + std::to_string(offset);
    offset += size;
  }
  return "";
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string joined;
  for (const std::string& part : parts) joined += (joined.empty() ? "" : separator) + part;
  return joined;
}

[[noreturn]] void refuse(const fs::path& hive, const std::string& state, const std::string& why) {
  throw Error(hr::kRegistryCorrupt,
              "registry hive '" + hive.string() + "' is dirty (" + state +
                  ": Windows had not yet written all of its changes into it) and dismake cannot "
                  "replay its transaction logs as Windows would: " +
                  why,
              "load the hive on Windows once so that Windows replays its logs (reg load "
              "HKLM\\Dirty <hive>, then reg unload HKLM\\Dirty), or put back the .LOG1/.LOG2 "
              "files Windows left beside it, then capture the image again; dismake does not "
              "edit a dirty hive without its logs' data");
}

void fix_base_block(Recovery& r) {
  std::string& b = r.hive;
  if (!r.root_from.empty()) put32(b, kRootCell, get32(r.root_from, kRootCell));
  std::uint32_t sequence = r.last_sequence ? *r.last_sequence : get32(b, kPrimarySequence);
  put32(b, kPrimarySequence, sequence);
  put32(b, kSecondarySequence, sequence);
  put32(b, kFileType, kTypePrimary);
  put32(b, kHiveBinsSize, r.hive_bins_size);
  put32(b, kFlags, r.flags);
  put32(b, kChecksum, base_block_checksum(b));
}

// The hive's logs, indexed as hive_log_file_names(): .LOG1, .LOG2, .LOG.
std::vector<LogFile> read_hive_logs(const fs::path& hive) {
  std::vector<fs::path> paths = existing_hive_logs(hive);
  std::vector<LogFile> logs;
  for (const std::string& name : hive_log_file_names(hive.filename().string())) {
    auto it = std::find_if(paths.begin(), paths.end(), [&](const fs::path& p) {
      return fold_case(p.filename().string()) == fold_case(name);
    });
    logs.push_back(it == paths.end() ? LogFile{name, "", "is missing", false} : read_log(*it));
  }
  return logs;
}

std::string why_nothing_applied(Recovery& r, const std::vector<LogFile>& logs) {
  bool dual_present = logs[0].present || logs[1].present;
  if (!dual_present && !logs[2].present) return "there are no transaction logs beside it";
  for (std::size_t i = 0; i < logs.size(); ++i) {
    // A missing .LOG beside .LOG1/.LOG2 is normal, and the reverse too.
    if (logs[i].usable() || (!logs[i].present && (i == 2 || !dual_present))) continue;
    r.problems.push_back(logs[i].name + " " + logs[i].problem);
  }
  return join(r.problems, "; ");
}

}  // namespace

std::vector<std::string> hive_log_file_names(const std::string& hive_path) {
  return {hive_path + ".LOG1", hive_path + ".LOG2", hive_path + ".LOG"};
}

bool hive_needs_log_replay(const fs::path& hive) {
  std::string header = read_prefix(hive, kBaseBlockSize);
  if (header.size() < kBaseBlockSize || header.compare(0, 4, "regf") != 0) return false;
  return !has_valid_base_block(header) ||
         get32(header, kPrimarySequence) != get32(header, kSecondarySequence);
}

std::vector<fs::path> existing_hive_logs(const fs::path& hive) {
  std::vector<fs::path> found;
  fs::path dir = hive.parent_path().empty() ? fs::path(".") : hive.parent_path();
  for (const std::string& name : hive_log_file_names(hive.filename().string())) {
    std::string wanted = fold_case(name);
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
      if (fold_case(entry.path().filename().string()) != wanted) continue;
      if (entry.is_regular_file(ec)) found.push_back(hive.parent_path() / entry.path().filename());
      break;
    }
    if (ec) throw_errno("list", dir.string(), ec.value());
  }
  return found;
}

ReplayedHive replay_hive_logs(const fs::path& hive) {
  Recovery r;
  r.hive = read_file(hive);
  if (r.hive.size() < kBaseBlockSize || !has_valid_base_block(r.hive)) {
    // Windows would rebuild the header from a log; dismake does not.
    refuse(hive, "its header is damaged", "its own header has a wrong checksum");
  }
  std::uint32_t secondary = get32(r.hive, kSecondarySequence);
  std::string state = "sequence numbers " + std::to_string(get32(r.hive, kPrimarySequence)) +
                      " and " + std::to_string(secondary);
  r.hive_bins_size = get32(r.hive, kHiveBinsSize);
  r.flags = get32(r.hive, kFlags);

  std::vector<LogFile> logs = read_hive_logs(hive);
  r.max_hive_bins = r.hive.size() - kBaseBlockSize;
  for (const LogFile& log : logs) r.max_hive_bins += log.bytes.size();
  std::vector<const LogFile*> dual_new;
  for (std::size_t i = 0; i < 2; ++i)
    if (logs[i].is_new_format()) dual_new.push_back(&logs[i]);
  if (dual_new.empty() && logs[2].is_new_format()) dual_new.push_back(&logs[2]);
  if (!dual_new.empty()) {
    replay_new_format(r, dual_new, secondary);
  } else if (const LogFile* old = pick_old_format(logs)) {
    replay_old_format(r, *old, get64(r.hive, kLastWritten));
  }
  if (r.applied.empty()) refuse(hive, state, why_nothing_applied(r, logs));

  r.resize_hive_bins(r.hive_bins_size);
  std::string damaged = check_hive_bins(r);
  if (!damaged.empty())
    refuse(hive, state, damaged + " (Windows would repair it, dismake does not)");
  fix_base_block(r);
  std::uint32_t sequence = get32(r.hive, kPrimarySequence);
  return {std::move(r.hive), sequence, std::move(r.applied), std::move(r.warnings)};
}

void empty_hive_logs(const std::vector<fs::path>& logs) {
  for (const fs::path& log : logs) {
    struct stat st {};
    if (::stat(log.c_str(), &st) != 0) throw_errno("stat", log.string(), errno);
    write_file_atomic(log, "");
    if (::chmod(log.c_str(), st.st_mode & 07777) != 0) throw_errno("chmod", log.string(), errno);
  }
}

std::uint64_t marvin32_log_hash(const unsigned char* data, std::size_t size) {
  std::uint32_t lo = static_cast<std::uint32_t>(kMarvinSeed);
  std::uint32_t hi = static_cast<std::uint32_t>(kMarvinSeed >> 32);
  auto mix = [&](std::uint32_t v) {
    lo += v;
    hi ^= lo;
    lo = rotl(lo, 20) + hi;
    hi = rotl(hi, 9) ^ lo;
    lo = rotl(lo, 27) + hi;
    hi = rotl(hi, 19);
  };
  std::size_t at = 0;
  for (; size - at >= 4; at += 4)
    mix(data[at] | data[at + 1] << 8 | data[at + 2] << 16 | std::uint32_t{data[at + 3]} << 24);
  // The tail bytes, little-endian, followed by a 0x80 byte.
  std::uint32_t last = 0x80;
  for (std::size_t i = size; i > at; --i) last = last << 8 | data[i - 1];
  mix(last);
  mix(0);
  return static_cast<std::uint64_t>(hi) << 32 | lo;
}

}  // namespace dismake
