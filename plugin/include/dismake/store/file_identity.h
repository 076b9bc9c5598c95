// When a path that is gone and a path that is new are one file moved rather
// than a file deleted and another made. It is one rule for the two places
// that ask: a commit takes a move in a mount's working tree for a rename, so
// that the image keeps the file's Windows metadata (tree_changes.h), and
// `dismake diff` shows a rename between two images instead of a removal and
// an addition (file_diff.h).
//
// A rename keeps what makes the file itself, which a copy does not have:
// its inode on disk, its creation time in an image (a file the commit adds
// is created at the commit's time). It also keeps the file's last
// modification time, its kind and, for a file, its size. A new file that
// happened to reuse a deleted one's inode number would have to match all of
// those too. Where that identity can repeat (in an image built with a fixed
// SOURCE_DATE_EPOCH, every file a commit adds has the same times), what the
// file holds must match as well, when both sides know it.
#pragma once

#include <cstdint>
#include <string>

namespace dismake {

struct FileIdentity {
  enum class Kind { kFile, kDirectory, kLink };
  Kind kind = Kind::kFile;
  std::uint64_t identity = 0;  // the inode number, or the creation time in an image
  std::int64_t mtime_ns = 0;   // the last modification time
  std::uint64_t size = 0;      // of a file's data (ignored for the other kinds)
  // What it holds (a file's content hash, a directory's names), "" when
  // not known: then it is not compared.
  std::string content;
};

// Whether `added` is `gone` moved, by the rule above.
bool is_same_file_moved(const FileIdentity& gone, const FileIdentity& added);

}  // namespace dismake
