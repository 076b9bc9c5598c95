#include "dismake/ops/step_runner.h"

#include "dismake/base/error.h"
#include "dismake/base/phase_timer.h"
#include "dismake/ops/stamp.h"
#include "dismake/ops/step_history.h"
#include "dismake/session/open_sessions.h"
#include "dismake/store/mount_store.h"

namespace dismake {

using nlohmann::json;

namespace {

std::string parent_state(const ServicedMount& mount, const StepOptions& options) {
  if (!options.after) return mount.state().head().current_key;
  return Stamp::load(*options.after).state;
}

// Runs the op from `parent`, recording the result as state `key`.
void apply(ServicedMount& mount, Op& op, const std::string& key, const std::string& parent,
           const json& spec) {
  if (!mount.state().catalog().contains(parent))
    throw Error(hr::kNotFound, "the step's parent state is unknown to this mount",
                "build the steps before it again (the mount was made anew), or build from clean");
  // A refused op leaves the mount in the state it was in, not at the parent.
  std::string original = mount.state().head().current_key;
  try {
    PhaseTimer timer("step: restored to its parent and checked");
    mount.tree().restore_to(parent, /*synced=*/false);  // the step's own sync covers it
    op.check(mount);
  } catch (...) {
    mount.tree().restore_to(original);
    throw;
  }
  mount.steps().begin_step(key, parent);
  StepChanges changes;
  try {
    {
      PhaseTimer timer("step: op applied");
      changes = op.apply(mount);
    }
    PhaseTimer timer("step: changes recorded");
    mount.steps().finish_step(key, parent, spec, changes);  // refuses what it cannot record
  } catch (...) {
    mount.tree().restore_tracked();  // the step never happened
    throw;
  }
}

// Records the step's key inputs and sets the outcome's reasons (build steps
// only: the step is named after its stamp).
void record_history(const ServicedMount& mount, const Op& op, const json& spec_args,
                    const InputSet& inputs, const std::string& parent, const StepOptions& options,
                    StepOutcome& outcome) {
  if (!options.stamp) return;
  StepHistory history(mount.state().paths().record_dir);
  StepRecord record;
  record.step = options.stamp->stem().string();
  record.op = op.name();
  record.spec = spec_args;
  record.inputs = inputs.entries();
  record.parent = parent;
  record.base = mount.state().head().base_key;
  record.key = outcome.key;
  record.build = history.build();
  record.action = step_action_name(outcome.action);
  std::optional<StepRecord> previous;
  record.reasons = reasons_step_ran(record, history.previous_build(), &previous);
  if (record.reasons == std::vector<std::string>{"an earlier step changed the image"}) {
    std::string earlier = history.last_change_before(record.step);
    if (!earlier.empty()) record.reasons[0] = "step " + earlier + " changed the image";
  }
  if (outcome.action == StepAction::kUpToDate) record.reasons.clear();
  // The same key as before, yet not in the mount: the mount was made anew.
  if (outcome.action == StepAction::kRan && record.reasons.empty())
    record.reasons.push_back("the image was mounted again");
  outcome.reasons = record.reasons;
  history.save(record, previous);
}

}  // namespace

std::string describe_outcome(const StepOutcome& outcome) {
  std::string text;
  switch (outcome.action) {
    case StepAction::kRan:
      text = "ran";
      break;
    case StepAction::kUpToDate:
      return "up to date";
    case StepAction::kRestored:
      text = "restored from cache";
      break;
  }
  if (outcome.reasons.empty()) return text;
  text += " (";
  for (size_t i = 0; i < outcome.reasons.size(); ++i) text += (i ? ", " : "") + outcome.reasons[i];
  return text + ")";
}

const char* step_action_name(StepAction action) {
  switch (action) {
    case StepAction::kRan:
      return "ran";
    case StepAction::kUpToDate:
      return "up-to-date";
    case StepAction::kRestored:
      return "restored";
  }
  return "ran";
}

StepOutcome run_step(const std::filesystem::path& mount_dir, Op& op, const StepOptions& options) {
  PhaseTimer opening("step: inputs hashed, mount opened");
  InputSet inputs;
  op.collect_inputs(inputs);
  ServicedMount mount = ServicedMount::open(mount_dir);
  OpenSessions(mount.state().paths().mount_dir, mount.state().paths().record_dir)
      .require_named(options.session);
  if (mount.state().record().read_only)
    throw Error(hr::kWriteProtect,
                "the mount '" + mount.state().paths().mount_dir.string() + "' is read-only",
                "mount the image without --readonly to service it");
  mount.tree().roll_back_interrupted_step();
  StepOutcome outcome;
  // By hand (not a build), edits made in the tree become a step of their
  // own, as DISM users mix tools and verbs; a build refuses them.
  if (options.session.empty() && !options.after)
    outcome.hand_edits = mount.steps().record_untracked_changes();
  require_clean(mount);
  opening.stop();

  std::string parent = parent_state(mount, options);
  json spec = {{"op", op.name()}, {"args", op.spec()}};
  std::string spec_text;
  try {
    spec_text = spec.dump();
  } catch (const json::type_error&) {
    throw Error(hr::kNoUnicodeTranslation,
                "the arguments of the " + op.name() + " step are not valid UTF-8",
                "pass paths, names and commands in UTF-8 (Windows names are Unicode)");
  }
  outcome.key = step_key(parent, spec_text, inputs.digest());

  if (mount.state().head().current_key == outcome.key) {
    outcome.action = StepAction::kUpToDate;
  } else if (mount.state().catalog().contains(outcome.key)) {
    mount.tree().restore_to(outcome.key);
    outcome.action = StepAction::kRestored;
  } else {
    apply(mount, op, outcome.key, parent, spec);
  }

  PhaseTimer finishing("step: history and stamp written");
  mount.log().append({{"event", "step"},
                      {"op", op.name()},
                      {"key", outcome.key},
                      {"action", step_action_name(outcome.action)},
                      {"spec", spec}});
  record_history(mount, op, op.spec(), inputs, parent, options, outcome);
  if (options.stamp) Stamp{outcome.key, outcome.key, spec}.save(*options.stamp, false);
  if (options.depfile && options.stamp) inputs.write_depfile(*options.depfile, *options.stamp);
  return outcome;
}

}  // namespace dismake
