// CommitPlanner: what a commit of a serviced mount writes (commit_plan.h),
// made from the mount's current state against its base, with or without
// the untracked changes in its tree.
#pragma once

#include "dismake/store/commit_plan.h"

namespace dismake {

struct ServicedMountImpl;

class CommitPlanner {
 public:
  explicit CommitPlanner(ServicedMountImpl& mount) : m_(&mount) {}

  // What a commit does to the base image to make it the current state
  // (untracked changes are not in it: record_untracked_changes first).
  CommitPlan commit_plan() const;
  // The plan of the current state with the untracked changes on top, as a
  // commit of this mount by hand would write it, without recording them:
  // the mount's state and tree stay as they are (`dismake diff`).
  CommitPlan commit_plan_with_untracked() const;
  // Frees the base listing (loaded again when next needed). A commit drops
  // it once its plan is made, before wimlib loads the image's metadata: a
  // large image's listing and metadata are then never in memory together.
  void release_base_listing() const;

 private:
  ServicedMountImpl* m_;
};

}  // namespace dismake
