// Replay of dirty hives' transaction logs, on a real dirty NTUSER.DAT with its
// .LOG1/.LOG2 from a Windows 10 machine (tests/fixtures/data/dirty-hive), read
// back with reglookup and hivex as independent readers; and on an old-format
// (DIRT) log made here from two states of a real hive.
#include "dismake/registry/hive_log_replay.h"

#include <gtest/gtest.h>
#include <hivex.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "dismake/base/error.h"
#include "dismake/registry/hive.h"
#include "support/registry_test_support.h"
#include "support/scratch_dir.h"
#include "support/thrown_error.h"

namespace dismake {
namespace {

namespace fs = std::filesystem;
using namespace test;

std::uint32_t get32(const std::string& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(b[at + i]);
  return v;
}

void put32(std::string& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>(v >> (8 * i));
}

std::uint32_t checksum(const std::string& b) {
  std::uint32_t sum = 0;
  for (std::size_t at = 0; at < 508; at += 4) sum ^= get32(b, at);
  return sum == 0 ? 1 : sum == 0xffffffffu ? 0xfffffffeu : sum;
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
}

// Keys and values as reglookup lists them ("/path,TYPE"); fails the test on
// any reglookup error.
std::set<std::string> reglookup_entries(const fs::path& hive) {
  std::string out =
      run_output("reglookup -H " + quote(hive.string()) + " 2>" + quote(hive.string() + ".err"));
  std::string errors = read_text(hive.string() + ".err");
  EXPECT_EQ(errors.find("ERROR"), std::string::npos) << "reglookup on " << hive << ":\n" << errors;
  std::set<std::string> entries;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::size_t first = line.find(',');
    std::size_t second = line.find(',', first + 1);
    if (first != std::string::npos && second != std::string::npos)
      entries.insert(line.substr(0, second));
  }
  return entries;
}

std::set<std::string> minus(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> result;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(result, result.end()));
  return result;
}

class HiveLogReplayTest : public ::testing::Test {
 protected:
  // The dirty NTUSER.DAT with its logs, unpacked into `dir` (as `name`).
  fs::path unpack_dirty_hive(const fs::path& dir, const std::string& name = "NTUSER.DAT") {
    fs::create_directories(dir);
    for (const char* suffix : {"", ".LOG1", ".LOG2"}) {
      run_output("xz -dc " +
                 quote(testdata(std::string("dirty-hive/NTUSER.DAT") + suffix + ".xz")) + " > " +
                 quote((dir / (name + suffix)).string()));
    }
    return dir / name;
  }

  ScratchDir dir_;
};

TEST_F(HiveLogReplayTest, DetectsTheDirtyHiveAndNotACleanOne) {
  fs::path dirty = unpack_dirty_hive(dir_.path());
  EXPECT_TRUE(hive_needs_log_replay(dirty));
  EXPECT_FALSE(hive_needs_log_replay(copy_hive("minimal.hive", dir_.path() / "clean")));
  write_bytes(dir_.path() / "text", "not a hive");
  EXPECT_FALSE(hive_needs_log_replay(dir_.path() / "text"));
  std::vector<fs::path> logs = existing_hive_logs(dirty);
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].filename(), "NTUSER.DAT.LOG1");
  EXPECT_EQ(logs[1].filename(), "NTUSER.DAT.LOG2");
}

