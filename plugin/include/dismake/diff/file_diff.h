// What differs between the file listings of two images (WimFile::
// for_each_entry): files and directories added, removed, with other content,
// turned from a file into a directory or the reverse, renamed (moved), and
// metadata changes:
// attributes, security descriptor, named streams, short name, reparse tag
// and hard links (which other names a file has). Paths compare
// case-insensitively, as Windows does. The file part of `dismake diff`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dismake/wim/wim_types.h"

namespace dismake {

struct MetadataChange {
  std::string field;   // "attributes", "security descriptor", "named streams",
                       // "short name", "reparse tag", "hard links"
  std::string before;  // "" for an added file: it had none
  std::string after;
};

// kRenamed: a removed path and an added one that are the same file moved,
// by the rule a commit takes a move for a rename (store/file_identity.h: the
// same creation time, last write time, kind and size).
enum class FileChangeKind { kAdded, kRemoved, kChanged, kRetyped, kMetadata, kRenamed };

// "added", "removed", "changed", "retyped", "metadata", "renamed".
const char* file_change_name(FileChangeKind kind);

struct FileChange {
  FileChangeKind kind = FileChangeKind::kAdded;
  std::string path;         // '/'-separated, as the newer side spells it
  std::string path_before;  // as the older side spells it (the same but for case or a rename)
  std::string type_before;  // "file", "directory", "reparse point"; "" when added
  std::string type_after;   // "" when removed
  std::uint64_t size_before = 0;
  std::uint64_t size_after = 0;
  bool content_changed = false;  // kRenamed: its content changed as well
  // Also for a kChanged file; for a kAdded one, what it came with (its
  // attributes and security descriptor, and any streams, short name,
  // reparse tag and other names), each with an empty `before`.
  std::vector<MetadataChange> metadata;
};

// Sorted by path (a rename at its new one), a directory right before its
// contents. A file or directory renamed with its renamed directory, and
// otherwise unchanged, is left out: the directory's rename says it.
std::vector<FileChange> diff_file_listings(const std::vector<WimEntry>& before,
                                           const std::vector<WimEntry>& after);

}  // namespace dismake
