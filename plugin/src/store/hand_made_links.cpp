// Hard links made in the tree (`ln a b` in a mount): the names a step left
// on one file on disk are recorded as one file with several names
// (DeltaEntry::link_of), as wimlib's NTFS capture takes an NTFS volume's
// hard links. Names that were already one file in the base stay as they are
// (a full mount's tree holds the base's hard links as disk links).
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "step_recording.h"

namespace dismake {

namespace {

using FileId = std::pair<dev_t, ino_t>;

bool file_id(const fs::path& path, FileId& id) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  id = {st.st_dev, st.st_ino};
  return true;
}

}  // namespace

void StepRecording::record_hand_made_links(StateDelta& d) {
  if (linked_files_.empty()) return;
  std::set<std::string> recorded(linked_files_.begin(), linked_files_.end());
  // The files the step recorded with other names, and every name of them
  // the tree has (the index knows each file on disk; it was just updated).
  std::map<FileId, std::vector<std::string>> names;
  for (const std::string& path : linked_files_)
    if (FileId id; file_id(m_.disk(path), id)) names[id];
  std::set<std::uint64_t> inodes;
  for (const auto& [id, unused] : names) inodes.insert(id.second);
  for (const auto& [path, entry] : m_.index.entries()) {
    if (entry.kind != FileKind::kFile || inodes.count(entry.inode) == 0) continue;
    FileId id;
    if (!file_id(m_.disk(path), id)) continue;
    if (auto it = names.find(id); it != names.end()) it->second.push_back(path);
  }
  for (auto& [id, paths] : names) {
    std::sort(paths.begin(), paths.end());
    // The file the others are new names of: a base file (its metadata is
    // the file's), one the step did not record (it was there before), the
    // first name.
    auto rank = [&](const std::string& p) {
      return std::make_pair(!is_base_file_in(d, p), recorded.count(p) != 0);
    };
    const std::string file = *std::min_element(
        paths.begin(), paths.end(),
        [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
    const BaseEntry* file_base = is_base_file_in(d, file) ? m_.listing().find(file) : nullptr;
    for (const std::string& path : paths) {
      const DeltaEntry* entry = d.find(path);
      if (path == file || recorded.count(path) == 0 || entry == nullptr ||
          entry->kind != FileKind::kFile)
        continue;
      // Already one file in the base: the commit keeps them so.
      const BaseEntry* base = is_base_file_in(d, path) ? m_.listing().find(path) : nullptr;
      if (file_base != nullptr && base != nullptr && file_base->hard_link_group != 0 &&
          file_base->hard_link_group == base->hard_link_group)
        continue;
      DeltaEntry linked = *entry;
      linked.link_of = file;
      d.set(path, linked);
    }
  }
}

}  // namespace dismake
