// Recording what a step wrote (step_recording.h).
#include "step_recording.h"

#include <algorithm>

#include "dismake/base/files.h"
#include "dismake/store/image_path.h"
#include "dismake/store/windows_name.h"

namespace dismake {

StepRecording::StepRecording(ServicedMountImpl& mount, const StateDelta& d, bool preview)
    : m_(mount),
      preview_(preview),
      hand_links_in_delta_(std::any_of(d.entries().begin(), d.entries().end(),
                                       [](const auto& e) { return !e.second.link_of.empty(); })) {}

// The paths a step changed (moves among them are renames), as they are on
// disk now, into `d` and the index: how a step and a preview of one record.
void StepRecording::record_paths(StateDelta& d, const StepChanges& changes) {
  std::vector<std::string> paths = changes.paths;
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  moves_ = changes.moves;
  linked_files_.clear();
  try {
    for (const std::string& path : paths) record_path(d, path);
    record_hand_made_links(d);
  } catch (...) {
    moves_.clear();
    throw;
  }
  moves_.clear();
}

// A path a step changed, as it is on disk now, into `d` and the index.
void StepRecording::record_path(StateDelta& d, const std::string& path) {
  std::error_code ec;
  fs::file_status status = fs::symlink_status(m_.disk(path), ec);
  if (!fs::exists(status)) {
    d.reset(path);
    if (path_in_state(d, m_.listing(), path).source == PathInState::Source::kBase)
      d.set(path, DeltaEntry{});
    m_.index.forget(path);
    return;
  }
  // A name a step made (a run step's command can make any) must be one
  // Windows can store; the base's own names are kept as they are.
  if (m_.listing().find(path) == nullptr)
    check_windows_name(path.substr(path.rfind('/') + 1), m_.disk(path).string());
  make_ancestors_directories(d, path);
  if (fs::is_symlink(status)) {
    DeltaEntry entry{FileKind::kSymlink};
    entry.symlink_target = fs::read_symlink(m_.disk(path)).string();
    d.set(path, entry);
    m_.index.record(m_.paths.mount_dir, path, "");
  } else if (fs::is_directory(status)) {
    record_directory(d, path);
  } else {
    if (std::uintmax_t names = fs::hard_link_count(m_.disk(path), ec); !ec && names > 1)
      linked_files_.push_back(path);
    StoredBlob blob = m_.blobs.put(m_.disk(path));
    DeltaEntry entry{FileKind::kFile, blob.sha256, blob.sha1, blob.size};
    carry_metadata(d, path, entry);
    std::vector<std::string> linked;
    const DeltaEntry* old = d.find(path);
    if (entry.origin.empty() && entry.sha1 != sha1_in(d, path) &&
        (is_base_file_in(d, path) || hand_links_in_delta_))
      linked = linked_names(d, path);
    // Still a name of the file it was made a link of (hand_made_links.cpp),
    // which gets the new content too.
    if (old != nullptr && !old->link_of.empty() &&
        std::find(linked.begin(), linked.end(), old->link_of) != linked.end())
      entry.link_of = old->link_of;
    d.set(path, entry);
    m_.index.forget(path);
    m_.index.record(m_.paths.mount_dir, path, blob.sha1);
    rewrite_other_links(d, path, entry, linked);
  }
}

// What the state before the step says of the moved path a step's move put
// at `path` ("" when `path` was not moved).
// The deepest move counts: a file moved into a directory that was itself
// moved comes from its own origin.
std::string StepRecording::moved_from(const std::string& path) const {
  const std::pair<std::string, std::string>* by = nullptr;
  for (const auto& move : moves_)
    if (image_path_within(path, move.second) &&
        (by == nullptr || move.second.size() > by->second.size()))
      by = &move;
  return by == nullptr ? "" : by->first + path.substr(by->second.size());
}

// The base path whose Windows metadata the entry at `path` of `d` carries.
std::string StepRecording::origin_in(const StateDelta& d, const std::string& path) const {
  const DeltaEntry* e = d.find(path);
  if (e != nullptr && !e->origin.empty()) return e->origin;
  return is_base_file_in(d, path) ||
                 path_in_state(d, m_.listing(), path).source == PathInState::Source::kBase
             ? path
             : "";
}

// True when `path` in `d` is the base's own file (its content maybe new).
bool StepRecording::is_base_file_in(const StateDelta& d, const std::string& path) const {
  const BaseEntry* b = m_.listing().find(path);
  if (b == nullptr || b->is_directory || b->is_reparse_point) return false;
  if (base_hidden_by_ancestor(d, path)) return false;
  const DeltaEntry* e = d.find(path);
  return e == nullptr || (e->kind == FileKind::kFile && e->origin.empty());
}

// A new entry keeps the metadata the path had (an earlier step's attributes
// or descriptor); a moved one that of where it came from.
void StepRecording::carry_metadata(const StateDelta& d, const std::string& path,
                                   DeltaEntry& entry) const {
  std::string from = moved_from(path);
  if (from.empty()) {
    if (const DeltaEntry* old = d.find(path); old != nullptr && old->kind == entry.kind)
      entry.keep_metadata_of(*old);
    return;
  }
  // Moves are resolved against the state before the step (`delta`).
  if (const DeltaEntry* old = m_.delta.find(from); old != nullptr && old->kind == entry.kind)
    entry.keep_metadata_of(*old);
  entry.origin = origin_in(m_.delta, from);
}

std::vector<std::string> StepRecording::linked_names(const StateDelta& d,
                                                     const std::string& path) const {
  std::vector<std::string> linked;
  std::string content = sha1_in(d, path);
  auto add = [&](const std::string& name) {
    if (name != path && std::find(linked.begin(), linked.end(), name) == linked.end())
      linked.push_back(name);
  };
  if (is_base_file_in(d, path))
    for (const std::string& other : m_.listing().other_links(path))
      if (is_base_file_in(d, other) && sha1_in(d, other) == content) add(other);
  if (!hand_links_in_delta_) return linked;
  // Names made by hand: of the file `path` is a link of, or of `path`.
  const DeltaEntry* own = d.find(path);
  std::string file = own != nullptr && !own->link_of.empty() ? own->link_of : path;
  if (file != path && sha1_in(d, file) == content) {
    add(file);
    if (is_base_file_in(d, file))
      for (const std::string& other : m_.listing().other_links(file))
        if (is_base_file_in(d, other) && sha1_in(d, other) == content) add(other);
  }
  for (const auto& [name, entry] : d.entries())
    if (entry.kind == FileKind::kFile && entry.link_of == file && entry.sha1 == content) add(name);
  return linked;
}

// The SHA-1 of what `path` holds in `d` ("" when it is no file there).
std::string StepRecording::sha1_in(const StateDelta& d, const std::string& path) const {
  const DeltaEntry* e = d.find(path);
  if (e != nullptr) return e->kind == FileKind::kFile ? e->sha1 : "";
  if (base_hidden_by_ancestor(d, path)) return "";
  const BaseEntry* b = m_.listing().find(path);
  return b != nullptr && !b->is_directory && !b->is_reparse_point ? b->sha1 : "";
}

// Writing a file on Windows writes the one file all its names share: its
// `linked` names (linked_names() before the write) get the new content too,
// keeping what steps gave them, and stay one file in the output
// (commit_plan.h).
void StepRecording::rewrite_other_links(StateDelta& d, const std::string& path,
                                        const DeltaEntry& entry,
                                        const std::vector<std::string>& linked) {
  for (const std::string& other : linked) {
    // Never written through a link the tree may hold where the image has a
    // directory (a hostile tree).
    if (!first_link_below(m_.paths.mount_dir, other, /*include_last=*/true).empty()) continue;
    DeltaEntry rewritten = entry;
    const DeltaEntry* was = d.find(other);
    rewritten.keep_metadata_of(was != nullptr ? *was : DeltaEntry{});
    rewritten.link_of = was != nullptr ? was->link_of : "";
    d.set(other, rewritten);
    if (preview_) continue;
    m_.make_parents(other);
    fs::path copy = temporary_sibling(m_.disk(other));
    copy_file_durable(m_.disk(path), copy, /*durable=*/false);
    fs::rename(copy, m_.disk(other));
    m_.index.forget(other);
    m_.index.record(m_.paths.mount_dir, other, entry.sha1);
  }
}

// A directory that was not one in the state before is recorded with all
// it holds; an existing one only as itself (its changed children are
// reported on their own).
void StepRecording::record_directory(StateDelta& d, const std::string& path) {
  PathInState before = path_in_state(d, m_.listing(), path);
  m_.index.record(m_.paths.mount_dir, path, "");
  if (before.kind() == FileKind::kDirectory) return;
  DeltaEntry entry{FileKind::kDirectory};
  entry.replaces_base = m_.listing().find(path) != nullptr;
  carry_metadata(d, path, entry);
  d.set(path, entry);
  std::vector<std::string> children;
  for (const auto& child : fs::directory_iterator(m_.disk(path)))
    children.push_back(join_image_path(path, child.path().filename().string()));
  std::sort(children.begin(), children.end());
  for (const std::string& child : children) record_path(d, child);
}

void StepRecording::make_ancestors_directories(StateDelta& d, const std::string& path) {
  for (const std::string& a : ancestors_top_down(path)) {
    PathInState want = path_in_state(d, m_.listing(), a);
    if (want.kind() != FileKind::kDirectory) {
      DeltaEntry entry{FileKind::kDirectory};
      entry.replaces_base = m_.listing().find(a) != nullptr;
      d.set(a, entry);
    }
    if (m_.index.find(a) == nullptr) m_.index.record(m_.paths.mount_dir, a, "");
  }
}

}  // namespace dismake

namespace dismake {

// Attribute bits and descriptors a step gave `path` (a file it recorded),
// on top of what earlier steps gave it.
void StepRecording::apply_metadata(StateDelta& d, const std::string& path,
                                   const MetadataStep& change) {
  const DeltaEntry* found = d.find(path);
  if (found == nullptr || found->kind != FileKind::kFile)
    throw Error(hr::kInvalidArg, "'" + path + "' is not a file of the image",
                "attributes and security descriptors are set on files");
  DeltaEntry entry = *found;
  entry.attributes_set = (entry.attributes_set & ~change.attributes_clear) | change.attributes_set;
  entry.attributes_clear =
      (entry.attributes_clear & ~change.attributes_set) | change.attributes_clear;
  if (!change.security_from.empty()) entry.security_from = change.security_from;
  d.set(path, entry);
}

}  // namespace dismake
