// `dismake ensure | status | restore`: what a build needs around its steps.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dismake/base/error.h"
#include "dismake/ops/ensure_mount.h"
#include "dismake/session/session_records.h"
#include "dismake/store/serviced_mount.h"
#include "outcome.h"
#include "progress_printer.h"
#include "store_with_session_rule.h"

namespace dismake::cli {

namespace {

using nlohmann::json;

void run_ensure(EnsureOptions options, bool quiet) {
  // A mount being replaced is unmounted under the session rule, as any.
  MountStore store = store_with_session_rule();
  options.progress = progress_printer("mount", quiet);
  EnsureRecord record = ensure_mount(store, options);
  std::printf("dismake: ensure %s: %s\n", options.mount_dir.c_str(), record.action.c_str());
  report_outcome(describe_ensure(record));
}

void add_ensure(CLI::App& app, Action& run) {
  auto options = std::make_shared<EnsureOptions>();
  options->index = kNoIndex;
  auto wim = std::make_shared<std::string>();
  auto mount_dir = std::make_shared<std::string>();
  auto recipe = std::make_shared<std::string>();
  auto stamp = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "ensure", "Make a directory a mount of an image, reusing an existing one (build step)");
  cmd->add_option("--wim", *wim, "The base WIM file")->required();
  cmd->add_option("--index", options->index, "The image's index");
  cmd->add_option("--name", options->name, "The image's name");
  cmd->add_option("--mount-dir", *mount_dir, "The mount directory")->required();
  cmd->add_flag("--full", options->full, "Extract the whole image (default: lazy)");
  cmd->add_flag("--verify", options->verify_full,
                "Check the whole base WIM (default: what is read of it, and its integrity table)");
  cmd->add_option("--recipe", *recipe, "The build's recipe fingerprint file");
  cmd->add_option("--stamp", *stamp, "The stamp, rewritten only when the mount changed");
  cmd->add_flag("--quiet", *quiet, "Show no progress");
  cmd->callback([=, &run] {
    run = [=] {
      EnsureOptions o = *options;
      o.wim = *wim;
      o.mount_dir = *mount_dir;
      o.recipe = *recipe;
      o.stamp = *stamp;
      if ((o.index == kNoIndex) == o.name.empty())
        throw dismake::Error(hr::kInvalidArg, "ensure needs exactly one of --index and --name",
                             "see `dismake info` for the images");
      run_ensure(o, *quiet);
    };
  });
}

// The steps that made the current state, oldest first.
std::vector<json> applied_steps(const ServicedMount& mount) {
  std::vector<json> steps;
  std::string key = mount.state().head().current_key;
  while (!key.empty() && key != mount.state().head().base_key) {
    std::optional<StateRecord> record = mount.state().catalog().load(key);
    if (!record) break;
    steps.insert(steps.begin(), json{{"key", key}, {"spec", record->spec}});
    key = record->parent;
  }
  return steps;
}

json status_json(ServicedMount mount) {
  TreeChanges untracked = mount.tree().scan_untracked_changes();
  json sessions = json::array();
  for (const SessionRecord& r : SessionRecords(mount.state().paths().record_dir).list())
    sessions.push_back({{"name", r.name},
                        {"owner", session_owner_name(r.owner)},
                        {"pid", r.pid},
                        {"stale", r.stale}});
  return {{"mount_dir", mount.state().paths().mount_dir.string()},
          {"image_file", mount.state().record().wim_path.string()},
          {"index", mount.state().record().image_index},
          {"lazy", mount.state().head().lazy},
          {"base_state", mount.state().head().base_key},
          {"current_state", mount.state().head().current_key},
          {"interrupted_step", mount.state().head().pending_key},
          {"steps", applied_steps(mount)},
          {"changed_paths", mount.state().delta().entries().size()},
          {"untracked",
           {{"added", untracked.added},
            {"modified", untracked.modified},
            {"deleted", untracked.deleted},
            {"replaced", untracked.retyped}}},
          {"sessions", sessions}};
}

void print_status(const json& s) {
  std::printf("Mount Dir : %s\nImage File : %s\nImage Index : %d\nMaterialization : %s\n",
              s["mount_dir"].get<std::string>().c_str(), s["image_file"].get<std::string>().c_str(),
              s["index"].get<int>(), s["lazy"].get<bool>() ? "lazy" : "full");
  std::printf("State : %s\n", s["current_state"].get<std::string>().substr(0, 16).c_str());
  std::printf("Steps applied : %zu\n", s["steps"].size());
  for (const json& step : s["steps"])
    std::printf("  %s %s\n", step["spec"]["op"].get<std::string>().c_str(),
                step["spec"]["args"].dump().c_str());
  if (!s["interrupted_step"].get<std::string>().empty())
    std::printf("Interrupted step : yes (rolled back by the next step or `dismake restore`)\n");
  std::printf("Untracked changes :");
  bool any = false;
  for (const auto& [kind, paths] : s["untracked"].items())
    for (const json& path : paths) {
      std::printf("\n  %s %s", kind.c_str(), path.get<std::string>().c_str());
      any = true;
    }
  std::printf("%s\n", any ? "\n(`dismake restore` discards them)" : " none");
  for (const json& session : s["sessions"])
    std::printf("Session : %s (%s)\n", session["name"].get<std::string>().c_str(),
                session["owner"].get<std::string>().c_str());
}

void add_status_and_restore(CLI::App& app, Action& run) {
  auto mount_dir = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  CLI::App* status =
      app.add_subcommand("status", "Show a mount's state, applied steps and untracked changes");
  status->add_option("mount-dir", *mount_dir, "The mount directory")->required();
  status->add_flag("--json", *as_json, "Print JSON for machines");
  status->callback([=, &run] {
    run = [=] {
      json s = status_json(ServicedMount::open_for_reading(*mount_dir));
      if (*as_json) {
        std::printf("%s\n", s.dump(2).c_str());
      } else {
        print_status(s);
      }
    };
  });

  auto restore_dir = std::make_shared<std::string>();
  CLI::App* restore = app.add_subcommand(
      "restore", "Discard changes in a mount that no step made, and roll back an interrupted step");
  restore->add_option("mount-dir", *restore_dir, "The mount directory")->required();
  restore->callback([=, &run] {
    run = [=] {
      ServicedMount mount = ServicedMount::open(*restore_dir);
      std::vector<std::string> touched = mount.tree().restore_tracked();
      for (const std::string& path : touched) std::printf("restored %s\n", path.c_str());
      std::printf("dismake: %s is at its recorded state (%zu paths restored)\n",
                  mount.state().paths().mount_dir.c_str(), touched.size());
    };
  });
}

}  // namespace

void add_build_commands(CLI::App& app, Action& run) {
  add_ensure(app, run);
  add_status_and_restore(app, run);
}

}  // namespace dismake::cli
