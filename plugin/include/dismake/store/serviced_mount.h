// ServicedMount: one mount opened for servicing, under its lock, with
// everything the state model needs (DESIGN.md, "The state model"): the base
// listing, the current state and its delta, the tree index, the blob store
// and the catalog of known states. It owns them; each of its roles is a
// class of its own, reached by name:
//   state()   MountState    reads the current state (mount_state.h)
//   tree()    WorkingTree   keeps the tree on disk in step with the states
//                           (working_tree.h)
//   steps()   StepRecorder  records what steps change (step_recorder.h)
//   planner() CommitPlanner plans what a commit writes (commit_planner.h)
//   log()     MountLog      the mount's events.log (mount_log.h)
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
#include "dismake/store/commit_planner.h"
#include "dismake/store/mount_log.h"
#include "dismake/store/mount_record.h"
#include "dismake/store/mount_state.h"
#include "dismake/store/step_recorder.h"
#include "dismake/store/tree_index.h"
#include "dismake/store/working_tree.h"
#include "dismake/wim/wim_types.h"

namespace dismake {

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

  // The roles, each a view of this mount, valid while it lives.
  MountState state() const { return MountState(*impl_); }
  WorkingTree tree() const { return WorkingTree(*impl_); }
  StepRecorder steps() const { return StepRecorder(*impl_); }
  CommitPlanner planner() const { return CommitPlanner(*impl_); }
  MountLog log() const { return MountLog(*impl_); }

 private:
  // Loads the mount's records under `lock`; `writable` false writes nothing.
  static ServicedMount open_locked(const MountPaths& paths, FileLock&& lock, bool writable);

  explicit ServicedMount(std::unique_ptr<ServicedMountImpl> impl);
  std::unique_ptr<ServicedMountImpl> impl_;
};

// Writes the record directory's files a freshly extracted (or lazy, empty)
// mount starts with: the base listing, the base state and its catalog entry,
// and the head pointing at it.
void initialize_mount_records(const MountPaths& paths, const CompactListing& listing,
                              const std::string& base_identity, bool lazy);

}  // namespace dismake