// The header says 567/566; LOG2 starts at 562 (older than the hive) and
// LOG1 at 566, with entries 566..588. Windows applies LOG1's.
TEST_F(HiveLogReplayTest, ReplaysTheRealLogsAsWindowsLoadsTheHive) {
  fs::path dirty = unpack_dirty_hive(dir_.path());
  std::string before = read_text(dirty);
  ReplayedHive replayed = replay_hive_logs(dirty);
  EXPECT_EQ(read_text(dirty), before) << "replay must only read the files";
  EXPECT_EQ(replayed.applied, std::vector<std::string>{"NTUSER.DAT.LOG1"});
  EXPECT_EQ(replayed.sequence, 588u);
  EXPECT_TRUE(replayed.warnings.empty()) << replayed.warnings.front();

  const std::string& hive = replayed.bytes;
  EXPECT_EQ(get32(hive, 4), 588u);
  EXPECT_EQ(get32(hive, 8), 588u);
  EXPECT_EQ(get32(hive, 508), checksum(hive));
  EXPECT_EQ(hive.size(), 4096 + get32(hive, 40)) << "hive bins size matches the file";

  // yarp (by the format specification's author) recovers these files to a
  // hive with this SHA-256; it keeps the primary file's bytes past the hive
  // bins, which the replay drops.
  fs::path compared = dir_.path() / "as-yarp";
  write_bytes(compared, hive + before.substr(std::min(before.size(), hive.size())));
  EXPECT_EQ(run_output("sha256sum " + quote(compared.string()) + " | cut -c1-64"),
            "0a7a7b2d1eb24ab63455f5a83e554601d88fe558d0ba1c1068a7e1102c79a092\n");

  fs::path after = dir_.path() / "replayed";
  write_bytes(after, hive);
  std::set<std::string> old_entries = reglookup_entries(dirty);
  std::set<std::string> new_entries = reglookup_entries(after);
  std::set<std::string> only_in_logs = minus(new_entries, old_entries);
  EXPECT_GT(only_in_logs.size(), 500u) << "the logs hold hundreds of keys and values";
  for (const char* entry :
       {"/Software/Microsoft/Payment,KEY",
        "/Software/Microsoft/OneDrive/StandaloneUpdaterSafeMode,DWORD",
        "/Software/RegisteredApplications/AppX05076q2wsdkb4dq1mddrfbgcybpvpjx0,SZ"}) {
    EXPECT_EQ(old_entries.count(entry), 0u) << entry;
    EXPECT_EQ(only_in_logs.count(entry), 1u) << entry;
  }
  // Deleted by Windows after the hive file was last written.
  EXPECT_EQ(
      new_entries.count("/Software/Microsoft/Windows/CurrentVersion/Explorer/CD Burning/"
                        "Drives/Volume{2b8dca72-672e-11e7-bce1-806e6f6e6963}/Current Media,KEY"),
      0u);
  hive_h* h = hivex_open(after.c_str(), 0);
  ASSERT_NE(h, nullptr) << "hivex cannot open the replayed hive";
  hivex_close(h);
}

TEST_F(HiveLogReplayTest, AnEditKeepsTheLogsDataAndEmptiesTheLogs) {
  fs::path dirty = unpack_dirty_hive(dir_.path());
  ::chmod(dirty.c_str(), 0600);
  ::chmod((dirty.string() + ".LOG1").c_str(), 0640);
  {
    Hive hive(dirty);
    EXPECT_EQ(hive.replayed_logs().size(), 2u);
    EXPECT_TRUE(hive.has_key("Software\\Microsoft\\Payment")) << "the logs' key, before saving";
    hive.set_value("Software\\Contoso", "Edited", RegistryValue::parse("REG_SZ", "yes"));
    EXPECT_TRUE(hive.save());
  }
  std::string saved = read_text(dirty);
  EXPECT_EQ(get32(saved, 4), get32(saved, 8)) << "the saved hive is clean";
  EXPECT_GT(get32(saved, 4), 588u) << "and newer than every log entry";
  EXPECT_EQ(fs::file_size(dirty.string() + ".LOG1"), 0u);
  EXPECT_EQ(fs::file_size(dirty.string() + ".LOG2"), 0u);
  EXPECT_EQ(fs::status(dirty.string() + ".LOG1").permissions() & fs::perms::all, fs::perms(0640));
  EXPECT_FALSE(hive_needs_log_replay(dirty));

  auto edited = read_raw_value(dirty, "Software\\Contoso", "Edited");
  ASSERT_TRUE(edited);
  std::set<std::string> entries = reglookup_entries(dirty);
  EXPECT_EQ(entries.count("/Software/Microsoft/Payment,KEY"), 1u);
  EXPECT_EQ(entries.count("/Software/Microsoft/OneDrive/StandaloneUpdaterSafeMode,DWORD"), 1u);
  EXPECT_EQ(entries.count("/Software/Contoso/Edited,SZ"), 1u);
}

