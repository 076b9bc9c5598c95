#include "dismake/store/working_tree.h"

#include <set>

#include "dismake/base/clock.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/store/base_image.h"
#include "dismake/store/image_path.h"
#include "dismake/store/mount_log.h"
#include "dismake/wim/wim_file.h"
#include "serviced_mount_impl.h"

namespace dismake {

void WorkingTree::materialize(const std::string& image_path) const {
  ServicedMountImpl& m = *m_;
  if (!m.head.lazy) return;
  // Every base path at or below `image_path` that the current state still
  // takes from the base and that is not on disk yet.
  std::vector<std::string> missing;
  auto consider = [&](const std::string& path) {
    if (m.index.find(path) == nullptr &&
        path_in_state(m.delta, m.listing(), path).source == PathInState::Source::kBase)
      missing.push_back(path);
  };
  if (!image_path.empty()) consider(image_path);
  m.listing().for_each_below(image_path,
                             [&](const std::string& path, const BaseEntry&) { consider(path); });
  if (missing.empty()) return;

  std::vector<std::string> files;
  for (const std::string& path : missing) {
    m.make_parents(path);
    const BaseEntry* base = m.listing().find(path);
    if (base->is_directory && !base->is_reparse_point) {  // a junction is extracted as a link
      fs::create_directories(m.disk(path));
    } else {
      files.push_back(path);
    }
  }
  // The listing and wimlib's copy of the image's metadata are the two big
  // things a step holds (12 and 25 MiB for a 41k-file image): never both at
  // once. What the index needs of the listing is read first; a later use
  // loads it again, after wimlib is done.
  std::vector<std::string> sha1s;
  for (const std::string& path : missing) sha1s.push_back(m.base_sha1(path));
  m.base_listing.reset();
  try {
    m.open_base().extract_paths(m.record.image_index, m.paths.mount_dir, files);
  } catch (const Error&) {
    // A damaged base (or a full disk): what was half extracted goes, so the
    // tree holds nothing the index does not know of.
    for (const std::string& path : files) remove_recursively(m.disk(path));
    throw;
  }
  for (size_t i = 0; i < missing.size(); ++i)
    m.index.record(m.paths.mount_dir, missing[i], sha1s[i]);
  // Inside a step, finish_step's one sync covers the index.
  ServicedMountImpl::write_record_file(m.paths.index_file(), m.index.to_fields(),
                                       m.head.pending_key.empty());
}

TreeChanges WorkingTree::scan_untracked_changes() const {
  ServicedMountImpl& m = *m_;
  TreeChanges changes = find_changes(m.paths.mount_dir, m.index);
  // Git's refresh: a racily clean file hashed once, once its change is old
  // enough, need not be hashed again by every later scan.
  std::int64_t now = now_ns();
  bool refreshed = false;
  for (const std::string& path : changes.verified) {
    const IndexEntry* entry = m.index.find(path);
    if (entry != nullptr && entry->ctime_ns + 2 * kRacyWindowNs < now) {
      m.index.mark_verified(path, now);
      refreshed = true;
    }
  }
  // Only a cache of hashes: lost in a power cut, it costs a rehash.
  if (refreshed && m.writable)
    ServicedMountImpl::write_record_file(m.paths.index_file(), m.index.to_fields(), false);
  return changes;
}

bool WorkingTree::has_interrupted_step() const { return !m_->head.pending_key.empty(); }

void WorkingTree::roll_back_interrupted_step() const {
  if (!has_interrupted_step()) return;
  restore_tracked();
  MountLog(*m_).append({{"event", "rollback"}});
}

std::vector<std::string> WorkingTree::restore_tracked() const {
  ServicedMountImpl& m = *m_;
  std::vector<std::string> changed = scan_untracked_changes().paths();
  std::set<std::string> touched(changed.begin(), changed.end());
  std::vector<std::string> untracked(touched.begin(), touched.end());

  std::string target_key = m.head.current_key;
  if (has_interrupted_step()) {
    target_key = m.head.pending_parent;
    if (std::optional<StateRecord> half = m.catalog.load(m.head.pending_key))
      ServicedMountImpl::add_keys(touched, half->delta);
  }
  StateDelta target = m.delta_of(target_key);
  ServicedMountImpl::add_keys(touched, m.delta);
  ServicedMountImpl::add_keys(touched, target);
  m.restore_paths(target, touched);
  m.delta = std::move(target);
  m.head.current_key = target_key;
  m.head.pending_key.clear();
  m.head.pending_parent.clear();
  m.save();
  return untracked;
}

void WorkingTree::restore_to(const std::string& key, bool synced) const {
  ServicedMountImpl& m = *m_;
  if (key == m.head.current_key) return;
  StateDelta target = m.delta_of(key);
  // Only the paths whose entries differ: the cost follows the change.
  std::set<std::string> touched;
  auto differing = [&](const StateDelta& from, const StateDelta& to) {
    for (const auto& [path, entry] : from.entries()) {
      const DeltaEntry* other = to.find(path);
      if (other == nullptr || !(*other == entry)) touched.insert(path);
    }
  };
  differing(m.delta, target);
  differing(target, m.delta);
  m.restore_paths(target, touched);
  m.delta = std::move(target);
  m.head.current_key = key;
  m.save(/*head_first=*/false, synced);
}

void WorkingTree::rebase_on_committed() const {
  ServicedMountImpl& m = *m_;
  BaseImage base = BaseImage::open(m.record.wim_path, m.record.image_index, "");
  m.record.image_modification_time = base.wim->image_modification_time(base.image);
  base.close_wim();
  m.base_listing = base.listing.expand();
  m.base_listing->save(m.paths.base_file());
  TreeIndex rebuilt;
  if (m.head.lazy) {
    for (const auto& [path, entry] : m.index.entries())
      rebuilt.record(m.paths.mount_dir, path, m.base_sha1(path));
  } else {
    rebuilt = TreeIndex::build(m.paths.mount_dir, base.listing);
  }
  m.index = std::move(rebuilt);
  m.record.base_identity = base.identity;
  m.record.wim_fingerprint = FileFingerprint::of(m.record.wim_path);
  m.record.pending_source = FileFingerprint();
  m.record.save(m.paths.record_file());
  m.head.base_key = base_state_key(base.identity);
  m.head.current_key = m.head.base_key;
  m.delta = StateDelta();
  m.catalog.save({m.head.base_key, "", nullptr, m.delta});
  m.save();
}

void WorkingTree::reset_tree(const ProgressFn& progress) const {
  ServicedMountImpl& m = *m_;
  std::string known = m.head.pending_key.empty() ? m.head.current_key : m.head.pending_parent;
  fs::create_directories(m.paths.mount_dir);
  remove_directory_contents(m.paths.mount_dir);
  m.index = TreeIndex();
  if (!m.head.lazy) {
    BaseImage base = BaseImage::open(m.record.wim_path, m.record.image_index, "");
    base.wim->extract_image(base.image, m.paths.mount_dir, progress);
    base.close_wim();
    if (m.record.read_only) make_tree_read_only(m.paths.mount_dir);
    m.index = TreeIndex::build(m.paths.mount_dir, base.listing);
  }
  m.delta = StateDelta();
  m.head.current_key = m.head.base_key;
  m.head.pending_key.clear();
  m.head.pending_parent.clear();
  m.save();
  // The tree's content is gone, not the states: put the last one back.
  if (m.catalog.contains(known)) restore_to(known);
}

}  // namespace dismake
