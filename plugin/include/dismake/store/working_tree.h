// WorkingTree: a serviced mount's tree on disk, kept in step with its
// states (DESIGN.md, "The state model"). It finds what changed in the tree
// without a step, puts the tree back as a state has it, moves it between
// known states touching only the paths that differ, rolls back a step that
// was killed, and rebuilds it after a commit into the source or when it
// vanished.
#pragma once

#include <string>
#include <vector>

#include "dismake/base/progress.h"
#include "dismake/store/tree_changes.h"

namespace dismake {

struct ServicedMountImpl;

class WorkingTree {
 public:
  explicit WorkingTree(ServicedMountImpl& mount) : m_(&mount) {}

  // Makes the current state's content of `image_path` (a file, or a
  // directory with everything below it; "" for the whole image) present in
  // the working tree. A no-op in a full mount.
  void materialize(const std::string& image_path) const;

  // Scans the working tree for changes that no step made. Like git's
  // refresh, it writes the index: files it had to hash and found unchanged
  // are marked verified, so later scans need not hash them again.
  TreeChanges scan_untracked_changes() const;
  // Puts every untracked change back as the current state has it, and rolls
  // back a step that was killed half-way. Returns the paths it touched.
  std::vector<std::string> restore_tracked() const;
  // True when a step was started and never finished.
  bool has_interrupted_step() const;
  // Rolls back a step that was started and never finished (restore_tracked),
  // logging it; does nothing when there is none.
  void roll_back_interrupted_step() const;

  // Moves the tree to the known state `key`, touching only the paths where
  // the current state and `key` differ. Unsynced (still atomic) when a step
  // follows at once: its finish_step syncs once for both.
  void restore_to(const std::string& key, bool synced = true) const;

  // After the current state was committed into the source WIM: the result is
  // the new base, and the current state becomes its base state.
  void rebase_on_committed() const;

  // Rebuilds a working tree that vanished: the base (extracted again unless
  // the mount is lazy), then the state it was in, from the blob store.
  void reset_tree(const ProgressFn& progress) const;

 private:
  ServicedMountImpl* m_;
};

}  // namespace dismake