TEST_F(HiveLogReplayTest, OpeningWithoutAnEditChangesNothing) {
  fs::path dirty = unpack_dirty_hive(dir_.path());
  std::string hive_before = read_text(dirty);
  std::string log_before = read_text(dirty.string() + ".LOG1");
  {
    Hive hive(dirty);
    hive.set_value(
        "Software\\Microsoft\\OneDrive", "StandaloneUpdaterSafeMode",
        *Hive(dirty).get_value("Software\\Microsoft\\OneDrive", "StandaloneUpdaterSafeMode"));
    EXPECT_FALSE(hive.save()) << "setting a value to what it is writes nothing";
  }
  EXPECT_EQ(read_text(dirty), hive_before);
  EXPECT_EQ(read_text(dirty.string() + ".LOG1"), log_before);
}

TEST_F(HiveLogReplayTest, LogNamesMatchInAnyCase) {
  fs::path dirty = unpack_dirty_hive(dir_.path());
  fs::rename(dirty.string() + ".LOG1", dir_.path() / "ntuser.dat.log1");
  std::vector<fs::path> logs = existing_hive_logs(dirty);
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].filename(), "ntuser.dat.log1");
  EXPECT_EQ(replay_hive_logs(dirty).sequence, 588u);
}

// Windows 8.1 and later alternate between the two logs. Split the real
// LOG1's entries 566..588 over LOG2 (566..575, the earlier ones) and LOG1
// (576..588): the replay takes LOG2, then LOG1, and gives the same hive. With
// entry 576 missing, it stops after LOG2.
TEST_F(HiveLogReplayTest, ContinuesFromOneLogIntoTheOther) {
  fs::path dirty = unpack_dirty_hive(dir_.path());
  std::string whole = replay_hive_logs(dirty).bytes;
  std::string log = read_text(dirty.string() + ".LOG1");
  std::vector<std::size_t> entries;
  for (std::size_t at = 512; at < log.size() && log.compare(at, 4, "HvLE") == 0;
       at += get32(log, at + 4))
    entries.push_back(at);
  ASSERT_GE(entries.size(), 23u);
  auto log_from = [&](std::size_t first, std::size_t end) {
    std::string header = log.substr(0, 512);
    put32(header, 4, 566 + static_cast<std::uint32_t>(first));
    put32(header, 8, 566 + static_cast<std::uint32_t>(first));
    put32(header, 508, checksum(header));
    return header + log.substr(entries[first], entries[end] - entries[first]);
  };
  entries.push_back(entries[22] + get32(log, entries[22] + 4));  // end of entry 588
  write_bytes(dirty.string() + ".LOG2", log_from(0, 10));
  write_bytes(dirty.string() + ".LOG1", log_from(10, 23));
  ReplayedHive split = replay_hive_logs(dirty);
  EXPECT_EQ(split.applied, (std::vector<std::string>{"NTUSER.DAT.LOG2", "NTUSER.DAT.LOG1"}));
  EXPECT_EQ(split.sequence, 588u);
  EXPECT_TRUE(split.bytes == whole) << "the split logs give another hive";

  write_bytes(dirty.string() + ".LOG1", log_from(11, 23));
  ReplayedHive gap = replay_hive_logs(dirty);
  EXPECT_EQ(gap.applied, std::vector<std::string>{"NTUSER.DAT.LOG2"});
  EXPECT_EQ(gap.sequence, 575u);
}

// The offset of the `index`th log entry (from 0) of a new-format log.
std::size_t entry_offset(const std::string& log, int index) {
  std::size_t at = 512;
  for (int i = 0; i < index; ++i) at += get32(log, at + 4);
  EXPECT_EQ(log.compare(at, 4, "HvLE"), 0) << "no log entry " << index;
  return at;
}

