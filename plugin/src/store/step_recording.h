// StepRecording: one recording of what a step wrote into a mount's tree
// (StepRecorder::finish_step, and the preview of hand edits that
// CommitPlanner::commit_plan_with_untracked makes): each changed path, as
// it is on disk, becomes a delta entry (files go to the blob store) and a
// fresh index entry. It holds what is true only while it lasts: the step's
// moves, the files it left with other names on disk, whether the delta has
// names made by hand. Private to the store.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "serviced_mount_impl.h"

namespace dismake {

class StepRecording {
 public:
  // Recording into `d` (a copy of the mount's delta). `preview`: for a
  // look only, the tree is not written.
  StepRecording(ServicedMountImpl& mount, const StateDelta& d, bool preview = false);

  // The paths a step changed, with its moves, into `d` and the index.
  void record_paths(StateDelta& d, const StepChanges& changes);
  void apply_metadata(StateDelta& d, const std::string& path, const MetadataStep& change);
  // The base's other names of the file at `path` that are still one file
  // with it in `d`: the base's own, with the content `path` has in `d`.
  std::vector<std::string> linked_names(const StateDelta& d, const std::string& path) const;

 private:
  // A path a step changed, as it is on disk now, into `d` and the index.
  void record_path(StateDelta& d, const std::string& path);
  // A directory that was not one in the state before is recorded with all
  // it holds; an existing one only as itself (its changed children are
  // reported on their own).
  void record_directory(StateDelta& d, const std::string& path);
  void make_ancestors_directories(StateDelta& d, const std::string& path);
  void record_hand_made_links(StateDelta& d);  // hand_made_links.cpp
  // Windows metadata: where a recorded entry's comes from.
  std::string moved_from(const std::string& path) const;
  std::string origin_in(const StateDelta& d, const std::string& path) const;
  bool is_base_file_in(const StateDelta& d, const std::string& path) const;
  std::string sha1_in(const StateDelta& d, const std::string& path) const;
  void carry_metadata(const StateDelta& d, const std::string& path, DeltaEntry& entry) const;
  void rewrite_other_links(StateDelta& d, const std::string& path, const DeltaEntry& entry,
                           const std::vector<std::string>& linked);

  ServicedMountImpl& m_;
  bool preview_;
  bool hand_links_in_delta_;  // any entry has link_of: linked_names() looks at them
  std::vector<std::pair<std::string, std::string>> moves_;  // of the step being recorded
  // Files the step recorded that have other names on disk (hand_made_links.cpp).
  std::vector<std::string> linked_files_;
};

}  // namespace dismake
