#include "dismake/store/serviced_mount.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>

#include "dismake/base/case_fold.h"
#include "dismake/base/clock.h"
#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/store/base_image.h"
#include "dismake/store/image_path.h"
#include "dismake/wim/wim_file.h"

namespace dismake {

using nlohmann::json;

namespace {

// What a path should be in some state: absent, the base's content, or a
// delta entry.
struct Want {
  enum class Source { kAbsent, kBase, kDelta };
  Source source = Source::kAbsent;
  const BaseEntry* base = nullptr;
  const DeltaEntry* entry = nullptr;

  ImagePathKind kind() const {
    if (source == Source::kBase)
      return base->is_directory       ? ImagePathKind::kDirectory
             : base->is_reparse_point ? ImagePathKind::kSymlink
                                      : ImagePathKind::kFile;
    if (source == Source::kDelta) {
      switch (entry->kind) {
        case DeltaEntry::Kind::kFile:
          return ImagePathKind::kFile;
        case DeltaEntry::Kind::kDirectory:
          return ImagePathKind::kDirectory;
        case DeltaEntry::Kind::kSymlink:
          return ImagePathKind::kSymlink;
        case DeltaEntry::Kind::kDeleted:
          break;
      }
    }
    return ImagePathKind::kAbsent;
  }
};

// True when an ancestor's delta entry hides the base below it.
bool base_hidden_by_ancestor(const StateDelta& delta, const std::string& path) {
  for (std::string a = parent_image_path(path); !a.empty(); a = parent_image_path(a)) {
    const DeltaEntry* e = delta.find(a);
    if (e == nullptr) continue;
    if (e->kind != DeltaEntry::Kind::kDirectory || e->replaces_base) return true;
  }
  return false;
}

Want want_in(const StateDelta& delta, const BaseListing& base, const std::string& path) {
  if (const DeltaEntry* e = delta.find(path)) {
    if (e->kind == DeltaEntry::Kind::kDeleted) return {};
    return {Want::Source::kDelta, nullptr, e};
  }
  if (base_hidden_by_ancestor(delta, path)) return {};
  if (const BaseEntry* b = base.find(path)) return {Want::Source::kBase, b, nullptr};
  return {};
}

std::string join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

std::vector<std::string> ancestors_top_down(const std::string& path) {
  std::vector<std::string> out;
  for (std::string a = parent_image_path(path); !a.empty(); a = parent_image_path(a))
    out.push_back(a);
  std::reverse(out.begin(), out.end());
  return out;
}

void remove_disk(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) throw_errno("remove", path.string(), ec.value());
}

}  // namespace

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

  Impl(const MountPaths& p, FileLock&& l)
      : paths(p), lock(std::move(l)), blobs(p.blobs_dir()), catalog(p.states_dir()) {}

  fs::path disk(const std::string& image_path) const { return paths.mount_dir / image_path; }

  // Many steps never look at the base (an up-to-date step, `ensure`), and
  // the listing of a large image is the biggest thing a step reads.
  const BaseListing& listing() const {
    if (!base_listing) base_listing = BaseListing::load(paths.base_file());
    return *base_listing;
  }

  void save() {
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

  // Makes `path` on disk what `want` says, keeping the index in step.
  void put(const std::string& path, const Want& want, const StateDelta& target) {
    switch (want.source) {
      case Want::Source::kAbsent:
        remove_disk(disk(path));
        index.forget(path);
        return;
      case Want::Source::kBase:
        remove_disk(disk(path));
        index.forget(path);
        if (state.lazy) return;  // a lazy tree holds base content only where needed
        make_parents(path);
        open_base().extract_paths(record.image_index, paths.mount_dir, {path});
        index.record_tree(paths.mount_dir, path,
                          [&](const std::string& p) { return base_sha1(p); });
        return;
      case Want::Source::kDelta:
        put_delta(path, *want.entry, target);
        return;
    }
  }

  void put_delta(const std::string& path, const DeltaEntry& entry, const StateDelta& target) {
    std::error_code ec;
    fs::file_status status = fs::symlink_status(disk(path), ec);
    switch (entry.kind) {
      case DeltaEntry::Kind::kFile:
        if (fs::is_directory(status) || fs::is_symlink(status)) remove_disk(disk(path));
        make_parents(path);
        blobs.copy_to(entry.blob, disk(path));
        index.forget(path);
        index.record(paths.mount_dir, path, entry.sha1);
        return;
      case DeltaEntry::Kind::kSymlink:
        remove_disk(disk(path));
        make_parents(path);
        fs::create_symlink(entry.symlink_target, disk(path));
        index.record(paths.mount_dir, path, "");
        return;
      case DeltaEntry::Kind::kDirectory:
        if (!fs::is_directory(status)) remove_disk(disk(path));
        fs::create_directories(disk(path));
        record_parents(path);
        index.record(paths.mount_dir, path, "");
        if (entry.replaces_base) remove_unwanted_below(path, target);
        return;
      case DeltaEntry::Kind::kDeleted:
        return;
    }
  }

  void remove_unwanted_below(const std::string& dir, const StateDelta& target) {
    std::vector<std::string> unwanted;
    std::string prefix = dir + "/";
    for (auto it = index.entries().lower_bound(prefix);
         it != index.entries().end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
      if (want_in(target, listing(), it->first).source == Want::Source::kAbsent)
        unwanted.push_back(it->first);
    for (const std::string& path : unwanted) {
      remove_disk(disk(path));
      index.forget(path);
    }
  }

  // Makes every path in `touched` what `target` says (parents first).
  void restore_paths(const StateDelta& target, const std::set<std::string>& touched) {
    for (const std::string& path : touched) put(path, want_in(target, listing(), path), target);
  }

  static void add_keys(std::set<std::string>& out, const StateDelta& delta) {
    for (const auto& [path, entry] : delta.entries()) out.insert(path);
  }

  // A path a step changed, as it is on disk now, into `d` and the index.
  void record_path(StateDelta& d, const std::string& path) {
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
  void record_directory(StateDelta& d, const std::string& path) {
    Want before = want_in(d, listing(), path);
    index.record(paths.mount_dir, path, "");
    if (before.kind() == ImagePathKind::kDirectory) return;
    DeltaEntry entry{DeltaEntry::Kind::kDirectory};
    entry.replaces_base = listing().find(path) != nullptr;
    d.set(path, entry);
    std::vector<std::string> children;
    for (const auto& child : fs::directory_iterator(disk(path)))
      children.push_back(join(path, child.path().filename().string()));
    std::sort(children.begin(), children.end());
    for (const std::string& child : children) record_path(d, child);
  }

  void make_ancestors_directories(StateDelta& d, const std::string& path) {
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
};

ServicedMount::ServicedMount(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ServicedMount::ServicedMount(ServicedMount&&) noexcept = default;
ServicedMount& ServicedMount::operator=(ServicedMount&&) noexcept = default;
ServicedMount::~ServicedMount() = default;

ServicedMount ServicedMount::open(const fs::path& mount_dir) {
  MountPaths paths = MountPaths::of(mount_dir);
  if (!fs::exists(paths.record_file()))
    throw Error(hr::kNotFound, "'" + paths.mount_dir.string() + "' is not a mount",
                "see `dismake list-mounts` for the mounted images");
  std::string what = "the mount '" + paths.mount_dir.string() + "'";
  auto impl = std::make_unique<Impl>(
      paths, FileLock(paths.lock_file(), default_lock_timeout(), what.c_str()));
  impl->record = MountRecord::load(paths.record_file());
  impl->state = MountState::load(paths.state_file());
  impl->index = TreeIndex::load(paths.index_file());
  impl->delta = impl->delta_of(impl->state.current_key);
  return ServicedMount(std::move(impl));
}

const MountPaths& ServicedMount::paths() const { return impl_->paths; }
const MountRecord& ServicedMount::record() const { return impl_->record; }
const MountState& ServicedMount::state() const { return impl_->state; }
const StateDelta& ServicedMount::delta() const { return impl_->delta; }
const BaseListing& ServicedMount::base() const { return impl_->listing(); }
const StateCatalog& ServicedMount::catalog() const { return impl_->catalog; }
fs::path ServicedMount::disk_path(const std::string& image_path) const {
  return impl_->disk(image_path);
}

ImagePathKind ServicedMount::kind_of(const std::string& image_path) const {
  if (image_path.empty()) return ImagePathKind::kDirectory;
  return want_in(impl_->delta, impl_->listing(), image_path).kind();
}

std::string ServicedMount::resolve(const std::string& user_path) const {
  std::string normal = normalize_image_path(user_path);
  std::string resolved;
  size_t start = 0;
  while (start < normal.size()) {
    size_t end = normal.find('/', start);
    if (end == std::string::npos) end = normal.size();
    std::string candidate = join(resolved, normal.substr(start, end - start));
    if (kind_of(candidate) == ImagePathKind::kAbsent) {
      std::optional<std::string> spelled = impl_->listing().find_folded(candidate);
      if (spelled && kind_of(*spelled) != ImagePathKind::kAbsent) {
        candidate = *spelled;
      } else {
        std::string folded = fold_case(candidate);
        for (const auto& [path, entry] : impl_->delta.entries()) {
          if (entry.kind != DeltaEntry::Kind::kDeleted && fold_case(path) == folded) {
            candidate = path;
            break;
          }
        }
      }
    }
    resolved = candidate;
    start = end + 1;
  }
  return resolved;
}

void ServicedMount::materialize(const std::string& image_path) {
  Impl& m = *impl_;
  if (!m.state.lazy) return;
  // Every base path at or below `image_path` that the current state still
  // takes from the base and that is not on disk yet.
  std::vector<std::string> missing;
  auto consider = [&](const std::string& path) {
    if (m.index.find(path) == nullptr &&
        want_in(m.delta, m.listing(), path).source == Want::Source::kBase)
      missing.push_back(path);
  };
  if (!image_path.empty()) consider(image_path);
  m.listing().for_each_below(image_path,
                             [&](const std::string& path, const BaseEntry&) { consider(path); });
  if (missing.empty()) return;

  std::vector<std::string> files;
  for (const std::string& path : missing) {
    m.make_parents(path);
    if (m.listing().find(path)->is_directory) {
      fs::create_directories(m.disk(path));
    } else {
      files.push_back(path);
    }
  }
  m.open_base().extract_paths(m.record.image_index, m.paths.mount_dir, files);
  for (const std::string& path : missing)
    m.index.record(m.paths.mount_dir, path, m.base_sha1(path));
  m.index.save(m.paths.index_file());
}

TreeChanges ServicedMount::untracked_changes() const {
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
  if (refreshed) m.index.save(m.paths.index_file());
  return changes;
}

bool ServicedMount::has_interrupted_step() const { return !impl_->state.pending_key.empty(); }

std::vector<std::string> ServicedMount::restore_tracked() {
  Impl& m = *impl_;
  TreeChanges changes = untracked_changes();
  std::set<std::string> touched;
  for (const auto* list : {&changes.added, &changes.modified, &changes.deleted, &changes.retyped})
    touched.insert(list->begin(), list->end());
  std::vector<std::string> untracked(touched.begin(), touched.end());

  std::string target_key = m.state.current_key;
  if (has_interrupted_step()) {
    target_key = m.state.pending_parent;
    if (std::optional<StateRecord> half = m.catalog.load(m.state.pending_key))
      Impl::add_keys(touched, half->delta);
  }
  StateDelta target = m.delta_of(target_key);
  Impl::add_keys(touched, m.delta);
  Impl::add_keys(touched, target);
  m.restore_paths(target, touched);
  m.delta = std::move(target);
  m.state.current_key = target_key;
  m.state.pending_key.clear();
  m.state.pending_parent.clear();
  m.save();
  return untracked;
}

void ServicedMount::restore_to(const std::string& key) {
  Impl& m = *impl_;
  if (key == m.state.current_key) return;
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
  m.state.current_key = key;
  m.save();
}

void ServicedMount::begin_step(const std::string& key, const std::string& parent) {
  impl_->state.pending_key = key;
  impl_->state.pending_parent = parent;
  impl_->state.save(impl_->paths.state_file());
}

void ServicedMount::finish_step(const std::string& key, const std::string& parent, const json& spec,
                                const StepChanges& changes) {
  Impl& m = *impl_;
  StateDelta d = m.delta;
  std::vector<std::string> paths = changes.paths;
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  for (const std::string& path : paths) m.record_path(d, path);
  for (const auto& [name, value] : changes.properties) d.set_property(name, value);
  m.blobs.sync();  // the state names these blobs: they must outlive a crash
  m.catalog.save({key, parent, spec, d});
  m.delta = std::move(d);
  m.state.current_key = key;
  m.state.pending_key.clear();
  m.state.pending_parent.clear();
  m.save();
}

std::vector<UpdateCommand> ServicedMount::commit_commands(bool include_untracked) {
  Impl& m = *impl_;
  // Each directory and symlink gets its own source: wimlib takes an added
  // entry's times from its source, and reading a directory moves its access
  // time, so a source shared by two commands would not give stable bytes.
  fs::remove_all(m.paths.scratch_dir());
  fs::create_directories(m.paths.scratch_dir());
  int scratch = 0;
  auto scratch_path = [&] { return m.paths.scratch_dir() / std::to_string(scratch++); };
  std::vector<UpdateCommand> commands;
  for (const auto& [path, entry] : m.delta.entries()) {
    const BaseEntry* b = base_hidden_by_ancestor(m.delta, path) ? nullptr : m.listing().find(path);
    bool replaces =
        b != nullptr &&
        (b->is_directory != (entry.kind == DeltaEntry::Kind::kDirectory) || entry.replaces_base);
    if (entry.kind == DeltaEntry::Kind::kDeleted) {
      if (b != nullptr) commands.push_back(UpdateCommand::remove(path));
      continue;
    }
    if (replaces) commands.push_back(UpdateCommand::remove(path));
    switch (entry.kind) {
      case DeltaEntry::Kind::kDirectory:
        if (b == nullptr || replaces) {
          fs::path dir = scratch_path();
          fs::create_directories(dir);
          commands.push_back(UpdateCommand::add(dir.string(), path));
        }
        break;
      case DeltaEntry::Kind::kFile:
        commands.push_back(UpdateCommand::add(m.blobs.path_of(entry.blob).string(), path));
        break;
      case DeltaEntry::Kind::kSymlink: {
        fs::path link = scratch_path();
        fs::create_symlink(entry.symlink_target, link);
        commands.push_back(UpdateCommand::add(link.string(), path));
        break;
      }
      case DeltaEntry::Kind::kDeleted:
        break;
    }
  }
  if (include_untracked) {
    std::vector<UpdateCommand> more = update_commands(m.paths.mount_dir, untracked_changes());
    commands.insert(commands.end(), more.begin(), more.end());
  }
  return commands;
}

void ServicedMount::rebase_on_committed() {
  Impl& m = *impl_;
  BaseImage base = BaseImage::open(m.record.wim_path, m.record.image_index, "");
  m.base_listing = BaseListing::from_entries(base.entries);
  m.base_listing->save(m.paths.base_file());
  TreeIndex rebuilt;
  if (m.state.lazy) {
    for (const auto& [path, entry] : m.index.entries())
      rebuilt.record(m.paths.mount_dir, path, m.base_sha1(path));
  } else {
    rebuilt = TreeIndex::build(m.paths.mount_dir, base.entries);
  }
  m.index = std::move(rebuilt);
  m.record.base_identity = base.identity;
  m.record.wim_fingerprint = FileFingerprint::of(m.record.wim_path);
  m.record.save(m.paths.record_file());
  m.state.base_key = base_state_key(base.identity);
  m.state.current_key = m.state.base_key;
  m.delta = StateDelta();
  m.catalog.save({m.state.base_key, "", nullptr, m.delta});
  m.save();
}

void ServicedMount::reset_tree(const ProgressFn& progress) {
  Impl& m = *impl_;
  std::string known = m.state.pending_key.empty() ? m.state.current_key : m.state.pending_parent;
  std::error_code ec;
  fs::create_directories(m.paths.mount_dir);
  for (fs::directory_iterator it(m.paths.mount_dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec))
    remove_disk(it->path());
  m.index = TreeIndex();
  if (!m.state.lazy) {
    BaseImage base = BaseImage::open(m.record.wim_path, m.record.image_index, "");
    base.wim.extract_image(base.image, m.paths.mount_dir, progress);
    m.index = TreeIndex::build(m.paths.mount_dir, base.entries);
  }
  m.delta = StateDelta();
  m.state.current_key = m.state.base_key;
  m.state.pending_key.clear();
  m.state.pending_parent.clear();
  m.save();
  // The tree's content is gone, not the states: put the last one back.
  if (m.catalog.contains(known)) restore_to(known);
}

void ServicedMount::set_recipe(const std::string& recipe) {
  impl_->state.recipe = recipe;
  impl_->state.save(impl_->paths.state_file());
}

void ServicedMount::log_event(const json& event) const {
  json line = event;
  line["time_ns"] = now_ns();
  std::ofstream out(impl_->paths.events_file(), std::ios::app);
  out << line.dump() << "\n";
}

void initialize_mount_state(const MountPaths& paths, const std::vector<WimEntry>& entries,
                            const std::string& base_identity, bool lazy) {
  BaseListing::from_entries(entries).save(paths.base_file());
  MountState state;
  state.base_key = base_state_key(base_identity);
  state.current_key = state.base_key;
  state.lazy = lazy;
  state.mount_id = Sha256()
                       .add(base_identity)
                       .add(std::to_string(now_ns()))
                       .add(std::to_string(::getpid()))
                       .hex();
  StateCatalog(paths.states_dir()).save({state.base_key, "", nullptr, StateDelta()});
  state.save(paths.state_file());
}

}  // namespace dismake
