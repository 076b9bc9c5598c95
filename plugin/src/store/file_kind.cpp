#include "dismake/store/file_kind.h"

namespace dismake {

const char* file_kind_name(FileKind kind) {
  switch (kind) {
    case FileKind::kFile:
      return "file";
    case FileKind::kDirectory:
      return "dir";
    case FileKind::kSymlink:
      return "symlink";
    case FileKind::kAbsent:
      break;
  }
  return "deleted";
}

std::optional<FileKind> file_kind_named(std::string_view name) {
  for (FileKind kind :
       {FileKind::kAbsent, FileKind::kFile, FileKind::kDirectory, FileKind::kSymlink})
    if (name == file_kind_name(kind)) return kind;
  return std::nullopt;
}

}  // namespace dismake
