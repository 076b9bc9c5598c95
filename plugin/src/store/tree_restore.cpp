// Writing the working tree to a state: each touched path is made what the
// target state says, from the blob store or the base WIM, keeping the tree
// index in step so that the next scan sees no change.
#include "dismake/base/files.h"
#include "serviced_mount_impl.h"

namespace dismake {

// Makes `path` on disk what `want` says, keeping the index in step.
void ServicedMountImpl::put(const std::string& path, const PathInState& want,
                            const StateDelta& target) {
  // A path below a link (one a state put there before this path's turn) is
  // not in the tree at all: touching it would touch wherever the link points.
  if (!first_link_below(paths.mount_dir, path, /*include_last=*/false).empty()) {
    index.forget(path);
    return;
  }
  switch (want.source) {
    case PathInState::Source::kAbsent:
      remove_recursively(disk(path));
      index.forget(path);
      return;
    case PathInState::Source::kBase:
      remove_recursively(disk(path));
      index.forget(path);
      if (head.lazy) return;  // a lazy tree holds base content only where needed
      make_parents(path);
      open_base().extract_paths(record.image_index, paths.mount_dir, {path});
      index.record_tree(paths.mount_dir, path, [&](const std::string& p) { return base_sha1(p); });
      return;
    case PathInState::Source::kDelta:
      put_delta(path, *want.entry, target);
      return;
  }
}

void ServicedMountImpl::put_delta(const std::string& path, const DeltaEntry& entry,
                                  const StateDelta& target) {
  std::error_code ec;
  fs::file_status status = fs::symlink_status(disk(path), ec);
  switch (entry.kind) {
    case FileKind::kFile:
      if (fs::is_directory(status) || fs::is_symlink(status)) remove_recursively(disk(path));
      make_parents(path);
      blobs.copy_to(entry.blob, disk(path));
      index.forget(path);
      index.record(paths.mount_dir, path, entry.sha1);
      return;
    case FileKind::kSymlink:
      remove_recursively(disk(path));
      make_parents(path);
      fs::create_symlink(entry.symlink_target, disk(path));
      index.record(paths.mount_dir, path, "");
      return;
    case FileKind::kDirectory:
      if (!fs::is_directory(status)) remove_recursively(disk(path));
      fs::create_directories(disk(path));
      record_parents(path);
      index.record(paths.mount_dir, path, "");
      if (entry.replaces_base) remove_unwanted_below(path, target);
      return;
    case FileKind::kAbsent:
      return;
  }
}

void ServicedMountImpl::remove_unwanted_below(const std::string& dir, const StateDelta& target) {
  std::vector<std::string> unwanted;
  std::string prefix = dir + "/";
  for (auto it = index.entries().lower_bound(prefix);
       it != index.entries().end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    if (path_in_state(target, listing(), it->first).source == PathInState::Source::kAbsent)
      unwanted.push_back(it->first);
  for (const std::string& path : unwanted) {
    remove_recursively(disk(path));
    index.forget(path);
  }
}

// Makes every path in `touched` what `target` says (parents first).
void ServicedMountImpl::restore_paths(const StateDelta& target,
                                      const std::set<std::string>& touched) {
  for (const std::string& path : touched) put(path, path_in_state(target, listing(), path), target);
}

}  // namespace dismake
