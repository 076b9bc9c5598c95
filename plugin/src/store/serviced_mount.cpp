#include "dismake/store/serviced_mount.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <set>

#include "dismake/base/case_fold.h"
#include "dismake/base/clock.h"
#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/base/phase_timer.h"
#include "dismake/store/base_image.h"
#include "dismake/store/commit_output.h"
#include "dismake/store/image_path.h"
#include "dismake/wim/wim_file.h"
#include "serviced_mount_impl.h"

namespace dismake {

using nlohmann::json;

ServicedMount::ServicedMount(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ServicedMount::ServicedMount(ServicedMount&&) noexcept = default;
ServicedMount& ServicedMount::operator=(ServicedMount&&) noexcept = default;
ServicedMount::~ServicedMount() = default;

ServicedMount ServicedMount::open(const fs::path& mount_dir) {
  MountPaths paths = MountPaths::existing(mount_dir);
  return open_locked(paths, lock_mount(paths), true);
}

ServicedMount ServicedMount::open_for_reading(const fs::path& mount_dir) {
  MountPaths paths = MountPaths::existing(mount_dir);
  FileLock lock = lock_mount_for_reading(paths);
  bool writable = lock.writable() && ::access(paths.record_dir.c_str(), W_OK) == 0;
  return open_locked(paths, std::move(lock), writable);
}

ServicedMount ServicedMount::open_locked(const MountPaths& paths, FileLock&& lock, bool writable) {
  auto impl = std::make_unique<Impl>(paths, std::move(lock));
  impl->writable = writable;
  impl->record = MountRecord::load(paths.record_file());
  impl->head = MountHead::load(paths.head_file());
  impl->index = TreeIndex::load(paths.index_file_to_read());
  impl->delta = impl->delta_of(impl->head.current_key);
  if (writable) remove_stale_output_temporaries(paths, impl->record.wim_path);
  return ServicedMount(std::move(impl));
}

const MountPaths& ServicedMount::paths() const { return impl_->paths; }
const MountRecord& ServicedMount::record() const { return impl_->record; }
const MountHead& ServicedMount::head() const { return impl_->head; }
const StateDelta& ServicedMount::delta() const { return impl_->delta; }
const BaseListing& ServicedMount::base() const { return impl_->listing(); }
const StateCatalog& ServicedMount::catalog() const { return impl_->catalog; }
fs::path ServicedMount::disk_path(const std::string& image_path) const {
  return impl_->disk(image_path);
}

FileKind ServicedMount::kind_of(const std::string& image_path) const {
  if (image_path.empty()) return FileKind::kDirectory;
  return path_in_state(impl_->delta, impl_->listing(), image_path).kind();
}

std::vector<std::string> ServicedMount::names_of_file(const std::string& image_path) const {
  std::vector<std::string> names{image_path};
  const StateDelta& d = impl_->delta;
  impl_->hand_links_in_delta = std::any_of(d.entries().begin(), d.entries().end(),
                                           [](const auto& e) { return !e.second.link_of.empty(); });
  for (std::string& other : impl_->linked_names(d, image_path)) names.push_back(std::move(other));
  return names;
}

std::string ServicedMount::resolve(const std::string& user_path) const {
  std::string normal = normalize_image_path(user_path);
  std::string resolved;
  size_t start = 0;
  while (start < normal.size()) {
    size_t end = normal.find('/', start);
    if (end == std::string::npos) end = normal.size();
    std::string candidate = join_image_path(resolved, normal.substr(start, end - start));
    if (kind_of(candidate) == FileKind::kAbsent) {
      std::optional<std::string> spelled = impl_->listing().find_folded(candidate);
      if (spelled && kind_of(*spelled) != FileKind::kAbsent) {
        candidate = *spelled;
      } else {
        std::string folded = fold_case(candidate);
        for (const auto& [path, entry] : impl_->delta.entries()) {
          if (entry.kind != FileKind::kAbsent && fold_case(path) == folded) {
            candidate = path;
            break;
          }
        }
      }
    }
    resolved = candidate;
    start = end + 1;
  }
  refuse_links(resolved, /*including_self=*/false);
  return resolved;
}

void ServicedMount::refuse_links(const std::string& image_path, bool including_self) const {
  std::vector<std::string> candidates = ancestors_top_down(image_path);
  if (including_self && !image_path.empty()) candidates.push_back(image_path);
  std::string link;
  for (const std::string& path : candidates) {
    if (kind_of(path) == FileKind::kSymlink) {
      link = path;
      break;
    }
  }
  std::string on_disk = first_link_below(impl_->paths.mount_dir, image_path, including_self);
  if (link.empty() || (!on_disk.empty() && on_disk.size() < link.size())) link = on_disk;
  if (link.empty()) return;
  std::error_code ec;
  fs::path target = fs::read_symlink(impl_->disk(link), ec);
  std::string points =
      ec ? "a reparse point of the image" : "it points to '" + target.string() + "'";
  std::string where = link == image_path ? "the image path '" + image_path + "' is a link"
                                         : "the image path '" + image_path +
                                               "' goes through the link '" + link + "'";
  throw Error(hr::kReparsePointEncountered,
              where + " (" + points + "); dismake never writes through a symbolic link or junction",
              "name the real path inside the image instead, or delete the link '" + link +
                  "' in an earlier step");
}

void ServicedMount::materialize(const std::string& image_path) {
  Impl& m = *impl_;
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
  Impl::write_record_file(m.paths.index_file(), m.index.to_fields(), m.head.pending_key.empty());
}

TreeChanges ServicedMount::scan_untracked_changes() {
  Impl& m = *impl_;
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
    Impl::write_record_file(m.paths.index_file(), m.index.to_fields(), false);
  return changes;
}

// The tree scan lists a new directory as itself. In a lazy mount it may be
// a directory of the state that was never extracted (made again by hand to
// put a file in it): then its contents are what changed, each listed here.
std::vector<std::string> ServicedMount::with_unextracted_contents(
    const std::vector<std::string>& paths) const {
  std::vector<std::string> out;
  std::function<void(const std::string&)> add = [&](const std::string& path) {
    out.push_back(path);
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(disk_path(path), ec)) ||
        impl_->index.find(path) != nullptr || kind_of(path) != FileKind::kDirectory)
      return;
    for (const auto& child : fs::directory_iterator(disk_path(path))) {
      std::string name = join_image_path(path, child.path().filename().string());
      if (impl_->index.find(name) == nullptr) add(name);
    }
  };
  for (const std::string& path : paths) add(path);
  return out;
}

