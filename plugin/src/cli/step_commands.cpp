// The servicing steps: add, delete, rename, registry edits, unattend, image
// info, run (their table: step_table.h). Each runs through run_step (the
// state model) and prints one line.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "dismake/ops/registry_settings.h"
#include "dismake/ops/step_runner.h"
#include "outcome.h"
#include "step_table.h"

namespace dismake::cli {

namespace {

void run(const StepValues& args, Op& op) {
  StepOutcome outcome = run_step(args.mount_dir, op, args.options());
  if (!outcome.hand_edits.empty()) {
    const std::vector<std::string>& paths = outcome.hand_edits;
    std::string named;
    for (size_t i = 0; i < paths.size() && i < 10; ++i) named += (i ? ", " : "") + paths[i];
    if (paths.size() > 10) named += " and " + std::to_string(paths.size() - 10) + " more";
    std::printf("dismake: edits by hand recorded as a step first: %s\n", named.c_str());
  }
  std::string what = describe_outcome(outcome);
  nlohmann::json spec = op.spec();
  if (spec.contains("values") && spec["values"].is_array()) {
    // A run of registry values: one line a value, for the step's log.
    std::printf("dismake: %s, %zu values: %s\n", op.name().c_str(), spec["values"].size(),
                what.c_str());
    for (const nlohmann::json& value : spec["values"])
      std::printf("  %s\n", registry_setting_line(value).c_str());
  } else {
    std::printf("dismake: %s %s: %s\n", op.name().c_str(), spec.dump().c_str(), what.c_str());
  }
  report_outcome(what);
}

}  // namespace

void add_step_commands(CLI::App& app, Action& run_action) {
  for (const StepCommand& command : step_command_table()) {
    auto values = std::make_shared<StepValues>();
    add_step_command(app, command, values, [&command, values, &run_action] {
      run_action = [&command, values] {
        std::unique_ptr<Op> op = command.make_op(*values);
        run(*values, *op);
      };
    });
  }
}

}  // namespace dismake::cli
