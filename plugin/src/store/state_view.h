// Private to the store: what a path is in some state of a mount (absent,
// the base's content, or a delta entry), and the small helpers the state
// model's files share.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dismake/store/base_listing.h"
#include "dismake/store/serviced_mount.h"
#include "dismake/store/state_delta.h"

namespace dismake {

// What a path should be in some state: absent, the base's content, or a
// delta entry.
struct PathInState {
  enum class Source { kAbsent, kBase, kDelta };
  Source source = Source::kAbsent;
  const BaseEntry* base = nullptr;
  const DeltaEntry* entry = nullptr;

  FileKind kind() const {
    if (source == Source::kBase)
      // A junction is a directory with a reparse point: on Linux it is a
      // symlink (wimlib extracts it as one), never a directory to write in.
      return base->is_reparse_point ? FileKind::kSymlink
             : base->is_directory   ? FileKind::kDirectory
                                    : FileKind::kFile;
    return source == Source::kDelta ? entry->kind : FileKind::kAbsent;
  }
};

// True when an ancestor's delta entry hides the base below it.
bool base_hidden_by_ancestor(const StateDelta& delta, const std::string& path);

// What `path` is in the state `delta` makes of `base`.
PathInState path_in_state(const StateDelta& delta, const BaseListing& base,
                          const std::string& path);

// "a/b/c" gives {"a", "a/b"}.
std::vector<std::string> ancestors_top_down(const std::string& path);

// rm -rf, throwing Error naming the path.
void remove_recursively(const std::filesystem::path& path);
// Empties a directory (kept itself), throwing Error naming what failed.
void remove_directory_contents(const std::filesystem::path& dir);

}  // namespace dismake