// Recomputes both Marvin32 hashes of the log entry at `at`, as a crafted log
// would carry them: the entry then passes every hash check.
void rehash_entry(std::string& log, std::size_t at) {
  auto put64 = [&](std::size_t where, std::uint64_t v) {
    put32(log, where, static_cast<std::uint32_t>(v));
    put32(log, where + 4, static_cast<std::uint32_t>(v >> 32));
  };
  const auto* data = reinterpret_cast<const unsigned char*>(log.data()) + at;
  put64(at + 24, marvin32_log_hash(data + 40, get32(log, at + 4) - 40));
  put64(at + 32, marvin32_log_hash(data, 32));
}

// A damaged entry stops the replay there, as in Windows: entries 566..569
// are applied, the hive carries sequence number 569. Windows says nothing;
// dismake warns, naming the entry, its offset and what was not applied
// (571..588: 18 entries).
TEST_F(HiveLogReplayTest, ADamagedLaterEntryStopsTheReplayThereWithAWarning) {
  fs::path dirty = unpack_dirty_hive(dir_.path());
  std::string log = read_text(dirty.string() + ".LOG1");
  std::size_t at = entry_offset(log, 4);
  log[at + get32(log, at + 4) - 1] ^= 0x5a;  // the fifth entry's last page byte
  write_bytes(dirty.string() + ".LOG1", log);
  ReplayedHive replayed = replay_hive_logs(dirty);
  EXPECT_EQ(replayed.sequence, 569u);
  ASSERT_EQ(replayed.warnings.size(), 1u);
  const std::string& warning = replayed.warnings[0];
  EXPECT_NE(warning.find("NTUSER.DAT.LOG1 has a damaged log entry"), std::string::npos) << warning;
  EXPECT_NE(warning.find("log entry 570 at offset " + std::to_string(at)), std::string::npos)
      << warning;
  EXPECT_NE(warning.find("entries 566 to 569 applied, 18 later entries not applied"),
            std::string::npos)
      << warning;
}

// A crafted entry with correct hashes whose hive bins size is 0xFFFFF000
// made the replay allocate 4 GiB (14 s). Sizes are bounded by what the hive
// and its logs hold: as a later entry it stops the replay with a warning,
// as the first one the hive is refused, and nothing large is allocated.
TEST_F(HiveLogReplayTest, AHugeHiveSizeInALogEntryIsBoundedByTheFiles) {
  fs::path dirty = unpack_dirty_hive(dir_.path());
  const std::string original = read_text(dirty.string() + ".LOG1");

  std::string log = original;
  std::size_t at = entry_offset(log, 4);
  put32(log, at + 16, 0xFFFFF000u);
  rehash_entry(log, at);
  write_bytes(dirty.string() + ".LOG1", log);
  ReplayedHive replayed = replay_hive_logs(dirty);
  EXPECT_EQ(replayed.sequence, 569u);
  EXPECT_LT(replayed.bytes.size(), 16u << 20);
  ASSERT_EQ(replayed.warnings.size(), 1u);
  EXPECT_NE(replayed.warnings[0].find("hive size of 4294963200 bytes, more than the hive and its "
                                      "logs hold: log entry 570 at offset " +
                                      std::to_string(at)),
            std::string::npos)
      << replayed.warnings[0];

  log = original;
  put32(log, 512 + 16, 0xFFFFF000u);
  rehash_entry(log, 512);
  write_bytes(dirty.string() + ".LOG1", log);
  Error error = error_of([&] { replay_hive_logs(dirty); });
  EXPECT_EQ(error.code(), hr::kRegistryCorrupt);
  EXPECT_NE(error.problem().find("NTUSER.DAT.LOG1 has a log entry with a hive size of 4294963200"),
            std::string::npos)
      << error.problem();
}

// An entry that claims more bytes than its log has is damaged, not read
// past the end of the file.
TEST_F(HiveLogReplayTest, AnEntryLongerThanItsLogStopsTheReplay) {
  fs::path dirty = unpack_dirty_hive(dir_.path());
  std::string log = read_text(dirty.string() + ".LOG1");
  std::size_t at = entry_offset(log, 2);
  put32(log, at + 4, 0xFFFFFE00u);
  write_bytes(dirty.string() + ".LOG1", log.substr(0, at + 4096));
  ReplayedHive replayed = replay_hive_logs(dirty);
  EXPECT_EQ(replayed.sequence, 567u);
  ASSERT_EQ(replayed.warnings.size(), 1u);
  EXPECT_NE(replayed.warnings[0].find("has a truncated log entry: log entry 568"),
            std::string::npos)
      << replayed.warnings[0];
}