// `mv` in the tree is a rename: the moved files keep their metadata.
StepChanges ServicedMount::hand_edit_step(const TreeChanges& changes,
                                          const std::vector<std::string>& paths) const {
  return StepChanges{with_unextracted_contents(paths), {}, changes.moves, {}};
}

std::vector<std::string> ServicedMount::record_untracked_changes() {
  TreeChanges changes = scan_untracked_changes();
  std::vector<std::string> paths = changes.paths();
  if (paths.empty()) return paths;
  std::sort(paths.begin(), paths.end());
  // The key of this state: its parent, and what the edited paths now hold.
  Sha256 key;
  key.add(impl_->head.current_key).add("edits by hand");
  for (const std::string& path : paths) {
    fs::path disk = disk_path(path);
    std::error_code ec;
    fs::file_status status = fs::symlink_status(disk, ec);
    key.add(path);
    if (fs::is_symlink(status)) {
      key.add("link:" + fs::read_symlink(disk).string());
    } else if (fs::is_regular_file(status)) {
      key.add(sha256_file_hex(disk));
      // `ln a b` is not `cp a b` (hand_made_links.cpp).
      if (std::uintmax_t names = fs::hard_link_count(disk, ec); !ec && names > 1)
        key.add("with other names");
    } else {
      key.add(fs::exists(status) ? "dir" : "deleted");
    }
  }
  std::string parent = impl_->head.current_key;
  nlohmann::json spec = {{"op", "edits by hand"}, {"args", {{"paths", paths}}}};
  // No write-ahead: rolling back would delete the edits.
  finish_step(key.hex(), parent, spec, hand_edit_step(changes, paths));
  log_event({{"event", "step"}, {"op", "edits by hand"}, {"key", key.hex()}});
  return paths;
}

bool ServicedMount::has_interrupted_step() const { return !impl_->head.pending_key.empty(); }

