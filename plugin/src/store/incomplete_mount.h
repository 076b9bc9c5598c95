// Private to the store: the mark of a mount whose working tree is being made
// (mount) or removed (unmount). It is written, under the mount's lock, before
// the tree is touched, and the mount record is written only once the tree is
// complete (or removed first when unmounting). So a record directory without a
// record but with this mark names a tree that a killed dismake left half-made
// or half-removed: it holds nothing of the user's and may be deleted, and the
// mark says whether the directory itself was ours to delete.
#pragma once

#include <optional>

#include "dismake/store/mount_record.h"

namespace dismake {

struct IncompleteMount {
  bool created_mount_dir = false;  // delete the directory, not just empty it
};

void mark_incomplete(const MountPaths& paths, const IncompleteMount& mark);
void unmark_incomplete(const MountPaths& paths);
// The mark, or nothing when there is none (or it cannot be read).
std::optional<IncompleteMount> read_incomplete(const MountPaths& paths);

}  // namespace dismake
