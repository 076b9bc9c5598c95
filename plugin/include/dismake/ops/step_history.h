// StepHistory: what each build step of a mount last ran on, kept in the
// mount's record directory (<mount>.dismake/explain/), so that a build can say
// why a step ran ("ran (input overlay/app.ini changed)") and `dismake explain`
// can show, for the last build, every step's key inputs and which of them
// differ from the build before. Ninja's own `-d explain` cannot: the ensure
// step runs in every build, so every step "depends on" something that ran.
//
// A build is one run of the ensure step (begin_build); the records of the
// steps as they were when it started are "the previous build", which a step
// is compared with, by name first and by what it does when it moved (a step
// inserted or removed before it renumbers it).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dismake/ops/input_set.h"

namespace dismake {

// One run of one step: its key inputs and what the runner did.
struct StepRecord {
  std::string step;  // its name in the build, the stem of its stamp ("003-add")
  std::string op;    // "add", "set-registry-value", ...
  nlohmann::json spec;
  std::vector<InputEntry> inputs;
  std::string parent;  // the state the step started from
  std::string base;    // the mount's base identity (key of the unserviced image)
  std::string key;     // H(parent, spec, inputs): the state the step made
  long build = 0;      // the build that recorded it
  std::string action;  // "ran", "restored", "up-to-date"
  std::vector<std::string> reasons;

  nlohmann::json to_json() const;
  static StepRecord from_json(const nlohmann::json& j);
};

// The step's position in its recipe (the number its name starts with, 0
// when it has none).
int step_number(const std::string& step);

// Why `now` had to run, compared with the records of the previous build:
// "step inserted before it", "input overlay/app.ini changed", ... Sets
// `*previous` to the record it was compared with (none for a new step).
std::vector<std::string> reasons_step_ran(const StepRecord& now,
                                          const std::vector<StepRecord>& previous_build,
                                          std::optional<StepRecord>* previous);

// The result of the ensure step of a build, as explain shows it.
struct EnsureRecord {
  std::string action;  // "mounted", "remounted", "restored-tree", "reused"
  std::string reason;  // why, for a (re)mount; "" otherwise
  std::string base;    // the base identity key
  std::string recipe;  // the recipe fingerprint
  bool recipe_changed = false;
};

class StepHistory {
 public:
  explicit StepHistory(const std::filesystem::path& record_dir);

  // Moves the history out of a record directory about to be removed (a
  // remount) and into the new one; returns where it was kept.
  static std::filesystem::path set_aside(const std::filesystem::path& record_dir);
  static void bring_back(const std::filesystem::path& kept,
                         const std::filesystem::path& record_dir);

  // Starts a build: the records as they are now become the previous build's;
  // with `steps` (the recipe's step names, in order), records of steps no
  // longer in the recipe are dropped once snapshotted.
  void begin_build(const std::optional<std::vector<std::string>>& steps,
                   const EnsureRecord& ensure);

  long build() const;  // the current build (0 before the first)
  std::vector<StepRecord> previous_build() const;
  std::optional<EnsureRecord> ensure() const;
  // The recipe's steps in order, else every recorded step by name.
  std::vector<std::string> steps() const;

  // A step's latest record and the one it was compared with.
  std::optional<StepRecord> load(const std::string& step) const;
  std::optional<StepRecord> load_previous(const std::string& step) const;
  void save(const StepRecord& record, const std::optional<StepRecord>& previous) const;
  // The last step before `step` that ran or was restored in this build ("" if
  // none): the one that changed the state `step` starts from.
  std::string last_change_before(const std::string& step) const;

 private:
  nlohmann::json build_file() const;
  std::filesystem::path dir_;
};

}  // namespace dismake
