// The commit plan of a mount's current state (commit_plan.h): its delta
// against the base, with renames found from the entries' origins, in one
// canonical order (the delta's sorted paths), so the same state always gives
// the same output bytes.
#include "dismake/store/commit_planner.h"

#include <algorithm>
#include <map>
#include <set>

#include "dismake/store/commit_plan.h"
#include "dismake/store/image_path.h"
#include "dismake/store/working_tree.h"
#include "serviced_mount_impl.h"
#include "step_recording.h"

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
    stage_files_linked_to();
    delete_what_renamed_directories_lost();
    make_directories_renamed_into();
    std::sort(plan_.deletions.begin(), plan_.deletions.end());
    std::sort(plan_.deletions_before_renames.begin(), plan_.deletions_before_renames.end());
    return std::move(plan_);
  }

 private:
  // A moved entry is renamed in the image when its origin is a base path
  // that the state no longer has there (moved, not copied), and its parent
  // did not carry it along.
  void find_renames() {
    for (const auto& [path, entry] : delta_.entries()) {
      if (entry.origin.empty() || entry.kind == FileKind::kAbsent ||
          entry.kind == FileKind::kSymlink)
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
    find_files_outliving_their_first_name();
    drop_renames_into_new_directories_below_renames();
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

  // The commit makes the new directories a rename moves into before the
  // renames (make_directories_renamed_into); one below another rename's
  // destination (`mv a b; mkdir b/d; mv f b/d/`) cannot be made before
  // that rename, so what moved into it is added as new (known gap).
  void drop_renames_into_new_directories_below_renames() {
    auto is_new_below_a_rename = [&](const std::string& dir) {
      return effective_base(dir) == nullptr &&
             std::any_of(plan_.renames.begin(), plan_.renames.end(), [&](const auto& other) {
               return other.second != dir && image_path_within(dir, other.second);
             });
    };
    std::vector<std::pair<std::string, std::string>> kept;
    for (const auto& rename : plan_.renames) {
      bool possible = true;
      for (std::string a = parent_image_path(rename.second); possible && !a.empty();
           a = parent_image_path(a))
        possible = !is_new_below_a_rename(a);
      if (possible) kept.push_back(rename);
    }
    plan_.renames = std::move(kept);
  }

  // The name a hard link made in the mount is of, following links of links
  // (the file's first name).
  std::string first_name(const DeltaEntry& entry) const {
    std::string file = entry.link_of;
    for (int hops = 0; hops < 64; ++hops) {
      const DeltaEntry* e = delta_.find(file);
      if (e == nullptr || e->kind != FileKind::kFile || e->link_of.empty()) break;
      file = e->link_of;
    }
    return file;
  }

  // Hard links made in the mount whose first name, a base file, the state
  // no longer has (deleted by a step or by hand): as on Windows, the file
  // lives on under its other names with its descriptor, attributes and
  // streams. The first remaining name is a rename of the base file; the
  // others are links to it (`survivors_`, read by linked_file).
  void find_files_outliving_their_first_name() {
    for (const auto& [path, entry] : delta_.entries()) {
      if (entry.kind != FileKind::kFile || entry.link_of.empty() || !entry.origin.empty()) continue;
      std::string file = first_name(entry);
      if (std::string carried = carried_to(file); !carried.empty()) {
        survivors_.emplace(file, carried);  // a rename took it along: still there
        continue;
      }
      const BaseEntry* base = base_.find(file);
      if (base == nullptr || base->is_directory || base->is_reparse_point ||
          path_in_state(delta_, base_, file).source != PathInState::Source::kAbsent)
        continue;
      // In a directory the commit cannot make before the renames, the
      // first remaining name is a new file (without the metadata): the
      // names still stay one file.
      if (survivors_.emplace(file, path).second &&
          is_directory_before_renames(parent_image_path(path)))
        plan_.renames.emplace_back(file, path);
    }
  }

  // Where the renames found so far take the base path `path`; "" for none.
  std::string carried_to(const std::string& path) const {
    const std::pair<std::string, std::string>* by = nullptr;
    for (const auto& rename : plan_.renames)
      if (image_path_within(path, rename.first) &&
          (by == nullptr || rename.first.size() > by->first.size()))
        by = &rename;
    return by == nullptr ? "" : by->second + path.substr(by->first.size());
  }

  // The image has `dir` before the renames (the commit adds new directories
  // after them, and a renamed one is at its origin until its own rename).
  bool is_base_directory_in_state(const std::string& dir) const {
    if (dir.empty()) return true;
    const BaseEntry* base = base_.find(dir);
    if (base == nullptr || !base->is_directory || base->is_reparse_point || moved_away(dir))
      return false;
    PathInState in_state = path_in_state(delta_, base_, dir);
    return in_state.source == PathInState::Source::kBase ||
           (in_state.source == PathInState::Source::kDelta &&
            in_state.entry->kind == FileKind::kDirectory && !in_state.entry->replaces_base &&
            in_state.entry->origin.empty());
  }

  // The image has `dir` when the renames are done: a base directory, or
  // new ones made in one (make_directories_renamed_into).
  bool is_directory_before_renames(const std::string& dir) const {
    for (std::string a = dir; !a.empty(); a = parent_image_path(a)) {
      if (is_base_directory_in_state(a)) return true;
      const DeltaEntry* e = delta_.find(a);
      if (e == nullptr || e->kind != FileKind::kDirectory || !e->origin.empty() ||
          base_.find(a) != nullptr)
        return false;
    }
    return true;
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
        if (e != nullptr && (e->kind != FileKind::kDirectory || e->replaces_base)) return nullptr;
      }
      return base_.find(source);
    }
    if (moved_away(path) || base_hidden_by_ancestor(delta_, path)) return nullptr;
    return base_.find(path);
  }

  // Where the file at `path` was in the base, when a rename brought it.
  std::string base_path_of(const std::string& path) const {
    for (const auto& [from, to] : plan_.renames)
      if (to == path) return from;
    return path;
  }

  bool is_rename_destination(const std::string& path) const {
    for (const auto& [from, to] : plan_.renames)
      if (to == path) return true;
    return false;
  }

  static bool same_kind(const BaseEntry& base, const DeltaEntry& entry) {
    if (base.is_directory) return entry.kind == FileKind::kDirectory;
    if (base.is_reparse_point) return entry.kind == FileKind::kSymlink;
    return entry.kind == FileKind::kFile;
  }

  void add_entry(const std::string& path, const DeltaEntry& entry) {
    const BaseEntry* base = effective_base(path);
    if (entry.kind == FileKind::kAbsent) {
      if (base != nullptr) plan_.deletions.push_back(path);
      return;
    }
    if (base != nullptr && !is_rename_destination(path) &&
        (!same_kind(*base, entry) || entry.replaces_base || entry.kind == FileKind::kSymlink)) {
      plan_.deletions.push_back(path);
      base = nullptr;
    }
    switch (entry.kind) {
      case FileKind::kDirectory:
        if (base == nullptr) plan_.directories.push_back(path);
        break;
      case FileKind::kSymlink:
        plan_.symlinks.emplace_back(path, entry.symlink_target);
        break;
      case FileKind::kFile:
        add_file(path, entry, base);
        break;
      case FileKind::kAbsent:
        break;
    }
  }

  void add_file(const std::string& path, const DeltaEntry& entry, const BaseEntry* base) {
    if (std::string file = linked_file(path, entry); !file.empty()) {
      if (base != nullptr) plan_.deletions.push_back(path);
      plan_.hard_links.emplace_back(path, file);
      return;
    }
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

  // The file a hard link made in the mount names (following links of
  // links), while it is a file of the state with the link's content; ""
  // when there is none: the name is then a file of its own.
  std::string linked_file(const std::string& path, const DeltaEntry& entry) const {
    std::string file = entry.link_of;
    for (int hops = 0; !file.empty() && file != path && hops < 64; ++hops) {
      const DeltaEntry* e = delta_.find(file);
      if (e != nullptr && e->kind == FileKind::kFile && !e->link_of.empty()) {
        file = e->link_of;
        continue;
      }
      // A first name gone: its file is the remaining name renamed to.
      if (auto s = survivors_.find(file);
          s != survivors_.end() && (e == nullptr || e->kind == FileKind::kAbsent)) {
        if (s->second == path) return "";
        e = delta_.find(s->second);
        return e != nullptr && e->kind == FileKind::kFile && e->sha1 == entry.sha1 ? s->second : "";
      }
      const BaseEntry* base = e == nullptr ? effective_base(file) : nullptr;
      bool same = e != nullptr ? e->kind == FileKind::kFile && e->sha1 == entry.sha1
                               : base != nullptr && !base->is_directory &&
                                     !base->is_reparse_point && base->sha1 == entry.sha1;
      return same ? file : "";
    }
    return "";
  }

  // A file that hard links made in the mount name is staged even when
  // nothing else of it changed, with the base's names still one file with
  // it (else the commit would split them from it).
  void stage_files_linked_to() {
    std::set<std::string> staged;
    for (const auto* files : {&plan_.replaced, &plan_.created})
      for (const StagedFile& f : *files) staged.insert(f.path);
    for (const auto& link : plan_.hard_links) {
      std::vector<std::string> names{link.second};
      for (const std::string& other : base_.other_links(base_path_of(link.second)))
        if (delta_.find(other) == nullptr && effective_base(other) != nullptr)
          names.push_back(other);
      for (const std::string& name : names) {
        if (!staged.insert(name).second) continue;
        const BaseEntry* base = effective_base(name);
        if (base == nullptr) continue;
        plan_.replaced.push_back(
            StagedFile{name, {}, base->sha1, base->sha1, 0, 0, "", base->hard_link_group});
      }
    }
    std::sort(plan_.replaced.begin(), plan_.replaced.end(),
              [](const StagedFile& a, const StagedFile& b) { return a.path < b.path; });
  }

  // A renamed directory brings everything its origin held (one wimlib
  // RENAME); what the state no longer has below it (a later step or a hand
  // edit deleted it: the delta then has no entry there, since the base has
  // nothing at that path) is deleted at its new place. Paths the state
  // still has, or has replaced (add_entry deletes those), and paths a rename
  // of their own moved out are left alone, and nothing below them.
  void delete_what_renamed_directories_lost() {
    for (const auto& [from, to] : plan_.renames) {
      // Handled with all below them. A set, since the listing's order puts
      // "a/b c" between "a/b" and "a/b/d".
      std::set<std::string> skipped;
      base_.for_each_below(from, [&](const std::string& source, const BaseEntry&) {
        std::string path = to + source.substr(from.size());
        for (std::string a = parent_image_path(path); a.size() > to.size();
             a = parent_image_path(a))
          if (skipped.count(a) != 0) return;
        if (const DeltaEntry* e = delta_.find(path); e != nullptr) {
          if (e->kind != FileKind::kDirectory || e->replaces_base) skipped.insert(path);
          return;
        }
        // Only renames below `from` count: `from` itself carried `source`.
        if (!moved_away(source, from)) plan_.deletions.push_back(path);
        skipped.insert(path);
      });
    }
  }

  // A move into a directory the commit adds (`mkdir d; mv f d/`) is still
  // a rename: the directory is made before the renames, and what the base
  // had at its path is deleted before that.
  void make_directories_renamed_into() {
    for (const std::string& dir : plan_.directories) {
      if (std::none_of(plan_.renames.begin(), plan_.renames.end(), [&](const auto& rename) {
            return rename.second != dir && image_path_within(rename.second, dir);
          }))
        continue;
      plan_.directories_before_renames.push_back(dir);
      auto replaced = std::find(plan_.deletions.begin(), plan_.deletions.end(), dir);
      if (replaced == plan_.deletions.end()) continue;
      plan_.deletions.erase(replaced);
      plan_.deletions_before_renames.push_back(dir);
    }
  }

  const StateDelta& delta_;
  const BaseListing& base_;
  const BlobStore& blobs_;
  CommitPlan plan_;
  // Base path → the path the commit renames it to, or the remaining name
  // its other names link to.
  std::map<std::string, std::string> survivors_;
};

}  // namespace

CommitPlan CommitPlanner::commit_plan() const {
  const ServicedMountImpl& m = *m_;
  return PlanBuilder(m.delta, m.listing(), m.blobs).build();
}

CommitPlan CommitPlanner::commit_plan_with_untracked() const {
  ServicedMountImpl& m = *m_;
  TreeChanges changes = WorkingTree(m).scan_untracked_changes();
  std::vector<std::string> paths = changes.paths();
  std::sort(paths.begin(), paths.end());
  // Recorded as record_untracked_changes records them, but into a copy of
  // the delta; the index changes only in memory and is never saved here,
  // and the tree is not written (`preview`).
  StateDelta d = m.delta;
  StepRecording(m, d, /*preview=*/true).record_paths(d, m.hand_edit_step(changes, paths));
  return PlanBuilder(d, m.listing(), m.blobs).build();
}

void CommitPlanner::release_base_listing() const { m_->base_listing.reset(); }

}  // namespace dismake
