// Recording what a step wrote: each changed path, as it is on disk, becomes
// a delta entry (files go to the blob store) and a fresh index entry.
#include <algorithm>
#include <set>

#include "dismake/base/digest.h"
#include "serviced_mount_impl.h"

namespace dismake {

// A path a step changed, as it is on disk now, into `d` and the index.
void ServicedMount::Impl::record_path(StateDelta& d, const std::string& path) {
  std::error_code ec;
  fs::file_status status = fs::symlink_status(disk(path), ec);
  if (!fs::exists(status)) {
    d.reset(path);
    if (want_in(d, listing(), path).source == Want::Source::kBase) d.set(path, DeltaEntry{});
    index.forget(path);
    return;
  }
  make_ancestors_directories(d, path);
  if (fs::is_symlink(status)) {
    DeltaEntry entry{DeltaEntry::Kind::kSymlink};
    entry.symlink_target = fs::read_symlink(disk(path)).string();
    d.set(path, entry);
    index.record(paths.mount_dir, path, "");
  } else if (fs::is_directory(status)) {
    record_directory(d, path);
  } else {
    StoredBlob blob = blobs.put(disk(path));
    DeltaEntry entry{DeltaEntry::Kind::kFile, blob.sha256, blob.sha1, blob.size};
    d.set(path, entry);
    index.forget(path);
    index.record(paths.mount_dir, path, blob.sha1);
  }
}

// A directory that was not one in the state before is recorded with all
// it holds; an existing one only as itself (its changed children are
// reported on their own).
void ServicedMount::Impl::record_directory(StateDelta& d, const std::string& path) {
  Want before = want_in(d, listing(), path);
  index.record(paths.mount_dir, path, "");
  if (before.kind() == ImagePathKind::kDirectory) return;
  DeltaEntry entry{DeltaEntry::Kind::kDirectory};
  entry.replaces_base = listing().find(path) != nullptr;
  d.set(path, entry);
  std::vector<std::string> children;
  for (const auto& child : fs::directory_iterator(disk(path)))
    children.push_back(join_image_path(path, child.path().filename().string()));
  std::sort(children.begin(), children.end());
  for (const std::string& child : children) record_path(d, child);
}

void ServicedMount::Impl::make_ancestors_directories(StateDelta& d, const std::string& path) {
  for (const std::string& a : ancestors_top_down(path)) {
    Want want = want_in(d, listing(), a);
    if (want.kind() != ImagePathKind::kDirectory) {
      DeltaEntry entry{DeltaEntry::Kind::kDirectory};
      entry.replaces_base = listing().find(a) != nullptr;
      d.set(a, entry);
    }
    if (index.find(a) == nullptr) index.record(paths.mount_dir, a, "");
  }
}

// The tree scan lists a new directory as itself; in a lazy mount it may be
// a base directory that was simply never extracted, whose new contents are
// what changed.
void ServicedMount::Impl::record_hand_edit(StateDelta& d, const std::string& path) {
  std::error_code ec;
  bool on_disk_dir = fs::is_directory(fs::symlink_status(disk(path), ec));
  if (!on_disk_dir || index.find(path) != nullptr ||
      want_in(d, listing(), path).kind() != ImagePathKind::kDirectory) {
    record_path(d, path);
    return;
  }
  make_ancestors_directories(d, path);
  index.record(paths.mount_dir, path, "");
  std::vector<std::string> children;
  for (const auto& child : fs::directory_iterator(disk(path)))
    children.push_back(join_image_path(path, child.path().filename().string()));
  std::sort(children.begin(), children.end());
  for (const std::string& child : children)
    if (index.find(child) == nullptr) record_hand_edit(d, child);
}

std::vector<std::string> ServicedMount::record_hand_edits() {
  Impl& m = *impl_;
  TreeChanges changes = untracked_changes();
  std::set<std::string> touched;
  for (const auto* list : {&changes.added, &changes.modified, &changes.deleted, &changes.retyped})
    touched.insert(list->begin(), list->end());
  std::vector<std::string> paths(touched.begin(), touched.end());
  if (paths.empty()) return paths;

  StateDelta d = m.delta;
  for (const std::string& path : paths) m.record_hand_edit(d, path);
  std::string parent = m.state.current_key;
  nlohmann::json spec = {{"op", "edits by hand"}, {"args", {{"paths", paths}}}};
  std::string key = Sha256().add("edits by hand").add(parent).add(d.to_json().dump()).hex();
  m.blobs.sync();  // the state names these blobs: they must outlive a crash
  m.catalog.save({key, parent, spec, d});
  m.delta = std::move(d);
  m.state.current_key = key;
  // The state before the index: killed in between, the edits are recorded
  // and merely look untracked again (recording them twice changes nothing);
  // the other order would hide them from the state and from the scan.
  m.state.save(m.paths.state_file());
  m.index.save(m.paths.index_file());
  log_event({{"event", "step"}, {"op", "edits by hand"}, {"key", key}, {"paths", paths}});
  return paths;
}

}  // namespace dismake
