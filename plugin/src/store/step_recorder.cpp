#include "dismake/store/step_recorder.h"

#include <algorithm>
#include <functional>

#include "dismake/base/digest.h"
#include "dismake/base/phase_timer.h"
#include "dismake/store/image_path.h"
#include "dismake/store/mount_log.h"
#include "dismake/store/mount_state.h"
#include "dismake/store/working_tree.h"
#include "serviced_mount_impl.h"
#include "step_recording.h"

namespace dismake {

using nlohmann::json;

void StepRecorder::begin_step(const std::string& key, const std::string& parent) const {
  ServicedMountImpl& m = *m_;
  m.head.pending_key = key;
  m.head.pending_parent = parent;
  // Atomic, not synced: a kill sees the old or the new file whole. After a
  // power cut the journal keeps this rename ahead of the step's own writes,
  // and finish_step's sync makes it durable with them.
  ServicedMountImpl::write_record_file(m.paths.head_file(), m.head.to_text(), /*synced=*/false);
}

void StepRecorder::finish_step(const std::string& key, const std::string& parent, const json& spec,
                               const StepChanges& changes) const {
  ServicedMountImpl& m = *m_;
  StateDelta d = m.delta;
  StepRecording step(m, d);
  PhaseTimer recording("step: changed paths hashed and stored");
  try {
    step.record_paths(d, changes);
  } catch (...) {
    // The paths recorded so far are not the state's: forget them, so that
    // rolling the step back sees every one as changed and puts it back.
    m.index = TreeIndex::load(m.paths.index_file_to_read());
    throw;
  }
  for (const auto& [path, change] : changes.metadata) step.apply_metadata(d, path, change);
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

std::vector<std::string> StepRecorder::record_untracked_changes() const {
  TreeChanges changes = WorkingTree(*m_).scan_untracked_changes();
  std::vector<std::string> paths = changes.paths();
  if (paths.empty()) return paths;
  std::sort(paths.begin(), paths.end());
  // The key of this state: its parent, and what the edited paths now hold.
  Sha256 key;
  key.add(m_->head.current_key).add("edits by hand");
  for (const std::string& path : paths) {
    fs::path disk = m_->disk(path);
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
  std::string parent = m_->head.current_key;
  nlohmann::json spec = {{"op", "edits by hand"}, {"args", {{"paths", paths}}}};
  // No write-ahead: rolling back would delete the edits.
  finish_step(key.hex(), parent, spec, m_->hand_edit_step(changes, paths));
  MountLog(*m_).append({{"event", "step"}, {"op", "edits by hand"}, {"key", key.hex()}});
  return paths;
}

void StepRecorder::set_recipe(const std::string& recipe) const {
  m_->head.recipe = recipe;
  m_->head.save(m_->paths.head_file());
}

// The tree scan lists a new directory as itself. In a lazy mount it may be
// a directory of the state that was never extracted (made again by hand to
// put a file in it): then its contents are what changed, each listed here.
std::vector<std::string> ServicedMountImpl::with_unextracted_contents(
    const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  std::function<void(const std::string&)> add = [&](const std::string& path) {
    out.push_back(path);
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(disk(path), ec)) || index.find(path) != nullptr ||
        MountState(*this).kind_of(path) != FileKind::kDirectory)
      return;
    for (const auto& child : fs::directory_iterator(disk(path))) {
      std::string name = join_image_path(path, child.path().filename().string());
      if (index.find(name) == nullptr) add(name);
    }
  };
  for (const std::string& path : paths) add(path);
  return out;
}

// `mv` in the tree is a rename: the moved files keep their metadata.
StepChanges ServicedMountImpl::hand_edit_step(const TreeChanges& changes,
                                              const std::vector<std::string>& paths) {
  return StepChanges{with_unextracted_contents(paths), {}, changes.moves, {}};
}

}  // namespace dismake
