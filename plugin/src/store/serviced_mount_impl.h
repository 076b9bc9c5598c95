// Private to the store: what a ServicedMount holds, shared by the classes
// of its roles (serviced_mount.h) and the files that implement them
// (serviced_mount.cpp, mount_state.cpp, working_tree.cpp, tree_restore.cpp,
// step_recorder.cpp, step_recording.cpp (through StepRecording),
// hand_made_links.cpp,
// commit_planner.cpp, mount_log.cpp).
#pragma once

#include <optional>
#include <set>
#include <string>

#include "dismake/base/error.h"
#include "dismake/base/file_lock.h"
#include "dismake/base/files.h"
#include "dismake/store/serviced_mount.h"
#include "dismake/wim/wim_file.h"
#include "state_view.h"

namespace dismake {

namespace fs = std::filesystem;

struct ServicedMountImpl {
  MountPaths paths;
  FileLock lock;
  MountRecord record;
  mutable std::optional<BaseListing> base_listing;  // loaded when first needed
  MountHead head;
  StateDelta delta;
  TreeIndex index;
  BlobStore blobs;
  StateCatalog catalog;
  bool writable = true;  // false when opened to read a read-only record directory

  ServicedMountImpl(const MountPaths& p, FileLock&& l)
      : paths(p), lock(std::move(l)), blobs(p.blobs_dir()), catalog(p.states_dir()) {}

  fs::path disk(const std::string& image_path) const { return paths.mount_dir / image_path; }

  // Many steps never look at the base (an up-to-date step, `ensure`), and
  // the listing of a large image is the biggest thing a step reads.
  const BaseListing& listing() const {
    if (!base_listing) base_listing = BaseListing::load(paths.base_file());
    return *base_listing;
  }

  // The index first when a step was written ahead (killed in between, the
  // step is rolled back); the head first otherwise (hand edits, which a
  // rollback would destroy: killed in between, they look untracked again).
  // Makes `record` the mount's current state at the cost of one sync: the
  // record, index and head are written to temporary files, one syncfs makes
  // them (and the step's blobs and tree files) durable, then renames in the
  // order save() uses make them current. Killed anywhere, the old files are
  // still whole: the step's pending key (or the old head) rolls it back.
  void publish_step(const StateRecord& record, const MountHead& finished, bool head_first) {
    std::vector<std::pair<fs::path, fs::path>> staged;
    try {
      staged.push_back(catalog.stage(record));
      fs::path head_file = paths.head_file();
      if (head_first)
        staged.emplace_back(write_temporary_sibling(head_file, finished.to_text(), 0600),
                            head_file);
      fs::path index_file = paths.index_file();
      staged.emplace_back(write_temporary_sibling(index_file, index.to_fields(), 0600), index_file);
      staged.emplace_back(write_temporary_sibling(head_file, finished.to_text(), 0600), head_file);
      sync_filesystem(paths.record_dir);
      if (!same_filesystem(paths.mount_dir, paths.record_dir)) sync_filesystem(paths.mount_dir);
      while (!staged.empty()) {
        fs::rename(staged.front().first, staged.front().second);
        staged.erase(staged.begin());
      }
    } catch (...) {
      std::error_code ec;
      for (const auto& [tmp, target] : staged) fs::remove(tmp, ec);
      throw;
    }
  }

  // Unsynced saves are still atomic (a kill leaves the old or new file
  // whole); they are for writes a later sync covers (finish_step's) or
  // whose loss only costs work (the index's refresh).
  void save(bool head_first = false, bool synced = true) {
    if (head_first) write_record_file(paths.head_file(), head.to_text(), synced);
    write_record_file(paths.index_file(), index.to_fields(), synced);
    write_record_file(paths.head_file(), head.to_text(), synced);
  }

  static void write_record_file(const fs::path& file, const std::string& text, bool synced) {
    if (synced) return write_file_atomic(file, text, 0600);
    fs::path tmp = write_temporary_sibling(file, text, 0600);
    std::error_code ec;
    fs::rename(tmp, file, ec);
    if (!ec) return;
    int err = ec.value();
    fs::remove(tmp, ec);
    throw_errno("rename into", file.string(), err);
  }

  StateDelta delta_of(const std::string& key) const {
    std::optional<StateRecord> record = catalog.load(key);
    if (!record)
      throw Error(hr::kNotFound, "the mount has no record of state " + key.substr(0, 12),
                  "re-run the earlier steps (a clean build does), or unmount with --discard");
    return record->delta;
  }

  WimFile open_base() const { return WimFile::open(record.wim_path); }

  // Records the directories above `path` in the index (they exist on disk).
  void record_parents(const std::string& path) {
    for (const std::string& a : ancestors_top_down(path))
      if (index.find(a) == nullptr) index.record(paths.mount_dir, a, "");
  }

  void make_parents(const std::string& path) {
    fs::create_directories(disk(path).parent_path());
    record_parents(path);
  }

  std::string base_sha1(const std::string& path) const {
    const BaseEntry* b = listing().find(path);
    return b != nullptr ? b->sha1 : "";
  }

  static void add_keys(std::set<std::string>& out, const StateDelta& delta) {
    for (const auto& [path, entry] : delta.entries()) out.insert(path);
  }

  // Edits by hand (step_recorder.cpp).
  // `paths` (untracked changes), each unextracted directory of a lazy mount
  // followed by what was put in it by hand.
  std::vector<std::string> with_unextracted_contents(const std::vector<std::string>& paths);
  // The step that records `changes` (untracked, sorted paths `paths`) as
  // edits by hand: what record_untracked_changes records, and
  // commit_plan_with_untracked previews.
  StepChanges hand_edit_step(const TreeChanges& changes, const std::vector<std::string>& paths);

  // Writing the tree to a state (tree_restore.cpp).
  // Makes `path` on disk what `want` says, keeping the index in step.
  void put(const std::string& path, const PathInState& want, const StateDelta& target);
  void put_delta(const std::string& path, const DeltaEntry& entry, const StateDelta& target);
  void remove_unwanted_below(const std::string& dir, const StateDelta& target);
  // Makes every path in `touched` what `target` says (parents first).
  void restore_paths(const StateDelta& target, const std::set<std::string>& touched);
};

}  // namespace dismake
