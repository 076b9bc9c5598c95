// Recording what a step wrote: each changed path, as it is on disk, becomes
// a delta entry (files go to the blob store) and a fresh index entry.
#include <algorithm>

#include "dismake/store/windows_name.h"
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
  // A name a step made (a run step's command can make any) must be one
  // Windows can store; the base's own names are kept as they are.
  if (listing().find(path) == nullptr)
    check_windows_name(path.substr(path.rfind('/') + 1), disk(path).string());
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

}  // namespace dismake
