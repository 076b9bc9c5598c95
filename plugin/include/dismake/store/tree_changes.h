// TreeChanges: what differs between a mount's working tree and its index, and
// the wimlib update commands that apply exactly that difference to the base
// image (DESIGN.md, "Commit"). Unchanged files are never re-captured, so they
// keep all their Windows metadata.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dismake/store/tree_index.h"
#include "dismake/wim/wim_types.h"

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

  // Files whose stat was not conclusive and whose content was hashed and
  // found unchanged; the caller may mark them verified in the index.
  std::vector<std::string> verified;

  bool empty() const {
    return added.empty() && modified.empty() && deleted.empty() && retyped.empty();
  }
  size_t count() const { return added.size() + modified.size() + deleted.size() + retyped.size(); }
};

// Compares the tree under `root` with `index` (stat first, SHA-1 only for
// same-size files whose stat changed or is racily recent).
TreeChanges find_changes(const fs::path& root, const TreeIndex& index);

// The update commands for `changes`, in one canonical order: deletions
// (including the old side of a retyped path) sorted, then additions sorted.
std::vector<UpdateCommand> update_commands(const fs::path& root, const TreeChanges& changes);

}  // namespace dismake
