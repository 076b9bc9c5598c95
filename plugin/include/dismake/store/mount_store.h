// MountStore: the DISM image verbs on Linux. A mount is a working tree (the
// mount directory, extracted from one image of a WIM) plus a record directory
// beside it, registered per user. Commit applies exactly what differs in the
// tree to a copy of the base image and renames it into place, so untouched
// files keep all their Windows metadata and an interrupted commit loses
// nothing. Every change to a mount happens under that mount's lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dismake/base/progress.h"
#include "dismake/store/mount_record.h"
#include "dismake/store/mount_registry.h"
#include "dismake/store/tree_changes.h"
#include "dismake/store/wim_output.h"
#include "dismake/wim/wim_types.h"

namespace dismake {

class ServicedMount;

// Throws Error naming the paths when the tree has changes no step made.
void require_clean(ServicedMount& mount);

struct MountOptions {
  fs::path wim;
  int index = 0;     // 1-based; used when no name is given
  std::string name;  // selects by name when not empty
  bool read_only = false;
  ProgressFn progress;
  // Extract nothing up front: steps extract only what they touch (DESIGN.md,
  // "Materialization").
  bool lazy = false;
  // A build's mount (MountRecord::build): exempt from, and not counted by,
  // the rule of one read-write mount per image.
  bool build = false;
  // Check the whole base before mounting (check_base's kFull), not only
  // what is read of it (base_verification.h).
  bool verify_full = false;
};

struct CommitOptions {
  std::optional<fs::path> output;          // none: commit into the source WIM, as DISM does
  std::optional<Compression> compression;  // none: keep the source's
  WriteOptions write;
  std::optional<int> boot_index;  // none: keep the source's
  bool compact = false;           // a fully compact output, for releases (wim_output.h)
  ProgressFn progress;
  // Commit this known state (a build's last step), restoring the tree to it
  // first; untracked changes are then refused. None: the tree as it is.
  std::optional<std::string> state;
};

struct CommitResult {
  TreeChanges changes;  // the untracked changes committed with the state
  size_t commands = 0;  // wimlib update commands applied to the base
  fs::path output;
  bool written = false;                                    // false when there was nothing to write
  WorkFileOrigin work_file = WorkFileOrigin::kBaseCopied;  // what the write appended to
  std::uint64_t reclaimable = 0;  // garbage bytes in the output (see --compact)
};

enum class MountStatus { kOk, kNeedsRemount, kInvalid };
// "Ok", "NeedsRemount", "Invalid": DISM's DismMountStatus names.
const char* mount_status_name(MountStatus status);

struct MountInfo {
  MountPaths paths;
  std::optional<MountRecord> record;  // absent when the state is gone or corrupt
  MountStatus status = MountStatus::kInvalid;
  std::string problem;  // why the status is not Ok
};

// One thing cleanup did, or left alone, and why.
struct CleanupAction {
  std::string action;  // "reaped", "kept", "closed-session", "removed-session-record"
  fs::path mount_dir;
  std::string detail;
  // "reaped /m: its source WIM is gone; deleted its directory"
  std::string line() const;
};

struct CleanupReport {
  std::vector<CleanupAction> actions;
};

class MountStore {
 public:
  // Called under the mount's lock before an unmount; throws to refuse it.
  // The store knows nothing of sessions (session/ sits beside store/), so
  // the rule comes in with the store: every front builds it with
  // mount_store_with_session_rule (ops/store_with_session_rule.h), which
  // installs OpenSessions::refuse_unmount(). Required: an empty guard
  // throws E_INVALIDARG (a test with no sessions gives one that allows).
  using UnmountGuard = std::function<void(const MountPaths&)>;
  MountStore(MountRegistry registry, UnmountGuard guard);

  // Where commits stage their temporary files (the NTFS volumes of changed
  // files): a private directory made under `root` for each commit and
  // removed after it. Empty (the default): the mount's record directory.
  // Set before the store is shared between threads.
  void set_scratch_root(std::filesystem::path root) { scratch_root_ = std::move(root); }

  // Extracts the image into `mount_dir` (created when missing; must be empty
  // when present) and registers the mount. On failure nothing is left behind.
  MountRecord mount(const fs::path& mount_dir, const MountOptions& options);

  // Applies the working tree's changes to the base image and writes the result.
  CommitResult commit(const fs::path& mount_dir, const CommitOptions& options);

  // Removes the mount after committing (`commit` given) or discarding.
  void unmount(const fs::path& mount_dir, const std::optional<CommitOptions>& commit);

  // Re-extracts a mount whose working tree vanished. Returns false when the
  // tree was there and nothing was done.
  bool remount(const fs::path& mount_dir, const ProgressFn& progress);

  // The mount's record and status; throws ERROR_NOT_FOUND for a path that is
  // not a mount.
  MountInfo info(const fs::path& mount_dir) const;
  std::vector<MountInfo> list() const;

  // Reaps mounts whose state is gone or corrupt. Their leftover mount
  // directories are deleted only with `force` (they may hold changes),
  // except the partial tree of a mount killed while being made or removed,
  // which holds nothing of the user's and is always deleted. A directory
  // left stays registered (listed as Invalid), so that a later cleanup with
  // `force` still finds and deletes it (`dismake cleanup`, then `cleanup
  // --force`); kForgotten unregisters it, as DismCleanupMountpoints does.
  enum class LeftTrees { kListed, kForgotten };
  CleanupReport cleanup(bool force, LeftTrees left = LeftTrees::kListed);

  // Removes what a mount killed while being made (or unmounted) left at
  // `mount_dir`: its state, its registration and its partial tree, so that
  // mounting there works again. Waits up to `wait` for the mount's lock
  // (DISMAPI_E_BUSY: it is still being made). Returns what it removed, or
  // nothing when `mount_dir` is a complete mount or no mount at all.
  std::optional<std::string> discard_incomplete(const fs::path& mount_dir,
                                                std::chrono::milliseconds wait);

  const MountRegistry& registry() const { return registry_; }

 private:
  MountInfo inspect(const MountPaths& paths) const;
  MountPaths existing_mount(const fs::path& mount_dir) const;
  void check_mount_target(const MountPaths& paths) const;
  // DISM mounts an image read-write in one place only (two read-write
  // mounts would each commit over the other's work): throws naming the
  // other mount when image `image` of the file `wim` (any path to it) is
  // already mounted read-write by hand.
  void check_single_read_write(const fs::path& wim, int image) const;
  CommitResult commit_locked(ServicedMount& mount, const CommitOptions& options);
  // Deletes the mount directory (`created`) or empties it.
  static void remove_tree(const MountPaths& paths, bool created);
  void reap_incomplete(const MountInfo& mount, CleanupReport& report);

  MountRegistry registry_;
  UnmountGuard unmount_guard_;
  std::filesystem::path scratch_root_;
};

}  // namespace dismake