void ServicedMount::roll_back_interrupted_step() {
  if (!has_interrupted_step()) return;
  restore_tracked();
  log_event({{"event", "rollback"}});
}

std::vector<std::string> ServicedMount::restore_tracked() {
  Impl& m = *impl_;
  std::vector<std::string> changed = scan_untracked_changes().paths();
  std::set<std::string> touched(changed.begin(), changed.end());
  std::vector<std::string> untracked(touched.begin(), touched.end());

  std::string target_key = m.head.current_key;
  if (has_interrupted_step()) {
    target_key = m.head.pending_parent;
    if (std::optional<StateRecord> half = m.catalog.load(m.head.pending_key))
      Impl::add_keys(touched, half->delta);
  }
  StateDelta target = m.delta_of(target_key);
  Impl::add_keys(touched, m.delta);
  Impl::add_keys(touched, target);
  m.restore_paths(target, touched);
  m.delta = std::move(target);
  m.head.current_key = target_key;
  m.head.pending_key.clear();
  m.head.pending_parent.clear();
  m.save();
  return untracked;
}

void ServicedMount::restore_to(const std::string& key, bool synced) {
  Impl& m = *impl_;
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

void ServicedMount::begin_step(const std::string& key, const std::string& parent) {
  Impl& m = *impl_;
  m.head.pending_key = key;
  m.head.pending_parent = parent;
  // Atomic, not synced: a kill sees the old or the new file whole. After a
  // power cut the journal keeps this rename ahead of the step's own writes,
  // and finish_step's sync makes it durable with them.
  Impl::write_record_file(m.paths.head_file(), m.head.to_text(), /*synced=*/false);
}

void ServicedMount::finish_step(const std::string& key, const std::string& parent, const json& spec,
                                const StepChanges& changes) {
  Impl& m = *impl_;
  StateDelta d = m.delta;
  PhaseTimer recording("step: changed paths hashed and stored");
  try {
    m.record_paths(d, changes);
  } catch (...) {
    // The paths recorded so far are not the state's: forget them, so that
    // rolling the step back sees every one as changed and puts it back.
    m.index = TreeIndex::load(m.paths.index_file_to_read());
    throw;
  }
  for (const auto& [path, change] : changes.metadata) m.apply_metadata(d, path, change);
  for (const auto& [name, value] : changes.properties) d.set_property(name, value);
  recording.stop();
  PhaseTimer publishing("step: state published (one syncfs)");
  MountHead finished = m.head;
  finished.current_key = key;
  finished.pending_key.clear();
  finished.pending_parent.clear();
  m.publish_step({key, parent, spec, d}, finished, /*head_first=*/m.head.pending_key.empty());
  m.delta = std::move(d);
  m.head = std::move(finished);
}

void ServicedMount::rebase_on_committed() {
  Impl& m = *impl_;
  BaseImage base = BaseImage::open(m.record.wim_path, m.record.image_index, "");
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
  m.record.save(m.paths.record_file());
  m.head.base_key = base_state_key(base.identity);
  m.head.current_key = m.head.base_key;
  m.delta = StateDelta();
  m.catalog.save({m.head.base_key, "", nullptr, m.delta});
  m.save();
}

void ServicedMount::reset_tree(const ProgressFn& progress) {
  Impl& m = *impl_;
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

void ServicedMount::set_recipe(const std::string& recipe) {
  impl_->head.recipe = recipe;
  impl_->head.save(impl_->paths.head_file());
}

void ServicedMount::log_event(const json& event) const {
  json line = event;
  line["time_ns"] = now_ns();
  std::ofstream out(impl_->paths.events_file(), std::ios::app);
  out << line.dump() << "\n";
}

void initialize_mount_records(const MountPaths& paths, const CompactListing& listing,
                              const std::string& base_identity, bool lazy) {
  listing.save(paths.base_file());
  MountHead head;
  head.base_key = base_state_key(base_identity);
  head.current_key = head.base_key;
  head.lazy = lazy;
  head.mount_id = Sha256()
                      .add(base_identity)
                      .add(std::to_string(now_ns()))
                      .add(std::to_string(::getpid()))
                      .hex();
  StateCatalog(paths.states_dir()).save({head.base_key, "", nullptr, StateDelta()});
  head.save(paths.head_file());
}

}  // namespace dismake
