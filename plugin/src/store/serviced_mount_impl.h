// Private to the store: the state a ServicedMount holds, shared by the files
// that implement it (serviced_mount.cpp, tree_restore.cpp,
// step_recording.cpp, mount_commit_plan.cpp).
#pragma once

#include <optional>
#include <set>
#include <string>

#include "dismake/base/error.h"
#include "dismake/base/file_lock.h"
#include "dismake/base/files.h"
#include "dismake/store/serviced_mount.h"
#include "dismake/store/wim_output.h"
#include "dismake/wim/wim_file.h"
#include "state_view.h"

namespace dismake {

namespace fs = std::filesystem;

struct ServicedMount::Impl {
  MountPaths paths;
  FileLock lock;
  MountRecord record;
  mutable std::optional<BaseListing> base_listing;  // loaded when first needed
  MountState state;
  StateDelta delta;
  TreeIndex index;
  BlobStore blobs;
  StateCatalog catalog;
  bool writable = true;  // false when opened to read a read-only state directory

  Impl(const MountPaths& p, FileLock&& l)
      : paths(p), lock(std::move(l)), blobs(p.blobs_dir()), catalog(p.states_dir()) {}

  fs::path disk(const std::string& image_path) const { return paths.mount_dir / image_path; }

  // Many steps never look at the base (an up-to-date step, `ensure`), and
  // the listing of a large image is the biggest thing a step reads.
  const BaseListing& listing() const {
    if (!base_listing) base_listing = BaseListing::load(paths.base_file());
    return *base_listing;
  }

  // The index first when a step was written ahead (killed in between, the
  // step is rolled back); the state first otherwise (hand edits, which a
  // rollback would destroy: killed in between, they look untracked again).
  void save(bool state_first = false) {
    if (state_first) state.save(paths.state_file());
    index.save(paths.index_file());
    state.save(paths.state_file());
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

  // Removes the temporary files killed commits of this mount left beside
  // its outputs (those of live processes stay).
  void remove_stale_outputs() const {
    remove_stale_temporaries(record.wim_path);
    std::error_code ec;
    if (!fs::exists(paths.outputs_file(), ec)) return;
    std::string list = read_file(paths.outputs_file());
    for (size_t start = 0, end; start < list.size(); start = end + 1) {
      end = list.find('\n', start);
      if (end == std::string::npos) end = list.size();
      if (end > start) remove_stale_temporaries(list.substr(start, end - start));
    }
  }

  // Writing the tree to a state (tree_restore.cpp).
  // Makes `path` on disk what `want` says, keeping the index in step.
  void put(const std::string& path, const Want& want, const StateDelta& target);
  void put_delta(const std::string& path, const DeltaEntry& entry, const StateDelta& target);
  void remove_unwanted_below(const std::string& dir, const StateDelta& target);
  // Makes every path in `touched` what `target` says (parents first).
  void restore_paths(const StateDelta& target, const std::set<std::string>& touched);

  // Recording what a step wrote (step_recording.cpp).
  // A path a step changed, as it is on disk now, into `d` and the index.
  void record_path(StateDelta& d, const std::string& path);
  // A directory that was not one in the state before is recorded with all
  // it holds; an existing one only as itself (its changed children are
  // reported on their own).
  void record_directory(StateDelta& d, const std::string& path);
  void make_ancestors_directories(StateDelta& d, const std::string& path);
  // Windows metadata (step_recording.cpp): where a recorded entry's comes from.
  std::vector<std::pair<std::string, std::string>> step_moves;  // of the step being recorded
  bool preview = false;  // recording for a look only: the tree is not written
  std::string moved_from(const std::string& path) const;
  std::string origin_in(const StateDelta& d, const std::string& path) const;
  bool is_base_file_in(const StateDelta& d, const std::string& path) const;
  void carry_metadata(const StateDelta& d, const std::string& path, DeltaEntry& entry) const;
  void rewrite_other_links(StateDelta& d, const std::string& path, const DeltaEntry& entry);
  void apply_metadata(StateDelta& d, const std::string& path, const MetadataStep& change);
};

}  // namespace dismake
