// The commit plan of a mount's current state (commit_plan.h): its delta
// against the base, with renames found from the entries' origins, in one
// canonical order (the delta's sorted paths), so the same state always gives
// the same output bytes.
#include <algorithm>

#include "dismake/store/commit_plan.h"
#include "dismake/store/image_path.h"
#include "serviced_mount_impl.h"

namespace dismake {

namespace {

std::string name_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Builds the plan of one delta; the renames are found first, since what the
// base has at a path (its "effective base") depends on them.
class PlanBuilder {
 public:
  PlanBuilder(const StateDelta& delta, const BaseListing& base, const BlobStore& blobs)
      : delta_(delta), base_(base), blobs_(blobs) {}

  CommitPlan build() {
    find_renames();
    for (const auto& [path, entry] : delta_.entries()) add_entry(path, entry);
    delete_what_renamed_directories_lost();
    std::sort(plan_.deletions.begin(), plan_.deletions.end());
    return std::move(plan_);
  }

 private:
  // A moved entry is renamed in the image when its origin is a base path
  // that the state no longer has there (moved, not copied), and its parent
  // did not carry it along.
  void find_renames() {
    for (const auto& [path, entry] : delta_.entries()) {
      if (entry.origin.empty() || entry.kind == DeltaEntry::Kind::kDeleted ||
          entry.kind == DeltaEntry::Kind::kSymlink)
        continue;
      const DeltaEntry* parent = delta_.find(parent_image_path(path));
      if (parent != nullptr && !parent->origin.empty() &&
          entry.origin == join_image_path(parent->origin, name_of(path)))
        continue;
      // Still the base's file at its origin: a copy, not a move.
      if (base_.find(entry.origin) == nullptr ||
          path_in_state(delta_, base_, entry.origin).source == PathInState::Source::kBase)
        continue;
      plan_.renames.emplace_back(entry.origin, path);
    }
    // Children moved out of a directory go before the directory moves; then
    // by destination, so that a destination's parent is moved in first.
    std::sort(plan_.renames.begin(), plan_.renames.end(), [](const auto& a, const auto& b) {
      auto depth = [](const std::string& p) { return std::count(p.begin(), p.end(), '/'); };
      if (depth(a.first) != depth(b.first)) return depth(a.first) > depth(b.first);
      return a.second < b.second;
    });
    for (const auto& [from, to] : plan_.renames)
      if (base_.find(to) != nullptr && !base_hidden_by_ancestor(delta_, to) && !moved_away(to))
        plan_.deletions_before_renames.push_back(to);
    std::sort(plan_.deletions_before_renames.begin(), plan_.deletions_before_renames.end());
  }

  // `below`: only renames of paths below it count (not the rename of
  // `below` itself, which carries `path` along).
  bool moved_away(const std::string& path, const std::string& below = "") const {
    for (const auto& [from, to] : plan_.renames)
      if (image_path_within(path, from) && (below.empty() || from.size() > below.size()))
        return true;
    return false;
  }

  // What the image has at `path` once the renames are done.
  const BaseEntry* effective_base(const std::string& path) const {
    const std::pair<std::string, std::string>* into = nullptr;
    for (const auto& rename : plan_.renames)
      if (image_path_within(path, rename.second) &&
          (into == nullptr || rename.second.size() > into->second.size()))
        into = &rename;
    if (into != nullptr) {
      std::string source = into->first + path.substr(into->second.size());
      if (source != into->first && moved_away(source, into->first)) return nullptr;
      for (std::string a = parent_image_path(path); a.size() > into->second.size();
           a = parent_image_path(a)) {
        const DeltaEntry* e = delta_.find(a);
        if (e != nullptr && (e->kind != DeltaEntry::Kind::kDirectory || e->replaces_base))
          return nullptr;
      }
      return base_.find(source);
    }
    if (moved_away(path) || base_hidden_by_ancestor(delta_, path)) return nullptr;
    return base_.find(path);
  }

