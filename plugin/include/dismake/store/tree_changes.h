// TreeChanges: what differs between a mount's working tree and its index
// (git's stat-then-hash scan). A commit of a mount used by hand records them
// as a step; unchanged files are never re-captured, so they keep all their
// Windows metadata (DESIGN.md, "Commit").
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dismake/store/tree_index.h"

namespace dismake {

// How recent a file's ctime must be, relative to when its stat was recorded,
// for a matching stat to prove nothing (coarse filesystem clocks): such a
// file is hashed.
constexpr std::int64_t kRacyWindowNs = 2'000'000'000;

struct TreeChanges {
  // Relative '/'-separated paths, sorted. A new directory is listed once, as
  // itself, not with its contents; a deleted directory likewise.
  std::vector<std::string> added;     // not in the base
  std::vector<std::string> modified;  // in the base, with other content
  std::vector<std::string> deleted;   // in the base, gone from the tree
  std::vector<std::string> retyped;   // a file became a directory or the reverse

  // Added paths that are deleted ones moved (`mv` in the tree): the same
  // inode with the same modification time (and size, for a file), so they
  // keep their Windows metadata. (from, to); `from` is in `deleted`, `to`
  // in `added` or below a directory there or in `retyped` (moved into a
  // new directory).
  std::vector<std::pair<std::string, std::string>> moves;

  // Files whose stat was not conclusive and whose content was hashed and
  // found unchanged; the caller may mark them verified in the index.
  std::vector<std::string> verified;

  // Every changed path: added, then modified, deleted and retyped ones.
  std::vector<std::string> paths() const;

  bool empty() const {
    return added.empty() && modified.empty() && deleted.empty() && retyped.empty();
  }
  size_t count() const { return added.size() + modified.size() + deleted.size() + retyped.size(); }
};

// Compares the tree under `root` with `index` (stat first, SHA-1 only for
// same-size files whose stat changed or is racily recent).
TreeChanges find_changes(const fs::path& root, const TreeIndex& index);

}  // namespace dismake
