// What a path is: absent, a file, a directory or a symlink. One kind for a
// state's delta (absent: the state deleted the path), the tree index (which
// records only what is there) and a path in a state of the image, with one
// name each in the mount's record files.
#pragma once

#include <optional>
#include <string_view>

namespace dismake {

enum class FileKind { kAbsent, kFile, kDirectory, kSymlink };

// "deleted" (kAbsent, as a delta records it), "file", "dir", "symlink".
const char* file_kind_name(FileKind kind);
// The kind named `name`; none for any other name.
std::optional<FileKind> file_kind_named(std::string_view name);

}  // namespace dismake
