#include "dismake/ops/step_runner.h"

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/ops/stamp.h"
#include "dismake/session/session_records.h"
#include "dismake/store/mount_store.h"

namespace dismake {

using nlohmann::json;

namespace {

std::string parent_state(const ServicedMount& mount, const StepOptions& options) {
  if (!options.after) return mount.state().current_key;
  return Stamp::load(*options.after).state;
}

// Runs the op from `parent`, recording the result as state `key`.
void apply(ServicedMount& mount, Op& op, const std::string& key, const std::string& parent,
           const json& spec) {
  if (!mount.catalog().contains(parent))
    throw Error(hr::kNotFound, "the step's parent state is unknown to this mount",
                "build the steps before it again (the mount was made anew), or build from clean");
  // A refused op leaves the mount in the state it was in, not at the parent.
  std::string original = mount.state().current_key;
  try {
    mount.restore_to(parent);
    op.check(mount);
  } catch (...) {
    mount.restore_to(original);
    throw;
  }
  mount.begin_step(key, parent);
  StepChanges changes;
  try {
    changes = op.apply(mount);
  } catch (...) {
    mount.restore_tracked();  // the step never happened
    throw;
  }
  mount.finish_step(key, parent, spec, changes);
}

}  // namespace

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

void require_open_session(const ServicedMount& mount, const std::string& name) {
  if (name.empty()) return;
  for (const SessionRecord& record : SessionRecords(mount.paths().state_dir).list())
    if (record.name == name && !record.stale) return;
  throw Error(
      hr::kInvalidDismSession,
      "no session named '" + name + "' is open on '" + mount.paths().mount_dir.string() + "'",
      "open it first: dismake open-session " + mount.paths().mount_dir.string() + " --name " +
          name);
}

StepOutcome run_step(const std::filesystem::path& mount_dir, Op& op, const StepOptions& options) {
  InputSet inputs;
  op.collect_inputs(inputs);
  ServicedMount mount = ServicedMount::open(mount_dir);
  require_open_session(mount, options.session);
  if (mount.record().read_only)
    throw Error(hr::kWriteProtect,
                "the mount '" + mount.paths().mount_dir.string() + "' is read-only",
                "mount the image without --readonly to service it");
  mount.roll_back_interrupted_step();
  StepOutcome outcome;
  // By hand (not a build), edits made in the tree become a step of their
  // own, as DISM users mix tools and verbs; a build refuses them.
  if (options.session.empty() && !options.after)
    outcome.hand_edits = mount.record_untracked_changes();
  require_clean(mount);

  std::string parent = parent_state(mount, options);
  json spec = {{"op", op.name()}, {"args", op.spec()}};
  outcome.key = Sha256().add("step").add(parent).add(spec.dump()).add(inputs.digest()).hex();

  if (mount.state().current_key == outcome.key) {
    outcome.action = StepAction::kUpToDate;
  } else if (mount.catalog().contains(outcome.key)) {
    mount.restore_to(outcome.key);
    outcome.action = StepAction::kRestored;
  } else {
    apply(mount, op, outcome.key, parent, spec);
  }

  mount.log_event({{"event", "step"},
                   {"op", op.name()},
                   {"key", outcome.key},
                   {"action", step_action_name(outcome.action)},
                   {"spec", spec}});
  if (options.stamp) Stamp{outcome.key, outcome.key, spec}.save(*options.stamp, false);
  if (options.depfile && options.stamp) inputs.write_depfile(*options.depfile, *options.stamp);
  return outcome;
}

}  // namespace dismake
