// TreeIndex: what the working tree of a mount looked like when it last
// matched the base image, path by path: kind, the stat fields that change
// when a file is written, and the base stream's SHA-1. It is git's index for
// a mount: comparing the tree against it finds what a user or tool changed
// without reading the WIM, and without hashing any file whose stat is clean.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "dismake/store/base_listing.h"
#include "dismake/store/file_kind.h"

namespace dismake {

namespace fs = std::filesystem;

struct IndexEntry {
  FileKind kind = FileKind::kFile;  // never kAbsent: the index records what is there
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;
  std::string sha1;            // kFile: the base stream's SHA-1 ("" when empty)
  std::string symlink_target;  // kSymlink
  // When the stat was taken: a file changed in the same clock tick looks
  // clean by stat alone, so an entry whose ctime is this recent is hashed.
  std::int64_t recorded_ns = 0;
};

class TreeIndex {
 public:
  // Records the extracted tree under `root` for the image `listing`: each
  // path the image has and the extraction produced.
  static TreeIndex build(const fs::path& root, const CompactListing& listing);

  // Throws Error(ERROR_FILE_CORRUPT) naming the file when it is unreadable.
  static TreeIndex load(const fs::path& file);
  void save(const fs::path& file) const;
  std::string to_fields() const;  // what save writes: NUL-separated fields

  const std::map<std::string, IndexEntry>& entries() const { return entries_; }
  const IndexEntry* find(const std::string& path) const;

  // Records `path` as it is on disk now under `root`, expecting content
  // `sha1` for a file; a directory is recorded with everything below it,
  // using `sha1_of` for the files there. A path missing on disk is forgotten.
  void record(const fs::path& root, const std::string& path, const std::string& sha1);
  void record_tree(const fs::path& root, const std::string& path,
                   const std::function<std::string(const std::string&)>& sha1_of);
  // Drops `path` and everything below it.
  void forget(const std::string& path);
  // Notes that the entry's content was checked (hashed) at `now_ns` and
  // still matches: once its ctime is old enough, stat alone will do again.
  void mark_verified(const std::string& path, std::int64_t now_ns);

 private:
  std::map<std::string, IndexEntry> entries_;
};

}  // namespace dismake
