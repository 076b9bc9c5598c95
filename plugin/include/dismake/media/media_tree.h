// The files of an installation media folder, as the media writers graft
// them: every regular file with its path relative to the folder, and the
// REPLACE mappings that put a built file (an install.wim the build made) at
// one of those paths instead. Nothing is copied: writers read each file
// from where it is.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dismake {

struct MediaFile {
  std::string path;              // '/'-separated, relative to the media folder
  std::filesystem::path source;  // the file that is written there
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool replaced = false;  // `source` is a REPLACE file, not the media's
};

struct MediaTree {
  std::filesystem::path root;
  std::vector<MediaFile> files;         // sorted by path
  std::vector<std::string> dirs;        // every folder below root, sorted
  std::int64_t newest_media_mtime = 0;  // seconds; the media's own files only

  // The file at `path` compared without case (as Windows and firmware see
  // the media), or nullptr.
  const MediaFile* find(const std::string& path) const;
};

// A REPLACE mapping: the media's `path` is written from `file`.
struct MediaReplacement {
  std::string path;
  std::filesystem::path file;
};

// Lists the folder `root` and applies `replacements`. Throws
// ERROR_PATH_NOT_FOUND when `root` is no folder or a replacement names a
// path the media lacks (it must replace, not add), ERROR_FILE_NOT_FOUND
// when a replacement's file is missing, ERROR_NOT_SUPPORTED for a FIFO,
// socket or device in the tree.
MediaTree list_media_tree(const std::filesystem::path& root,
                          const std::vector<MediaReplacement>& replacements);

// The part of list_media_tree's checks that needs no replacement file:
// throws ERROR_PATH_NOT_FOUND unless `tree` has each replacement's path.
// (A build checks this when CMake runs, before the files are built.)
void check_replacement_paths(const MediaTree& tree,
                             const std::vector<MediaReplacement>& replacements);

}  // namespace dismake
