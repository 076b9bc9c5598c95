// Replay of a dirty registry hive's transaction logs, as Windows does when it
// loads the hive. Windows writes registry changes to <hive>.LOG1/.LOG2 (or
// <hive>.LOG) first and to the hive file later; a hive it did not flush has
// different primary and secondary sequence numbers in its header ("dirty"),
// and its newest data only in the logs. An offline edit must start from the
// hive with the logs applied, or it loses that data (or Windows replays the
// logs over the edit at the next boot).
//
// Follows Maxim Suhanov's "Windows registry file format specification":
// new-format logs ("HvLE" log entries with Marvin32 hashes, Windows 8.1 and
// later) and old-format logs (a "DIRT" dirty vector and 512-byte pages,
// Windows XP to 8). A damaged log entry after applied ones stops the replay
// there, as Windows does (silently); here with a warning. Cases it cannot
// replay as Windows would (a damaged hive header, no usable log or first
// entry, a hive bin left damaged by the replay) are refused with
// ERROR_REGISTRY_CORRUPT rather than edited stale. Every size a log gives is
// bounded by the files' real sizes before anything is allocated.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace dismake {

// The transaction log files of the hive file `hive_path` (an image path or a
// file name), in the order Windows tries them: "<hive>.LOG1", "<hive>.LOG2",
// "<hive>.LOG". Images may spell the suffix in any case.
std::vector<std::string> hive_log_file_names(const std::string& hive_path);

// True when the file starts with a hive header that needs recovery: its
// sequence numbers differ or its checksum is wrong. False for a clean hive,
// and for a file that is no hive at all (opening it reports that).
bool hive_needs_log_replay(const std::filesystem::path& hive);

// The existing transaction log files beside `hive` (matched in any case), in
// the order of hive_log_file_names().
std::vector<std::filesystem::path> existing_hive_logs(const std::filesystem::path& hive);

struct ReplayedHive {
  // The whole hive file with the logs applied: a clean header (both sequence
  // numbers equal to the last one applied, hive bins size and checksum
  // fixed) and hive bins as Windows would have them in memory.
  std::string bytes;
  // The sequence number the replayed hive carries.
  std::uint32_t sequence = 0;
  // The logs that were applied, in order (file names).
  std::vector<std::string> applied;
  // Why the replay stopped early: a damaged log entry after applied ones,
  // named by log, sequence number and offset, with how many later entries
  // were not applied. Empty when every entry in sequence was applied.
  std::vector<std::string> warnings;
};

// Replays the transaction logs beside the dirty hive file `hive`; reads
// files only. Throws Error(ERROR_REGISTRY_CORRUPT) naming the hive, each
// log and why it was unusable when it cannot replay faithfully.
ReplayedHive replay_hive_logs(const std::filesystem::path& hive);

// Empties the transaction log files (atomically, keeping their permissions),
// as Windows leaves them once the hive file holds all their data: a clean
// hive ignores its logs, and empty logs cannot replay anything over it.
void empty_hive_logs(const std::vector<std::filesystem::path>& logs);

// The 64-bit Marvin32 hash (seed 0x82EF4D887A4E55C5) that protects a
// new-format log entry; exposed for tests.
std::uint64_t marvin32_log_hash(const unsigned char* data, std::size_t size);

}  // namespace dismake
