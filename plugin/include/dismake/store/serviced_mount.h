// ServicedMount: one mount opened for servicing, under its lock, with
// everything the state model needs (DESIGN.md, "The state model"): the base
// listing, the current state and its delta, the tree index, the blob store
// and the catalog of known states. Steps change the working tree through it;
// it records what they changed, moves the tree between known states touching
// only the paths that differ, and rolls back a step that was killed.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dismake/base/file_lock.h"
#include "dismake/base/progress.h"
#include "dismake/store/base_listing.h"
#include "dismake/store/blob_store.h"
#include "dismake/store/commit_plan.h"
#include "dismake/store/mount_record.h"
#include "dismake/store/state_catalog.h"
#include "dismake/store/tree_changes.h"
#include "dismake/store/tree_index.h"
#include "dismake/wim/wim_types.h"

namespace dismake {

// Windows metadata a step gives a file, which a Linux tree cannot hold
// (attributes, a security descriptor): a set-attributes or set-security step.
struct MetadataStep {
  std::uint32_t attributes_set = 0;    // attribute bits to set
  std::uint32_t attributes_clear = 0;  // and to clear
  std::string security_from;           // a base path whose security descriptor it gets
};

// What a step changed: the image paths it wrote, created or removed in the
// tree, the image properties it set, the paths it moved (from, to: the moved
// entries keep the Windows metadata of their origin) and the metadata it
// gave files (each such path is listed in `paths` too).
struct StepChanges {
  std::vector<std::string> paths;
  std::map<std::string, std::string> properties;
  std::vector<std::pair<std::string, std::string>> moves;
  std::map<std::string, MetadataStep> metadata;
};

class ServicedMount {
 public:
  // Opens the mount at `mount_dir` and takes its lock (waiting up to
  // DISMAKE_LOCK_TIMEOUT). Throws ERROR_NOT_FOUND when it is not a mount.
  static ServicedMount open(const fs::path& mount_dir);
  // Opens it to be read (`status`): like open, but a record directory that
  // cannot be written (read-only filesystem, no write permission) is read
  // as it is, under a shared lock, and nothing is written back to it.
  static ServicedMount open_for_reading(const fs::path& mount_dir);

  ServicedMount(ServicedMount&&) noexcept;
  ServicedMount& operator=(ServicedMount&&) noexcept;
  ~ServicedMount();

  const MountPaths& paths() const;
  const MountRecord& record() const;
  const MountHead& head() const;
  const StateDelta& delta() const;
  const BaseListing& base() const;
  const StateCatalog& catalog() const;
  fs::path disk_path(const std::string& image_path) const;

  // `user_path` made canonical, matched case-insensitively, component by
  // component, against what exists in the current state: `windows/x` is
  // `Windows/x` when the image has `Windows/`. Throws
  // ERROR_REPARSE_POINT_ENCOUNTERED, naming the link, when the path goes
  // through a symbolic link or junction (refuse_links).
  std::string resolve(const std::string& user_path) const;
  // Throws ERROR_REPARSE_POINT_ENCOUNTERED, naming the link and its target,
  // when a directory above `image_path` (or, with `including_self`, the path
  // itself) is a symbolic link or junction, in the current state or on
  // disk. A step never writes through a link: on disk it could point
  // anywhere on the host. Links themselves are kept as they are.
  void refuse_links(const std::string& image_path, bool including_self) const;
  FileKind kind_of(const std::string& image_path) const;
  // Every name of the file at `image_path` in the current state, itself
  // first: the base's hard links of it that are still one file with it (as
  // the commit writes them, commit_plan.h). Metadata set on one name is set
  // on the file, so on all of them, as on Windows.
  std::vector<std::string> names_of_file(const std::string& image_path) const;

  // Makes the current state's content of `image_path` (a file, or a
  // directory with everything below it; "" for the whole image) present in
  // the working tree. A no-op in a full mount.
  void materialize(const std::string& image_path);

  // Scans the working tree for changes that no step made. Like git's
  // refresh, it writes the index: files it had to hash and found unchanged
  // are marked verified, so later scans need not hash them again.
  TreeChanges scan_untracked_changes();
  // Puts every untracked change back as the current state has it, and rolls
  // back a step that was killed half-way. Returns the paths it touched.
  std::vector<std::string> restore_tracked();
  // True when a step was started and never finished.
  bool has_interrupted_step() const;
  // Rolls back a step that was started and never finished (restore_tracked),
  // logging it; does nothing when there is none.
  void roll_back_interrupted_step();

  // Moves the tree to the known state `key`, touching only the paths where
  // the current state and `key` differ. Unsynced (still atomic) when a step
  // follows at once: its finish_step syncs once for both.
  void restore_to(const std::string& key, bool synced = true);

  // Write-ahead for a step that will move the tree from `parent` to `key`.
  void begin_step(const std::string& key, const std::string& parent);
  // Records what the step changed as the state `key`, made from `parent`.
  void finish_step(const std::string& key, const std::string& parent, const nlohmann::json& spec,
                   const StepChanges& changes);

  // What a commit does to the base image to make it the current state
  // (untracked changes are not in it: record_untracked_changes first).
  CommitPlan commit_plan() const;
  // The plan of the current state with the untracked changes on top, as a
  // commit of this mount by hand would write it, without recording them:
  // the mount's state and tree stay as they are (`dismake diff`).
  CommitPlan commit_plan_with_untracked();
  // Frees the base listing (loaded again when next needed). A commit drops
  // it once its plan is made, before wimlib loads the image's metadata: a
  // large image's listing and metadata are then never in memory together.
  void release_base_listing();

  // Records the changes in the working tree that no step made as a step of
  // their own (op "edits by hand", its args the paths), as a commit or a
  // verb on a mount used by hand takes them. Nothing in the tree is touched
  // and nothing is rolled back: killed half-way, the edits are simply still
  // untracked. Returns the paths, none when there were no such changes.
  std::vector<std::string> record_untracked_changes();

  // After the current state was committed into the source WIM: the result is
  // the new base, and the current state becomes its base state.
  void rebase_on_committed();

  // Rebuilds a working tree that vanished: the base (extracted again unless
  // the mount is lazy), then the state it was in, from the blob store.
  void reset_tree(const ProgressFn& progress);

  // Remembers the recipe fingerprint of the build that ensured this mount.
  void set_recipe(const std::string& recipe);
  // Appends one JSON line to the mount's events.log.
  void log_event(const nlohmann::json& event) const;

 private:
  // `paths` (untracked changes), each unextracted directory of a lazy mount
  // followed by what was put in it by hand.
  std::vector<std::string> with_unextracted_contents(const std::vector<std::string>& paths) const;
  // The step that records `changes` (untracked, sorted paths `paths`) as
  // edits by hand: what record_untracked_changes records, and
  // commit_plan_with_untracked previews.
  StepChanges hand_edit_step(const TreeChanges& changes,
                             const std::vector<std::string>& paths) const;

  // Loads the mount's records under `lock`; `writable` false writes nothing.
  static ServicedMount open_locked(const MountPaths& paths, FileLock&& lock, bool writable);

  struct Impl;
  explicit ServicedMount(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes the record directory's files a freshly extracted (or lazy, empty)
// mount starts with: the base listing, the base state and its catalog entry,
// and the head pointing at it.
void initialize_mount_records(const MountPaths& paths, const CompactListing& listing,
                              const std::string& base_identity, bool lazy);

}  // namespace dismake
