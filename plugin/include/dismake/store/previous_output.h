// The previous output of a commit, reused by the next one. A commit in
// append mode leaves the base's bytes untouched after its header (see
// wim/wim_header.h), so the next commit of the same image resets the file
// it wrote last time to the base, in place, instead of copying the base:
// the cost of a commit follows the change, not the image (DESIGN.md,
// "Commit"). Reuse is safe only for a file that is exactly what that commit
// wrote, so each commit keeps an OutputRecord of it (size, mtime, inode and
// a digest of its header and tail) in the mount's record directory, which
// lives as long as the base it refers to and never lands beside a release.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "dismake/store/commit_output.h"
#include "dismake/store/mount_record.h"

namespace dismake {

struct OutputRecord {
  fs::path output;
  FileFingerprint file;     // the output as the commit left it
  std::string ends_digest;  // SHA-256 of its header and its last 64 KiB
  FileFingerprint base;     // the base it was appended to

  // The record of `output`, just written by appending to a copy of `base`.
  static OutputRecord of(const fs::path& output, const fs::path& base);

  // The record in `file`; none when it is absent or unreadable (a record
  // only ever enables a shortcut, so a bad one just means a fresh copy).
  static std::optional<OutputRecord> load(const fs::path& file);
  void save(const fs::path& path) const;
};

// Where a mount keeps the record of its commits to `output`.
fs::path output_record_file(const MountPaths& paths, const fs::path& output);

// What a commit made of the previous output.
enum class PreviousOutputUse {
  kNone,         // none to reuse: the caller copies the source
  kReset,        // the same source: truncated back to it (the usual rebuild)
  kOverwritten,  // another source (a new base): the source copied over it
};

// Moves the previous `output` to `work` (a temporary name: from the rename
// on, nothing valid-looking is under the output's name) and makes it the
// source again. For the source it was appended to, it is truncated to the
// source's length, the source's header written back, and checked against
// the source's tables. For another source (the base changed since), the
// source is copied over it in the blocks it has: the same bytes as a new
// copy, without allocating one and freeing the old file. Returns kNone,
// with `work` absent and the record dropped, when the output keeps no
// record (the source itself, or a test's), is not what its record
// describes (or has a second name), or does not reset to the source; the
// caller then copies the source. Throws ERROR_DISK_FULL, naming the
// filesystem, with the output and its record left as they were, when the
// free space there is less than `new_content_bytes` (the size of the files
// the commit writes), what a larger source adds, and a megabyte for the
// tables: from the rename on, a failed or killed commit leaves no output
// (README, "When a commit fails").
PreviousOutputUse reuse_previous_output(const CommitOutput& output, const fs::path& work,
                                        std::uint64_t new_content_bytes);

}  // namespace dismake
