// run_step: one build step, as DESIGN.md's state model runs it. The step's
// key is H(parent state, op spec, input digests). If the mount is already in
// that state nothing happens; if the state is known (an earlier build made
// it) the tree is restored to it; otherwise the tree is restored to the
// parent state, the step is recorded as under way (write-ahead), the op runs,
// and what it changed becomes the new state. A step killed half-way is rolled
// back by the next one. A build step (one with a stamp) also records its key
// inputs in the mount's StepHistory, and says why it ran. Changes no step
// made are refused in a build (a step with a session or --after); by hand
// they are first recorded as a step of their own.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dismake/ops/op.h"

namespace dismake {

struct StepOptions {
  std::string session;                           // must be open on the mount ("" = none)
  std::optional<std::filesystem::path> after;    // the previous step's stamp
  std::optional<std::filesystem::path> stamp;    // written when the step runs
  std::optional<std::filesystem::path> depfile;  // for Ninja: every input read
};

enum class StepAction { kRan, kUpToDate, kRestored };
const char* step_action_name(StepAction action);  // "ran", "up-to-date", "restored"

struct StepOutcome {
  StepAction action = StepAction::kRan;
  std::string key;  // also the state the mount is in now
  // Why it ran or was restored, from the step's history (build steps only:
  // those with a stamp, named after it); empty when up to date.
  std::vector<std::string> reasons;
  // The untracked paths recorded first as an "edits by hand" step (by hand
  // only: without a session or --after).
  std::vector<std::string> hand_edits;
};

// "ran (input overlay/app.ini changed)", "restored from cache (...)", "up to
// date": the outcome as the console shows it.
std::string describe_outcome(const StepOutcome& outcome);

StepOutcome run_step(const std::filesystem::path& mount_dir, Op& op, const StepOptions& options);

}  // namespace dismake
