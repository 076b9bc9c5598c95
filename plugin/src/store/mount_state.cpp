#include "dismake/store/mount_state.h"

#include <algorithm>

#include "dismake/base/case_fold.h"
#include "dismake/base/error.h"
#include "dismake/store/image_path.h"
#include "serviced_mount_impl.h"
#include "step_recording.h"

namespace dismake {

const MountPaths& MountState::paths() const { return m_->paths; }
const MountRecord& MountState::record() const { return m_->record; }
const MountHead& MountState::head() const { return m_->head; }
const StateDelta& MountState::delta() const { return m_->delta; }
const BaseListing& MountState::base() const { return m_->listing(); }
const StateCatalog& MountState::catalog() const { return m_->catalog; }
fs::path MountState::disk_path(const std::string& image_path) const { return m_->disk(image_path); }

FileKind MountState::kind_of(const std::string& image_path) const {
  if (image_path.empty()) return FileKind::kDirectory;
  return path_in_state(m_->delta, m_->listing(), image_path).kind();
}

std::vector<std::string> MountState::names_of_file(const std::string& image_path) const {
  std::vector<std::string> names{image_path};
  const StateDelta& d = m_->delta;
  for (std::string& other : StepRecording(*m_, d).linked_names(d, image_path))
    names.push_back(std::move(other));
  return names;
}

std::string MountState::resolve(const std::string& user_path) const {
  std::string normal = normalize_image_path(user_path);
  std::string resolved;
  size_t start = 0;
  while (start < normal.size()) {
    size_t end = normal.find('/', start);
    if (end == std::string::npos) end = normal.size();
    std::string candidate = join_image_path(resolved, normal.substr(start, end - start));
    if (kind_of(candidate) == FileKind::kAbsent) {
      std::optional<std::string> spelled = m_->listing().find_folded(candidate);
      if (spelled && kind_of(*spelled) != FileKind::kAbsent) {
        candidate = *spelled;
      } else {
        std::string folded = fold_case(candidate);
        for (const auto& [path, entry] : m_->delta.entries()) {
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

void MountState::refuse_links(const std::string& image_path, bool including_self) const {
  std::vector<std::string> candidates = ancestors_top_down(image_path);
  if (including_self && !image_path.empty()) candidates.push_back(image_path);
  std::string link;
  for (const std::string& path : candidates) {
    if (kind_of(path) == FileKind::kSymlink) {
      link = path;
      break;
    }
  }
  std::string on_disk = first_link_below(m_->paths.mount_dir, image_path, including_self);
  if (link.empty() || (!on_disk.empty() && on_disk.size() < link.size())) link = on_disk;
  if (link.empty()) return;
  std::error_code ec;
  fs::path target = fs::read_symlink(m_->disk(link), ec);
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

}  // namespace dismake