TEST_F(HiveLogReplayTest, DamagedLogsAreRefusedAndNothingIsWritten) {
  fs::path dirty = unpack_dirty_hive(dir_.path());
  std::string log = read_text(dirty.string() + ".LOG1");
  log[512 + 600] ^= 0x5a;  // inside the first entry's pages
  write_bytes(dirty.string() + ".LOG1", log);
  std::string hive_before = read_text(dirty);

  Error error = error_of([&] { Hive hive(dirty); });
  EXPECT_EQ(error.code(), hr::kRegistryCorrupt);
  std::string what = error.problem();
  EXPECT_NE(what.find("'" + dirty.string() + "' is dirty"), std::string::npos) << what;
  EXPECT_NE(what.find("567 and 566"), std::string::npos) << what;
  EXPECT_NE(what.find("NTUSER.DAT.LOG1 has a damaged log entry"), std::string::npos) << what;
  EXPECT_NE(what.find("NTUSER.DAT.LOG2 holds only older log entries"), std::string::npos) << what;
  EXPECT_NE(error.hint().find("reg load"), std::string::npos) << error.hint();
  EXPECT_EQ(read_text(dirty), hive_before);
  EXPECT_EQ(read_text(dirty.string() + ".LOG1"), log);
}

TEST_F(HiveLogReplayTest, ADirtyHiveWithoutLogsIsRefused) {
  fs::path dirty = unpack_dirty_hive(dir_.path());
  fs::remove(dirty.string() + ".LOG1");
  write_bytes(dirty.string() + ".LOG2", "");
  Error error = error_of([&] { replay_hive_logs(dirty); });
  EXPECT_EQ(error.code(), hr::kRegistryCorrupt);
  EXPECT_NE(error.problem().find("NTUSER.DAT.LOG1 is missing"), std::string::npos)
      << error.problem();
  EXPECT_NE(error.problem().find("NTUSER.DAT.LOG2 is empty"), std::string::npos) << error.problem();
  EXPECT_EQ(error.problem().find("NTUSER.DAT.LOG "), std::string::npos)
      << "a missing .LOG beside .LOG1/.LOG2 is normal: " << error.problem();

  fs::remove(dirty.string() + ".LOG2");
  error = error_of([&] { Hive hive(dirty); });
  EXPECT_EQ(error.code(), hr::kRegistryCorrupt);
  EXPECT_NE(error.problem().find("there are no transaction logs beside it"), std::string::npos)
      << error.problem();
}

TEST_F(HiveLogReplayTest, ADamagedHiveHeaderIsRefused) {
  fs::path dirty = unpack_dirty_hive(dir_.path());
  std::string hive = read_text(dirty);
  hive[48] ^= 1;  // the file name field: only the checksum notices
  write_bytes(dirty, hive);
  EXPECT_TRUE(hive_needs_log_replay(dirty));
  Error error = error_of([&] { replay_hive_logs(dirty); });
  EXPECT_EQ(error.code(), hr::kRegistryCorrupt);
  EXPECT_NE(error.problem().find("wrong checksum"), std::string::npos) << error.problem();
}