  bool is_rename_destination(const std::string& path) const {
    for (const auto& [from, to] : plan_.renames)
      if (to == path) return true;
    return false;
  }

  static bool same_kind(const BaseEntry& base, const DeltaEntry& entry) {
    if (base.is_directory) return entry.kind == DeltaEntry::Kind::kDirectory;
    if (base.is_reparse_point) return entry.kind == DeltaEntry::Kind::kSymlink;
    return entry.kind == DeltaEntry::Kind::kFile;
  }

  void add_entry(const std::string& path, const DeltaEntry& entry) {
    const BaseEntry* base = effective_base(path);
    if (entry.kind == DeltaEntry::Kind::kDeleted) {
      if (base != nullptr) plan_.deletions.push_back(path);
      return;
    }
    if (base != nullptr && !is_rename_destination(path) &&
        (!same_kind(*base, entry) || entry.replaces_base ||
         entry.kind == DeltaEntry::Kind::kSymlink)) {
      plan_.deletions.push_back(path);
      base = nullptr;
    }
    switch (entry.kind) {
      case DeltaEntry::Kind::kDirectory:
        if (base == nullptr) plan_.directories.push_back(path);
        break;
      case DeltaEntry::Kind::kSymlink:
        plan_.symlinks.emplace_back(path, entry.symlink_target);
        break;
      case DeltaEntry::Kind::kFile:
        add_file(path, entry, base);
        break;
      case DeltaEntry::Kind::kDeleted:
        break;
    }
  }

  void add_file(const std::string& path, const DeltaEntry& entry, const BaseEntry* base) {
    StagedFile file{path, blobs_.verified_path_of(entry.blob),
                    // "" for an empty file, as a WIM has it (a blob's SHA-1
                    // is that of no bytes), so that it is not taken for a
                    // change of the base's empty file
                    entry.size == 0 ? "" : entry.sha1, base != nullptr ? base->sha1 : "",
                    entry.attributes_set, entry.attributes_clear, entry.security_from,
                    base != nullptr ? base->hard_link_group : 0};
    if (base == nullptr) {
      plan_.created.push_back(std::move(file));
    } else if (file.content_changed() || file.attributes_set != 0 || file.attributes_clear != 0 ||
               !file.security_from.empty()) {
      plan_.replaced.push_back(std::move(file));
    }
  }

  // A renamed directory brings everything its origin held; what the state
  // no longer has below it is deleted there.
  void delete_what_renamed_directories_lost() {
    for (const auto& [from, to] : plan_.renames) {
      std::string gone;  // the last deleted directory: nothing below it again
      base_.for_each_below(from, [&](const std::string& source, const BaseEntry&) {
        std::string path = to + source.substr(from.size());
        if (!gone.empty() && image_path_within(path, gone)) return;
        if (delta_.find(path) != nullptr || moved_away(source)) return;
        plan_.deletions.push_back(path);
        gone = path;
      });
    }
  }

  const StateDelta& delta_;
  const BaseListing& base_;
  const BlobStore& blobs_;
  CommitPlan plan_;
};

}  // namespace

CommitPlan ServicedMount::commit_plan() const {
  const Impl& m = *impl_;
  return PlanBuilder(m.delta, m.listing(), m.blobs).build();
}

CommitPlan ServicedMount::commit_plan_with_untracked() {
  Impl& m = *impl_;
  TreeChanges changes = scan_untracked_changes();
  std::vector<std::string> paths = changes.paths();
  std::sort(paths.begin(), paths.end());
  // Recorded as record_untracked_changes records them, but into a copy of
  // the delta; the index changes only in memory and is never saved here,
  // and the tree is not written (`preview`).
  StateDelta d = m.delta;
  m.preview = true;
  m.record_paths(d, hand_edit_step(changes, paths));
  m.preview = false;
  return PlanBuilder(d, m.listing(), m.blobs).build();
}

void ServicedMount::release_base_listing() { impl_->base_listing.reset(); }

}  // namespace dismake
