// ensure_mount: the always-run first step of an image build (DESIGN.md,
// "CMake graph"). It makes sure the mount directory is a mount of the wanted
// image, reusing it whenever it can: it mounts when there is none, remounts
// from scratch when the base WIM's identity or the mount's kind changed,
// brings back a working tree that vanished, rolls back a step that was killed,
// and refuses a tree with changes no step made. Each run is a new build for
// the StepHistory. Its stamp changes only when
// the builds that follow must start over.
#pragma once

#include <filesystem>
#include <string>

#include "dismake/base/progress.h"
#include "dismake/ops/step_history.h"
#include "dismake/store/mount_store.h"

namespace dismake {

struct EnsureOptions {
  std::filesystem::path wim;
  int index = 0;     // 1-based; used when no name is given
  std::string name;  // selects by name when not empty
  std::filesystem::path mount_dir;
  bool full = false;             // extract the whole image (else lazy)
  bool verify_full = false;      // check the whole base, even for a reused mount
  std::filesystem::path recipe;  // the build's recipe fingerprint file ("" = none)
  std::filesystem::path stamp;   // written only when its content changed
  ProgressFn progress;
};

// What ensure_mount did (action "mounted", "remounted", "restored-tree" or
// "reused", and why). It also starts a build in the mount's StepHistory.
EnsureRecord ensure_mount(MountStore& store, const EnsureOptions& options);

// "mounted (first build)", "up to date (recipe changed)", ...: the outcome as
// the console shows it.
std::string describe_ensure(const EnsureRecord& record);

}  // namespace dismake