// Old format (Windows Vista to 8): the log holds the header as it is about
// to be written, a "DIRT" bitmap of the dirty 512-byte pages and the pages.
// Made here from a real hive before and after an edit, as Windows would
// leave them when it stopped after updating the header and before writing
// the pages.
TEST_F(HiveLogReplayTest, ReplaysAnOldFormatLog) {
  fs::path path = copy_hive("minimal.hive", dir_.path() / "SOFTWARE");
  std::string old_hive = read_text(path);
  {
    Hive hive(path);
    for (int i = 0; i < 60; ++i)  // enough to add a hive bin
      hive.set_value("Contoso\\Key" + std::to_string(i), "Value",
                     RegistryValue::parse("REG_SZ", std::string(100, 'x')));
    ASSERT_TRUE(hive.save());
  }
  std::string new_hive = read_text(path);
  std::uint32_t new_bins = get32(new_hive, 40);
  ASSERT_GT(new_bins, get32(old_hive, 40)) << "the edit should grow the hive";
  std::uint32_t sequence = get32(new_hive, 4);

  std::string log = new_hive.substr(0, 512);
  put32(log, 28, 1);  // file type: old-format log
  put32(log, 508, checksum(log));
  std::string bitmap(new_bins / 4096, '\0');
  std::string pages;
  for (std::size_t page = 0; page < new_bins / 512; ++page) {
    std::size_t at = 4096 + page * 512;
    if (at + 512 <= old_hive.size() && old_hive.compare(at, 512, new_hive, at, 512) == 0) continue;
    bitmap[page / 8] = static_cast<char>(bitmap[page / 8] | 1 << (page % 8));
    pages += new_hive.substr(at, 512);
  }
  log += "DIRT" + bitmap;
  log.resize((log.size() + 511) / 512 * 512, '\0');
  log += pages;
  write_bytes(path.string() + ".LOG1", log);
  write_bytes(path.string() + ".LOG2", "");

  std::string primary = new_hive.substr(0, 4096) + old_hive.substr(4096);
  put32(primary, 8, sequence - 1);
  put32(primary, 40, get32(old_hive, 40));
  put32(primary, 508, checksum(primary));
  write_bytes(path, primary);

  ASSERT_TRUE(hive_needs_log_replay(path));
  ReplayedHive replayed = replay_hive_logs(path);
  EXPECT_EQ(replayed.applied, std::vector<std::string>{"SOFTWARE.LOG1"});
  EXPECT_EQ(replayed.sequence, sequence);
  EXPECT_EQ(replayed.bytes.substr(4096), new_hive.substr(4096, new_bins));
  EXPECT_EQ(get32(replayed.bytes, 40), new_bins);
  EXPECT_EQ(get32(replayed.bytes, 508), checksum(replayed.bytes));

  fs::path after = dir_.path() / "replayed";
  write_bytes(after, replayed.bytes);
  EXPECT_TRUE(read_raw_value(after, "Contoso\\Key59", "Value"));
  EXPECT_EQ(reglookup_entries(after).count("/Contoso/Key59/Value,SZ"), 1u);
}

// An old-format log written before the hive's last write (an older
// timestamp) does not apply.
TEST_F(HiveLogReplayTest, AnOldFormatLogOlderThanTheHiveIsRefused) {
  fs::path path = copy_hive("minimal.hive", dir_.path() / "SYSTEM");
  std::string hive = read_text(path);
  std::string log = hive.substr(0, 512);
  put32(log, 28, 1);
  put32(log, 508, checksum(log));
  log += "DIRT\x01";
  log.resize(1024, '\0');
  log += hive.substr(4096, 512);
  write_bytes(path.string() + ".LOG", log);
  put32(hive, 4, get32(hive, 4) + 1);
  put32(hive, 12, get32(hive, 12) + 1);  // written after the log
  put32(hive, 508, checksum(hive));
  write_bytes(path, hive);
  Error error = error_of([&] { replay_hive_logs(path); });
  EXPECT_EQ(error.code(), hr::kRegistryCorrupt);
  EXPECT_NE(error.problem().find("SYSTEM.LOG is older than the hive"), std::string::npos)
      << error.problem();
}

// The real log's 23 entries check against it (the replay above); here: a
// flipped bit and the tail bytes change the hash.
TEST(Marvin32, EveryByteCounts) {
  std::string data = "0123456789abcdef0123456789abcdef";
  auto bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::uint64_t hash = marvin32_log_hash(bytes, data.size());
  data[7] ^= 1;
  EXPECT_NE(hash, marvin32_log_hash(bytes, data.size()));
  // Tail bytes (not a multiple of 4) count.
  EXPECT_NE(marvin32_log_hash(bytes, 5), marvin32_log_hash(bytes, 4));
  EXPECT_NE(marvin32_log_hash(bytes, 6), marvin32_log_hash(bytes, 5));
}

}  // namespace
}  // namespace dismake
