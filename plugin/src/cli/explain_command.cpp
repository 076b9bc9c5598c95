// `dismake explain <mount-dir|build-dir> [<step>] [--json]`: for the last
// build of each image, every step's key inputs (op spec, input digests,
// parent state, base identity) and which of them differ from the build of
// that step before. It reads the mounts' StepHistory; given a build
// directory it finds the mounts through the recipes the CMake module wrote.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/ops/registry_settings.h"
#include "dismake/ops/step_history.h"
#include "dismake/store/mount_record.h"

namespace dismake::cli {

namespace {

using nlohmann::json;

constexpr size_t kKeyShown = 16;

bool is_mount(const fs::path& dir) { return fs::exists(MountPaths::of(dir).record_file()); }

// The mount directories named by the recipe.json files the module writes
// (<build>/.../dismake/<image>/recipe.json), without walking into mounts.
std::vector<fs::path> mounts_of_build_dir(const fs::path& build_dir) {
  std::vector<fs::path> mounts;
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(build_dir, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    if (it->is_directory() && !it->is_symlink()) {
      std::string name = path.filename().string();
      if (is_mount(path) || name == "CMakeFiles" || path.extension() == ".dismake")
        it.disable_recursion_pending();
      continue;
    }
    if (path.filename() != "recipe.json" ||
        path.parent_path().parent_path().filename() != "dismake")
      continue;
    try {
      json recipe = json::parse(read_file(path));
      mounts.push_back(recipe.at("mount").at("mount_dir").get<std::string>());
    } catch (const std::exception&) {
      continue;  // not one of ours
    }
  }
  std::sort(mounts.begin(), mounts.end());
  return mounts;
}

std::vector<fs::path> mounts_of(const fs::path& dir) {
  if (is_mount(dir)) return {absolute_path(dir)};
  if (!fs::is_directory(dir))
    throw Error(hr::kPathNotFound, "'" + dir.string() + "' is not a directory",
                "give a mount directory or a CMake build directory");
  std::vector<fs::path> mounts = mounts_of_build_dir(dir);
  if (mounts.empty())
    throw Error(hr::kNotFound,
                "'" + dir.string() + "' is neither a mount nor a build directory with images",
                "give the MOUNT_DIR of an image, or the build directory after a build");
  return mounts;
}

json input_json(const InputEntry& input, const std::optional<StepRecord>& previous) {
  json j = {{"path", input.path}, {"shown", input.shown}, {"digest", input.digest}};
  if (!previous) return j;
  j["changed"] = true;
  j["previous_digest"] = nullptr;
  for (const InputEntry& old : previous->inputs)
    if (old.path == input.path) {
      j["previous_digest"] = old.digest;
      j["changed"] = old.digest != input.digest;
    }
  return j;
}

json step_json(const StepHistory& history, const std::string& step) {
  json j = {{"step", step}};
  std::optional<StepRecord> record = history.load(step);
  if (!record) {
    j["recorded"] = false;
    return j;
  }
  std::optional<StepRecord> previous = history.load_previous(step);
  j["recorded"] = true;
  j["ran_in_last_build"] = record->build == history.build();
  j["build"] = record->build;
  j["action"] = record->action;
  j["reasons"] = record->reasons;
  j["op"] = record->op;
  j["spec"] = record->spec;
  j["parent"] = record->parent;
  j["base"] = record->base;
  j["key"] = record->key;
  json inputs = json::array();
  for (const InputEntry& input : record->inputs) inputs.push_back(input_json(input, previous));
  json removed = json::array();
  if (previous) {
    for (const InputEntry& old : previous->inputs) {
      bool kept = false;
      for (const InputEntry& input : record->inputs) kept = kept || input.path == old.path;
      if (!kept)
        removed.push_back({{"path", old.path}, {"shown", old.shown}, {"digest", old.digest}});
    }
  }
  j["inputs"] = inputs;
  j["removed_inputs"] = removed;
  if (previous) {
    j["previous"] = {{"step", previous->step}, {"build", previous->build},
                     {"spec", previous->spec}, {"parent", previous->parent},
                     {"base", previous->base}, {"key", previous->key}};
    j["differs"] = {{"step", previous->step != step},
                    {"spec", previous->spec != record->spec},
                    {"parent", previous->parent != record->parent},
                    {"base", previous->base != record->base}};
  } else {
    j["previous"] = nullptr;
  }
  return j;
}

json image_json(const fs::path& mount_dir, const std::string& only_step) {
  MountPaths paths = MountPaths::existing(mount_dir);
  StepHistory history(paths.record_dir);
  json j = {{"mount_dir", paths.mount_dir.string()}, {"build", history.build()}};
  if (std::optional<EnsureRecord> ensure = history.ensure())
    j["ensure"] = {{"action", ensure->action},
                   {"reason", ensure->reason},
                   {"base", ensure->base},
                   {"recipe", ensure->recipe},
                   {"recipe_changed", ensure->recipe_changed}};
  json steps = json::array();
  for (const std::string& step : history.steps()) {
    // A step is named by its full name ("003-add") or its number ("3").
    if (!only_step.empty() && step != only_step && std::to_string(step_number(step)) != only_step &&
        step.substr(0, 3) != only_step)
      continue;
    steps.push_back(step_json(history, step));
  }
  j["steps"] = steps;
  return j;
}

std::string short_key(const json& key) {
  std::string text = key.is_string() ? key.get<std::string>() : "";
  return text.substr(0, kKeyShown);
}

std::string joined(const json& reasons) {
  std::string text;
  for (const json& reason : reasons) text += (text.empty() ? "" : ", ") + reason.get<std::string>();
  return text;
}

// A spec with a list of values (set-registry-values): one line a value.
bool is_value_run(const json& spec) {
  return spec.is_object() && spec.contains("values") && spec["values"].is_array() &&
         !spec["values"].empty() && spec["values"][0].is_object();
}

// The values of a run, marking those that differ from the previous build's
// (`previous`, when the spec differs) at the same place.
void print_value_run(const char* mark, const std::string& op, const json& values,
                     const json* previous) {
  const json* before = previous && is_value_run(*previous) ? &(*previous)["values"] : nullptr;
  std::string was;
  if (previous && (!before || before->size() != values.size()))
    was = before ? "  (was " + std::to_string(before->size()) + " values)"
                 : "  (was " + previous->dump() + ")";
  std::printf("  %sspec    %s, %zu values%s\n", mark, op.c_str(), values.size(), was.c_str());
  for (size_t i = 0; i < values.size(); ++i) {
    bool differs = before && before->size() == values.size() && (*before)[i] != values[i];
    std::printf("    %s%s%s\n", differs ? "* " : "  ", registry_setting_line(values[i]).c_str(),
                differs ? ("  (was " + registry_setting_line((*before)[i]) + ")").c_str() : "");
  }
}

void print_step(const json& s) {
  std::string step = s["step"];
  if (!s["recorded"].get<bool>()) {
    std::printf("%s: nothing to explain (a session step, or never run)\n", step.c_str());
    return;
  }
  std::string action = s["action"];
  std::string reasons = joined(s["reasons"]);
  std::string what = std::string(action == "restored"     ? "restored from cache"
                                 : action == "up-to-date" ? "up to date"
                                                          : "ran") +
                     (reasons.empty() ? "" : " (" + reasons + ")");
  if (!s["ran_in_last_build"].get<bool>()) {
    // What is listed below is the record of the build it last ran in, its
    // marks what changed for that run: said here, so that a marked input
    // does not read as changed now.
    std::printf(
        "%s: not run in the last build: nothing it reads changed since build %ld, where it "
        "%s\n",
        step.c_str(), s["build"].get<long>(), what.c_str());
  } else {
    std::printf("%s: %s\n", step.c_str(), what.c_str());
  }
  bool has_previous = !s["previous"].is_null();
  auto mark = [&](const char* field) {
    return has_previous && s["differs"][field].get<bool>() ? "* " : "  ";
  };
  auto was = [&](const char* field) {
    return has_previous && s["differs"][field].get<bool>()
               ? "  (was " + short_key(s["previous"][field]) + ")"
               : std::string();
  };
  const json* previous_spec =
      has_previous && s["differs"]["spec"].get<bool>() ? &s["previous"]["spec"] : nullptr;
  if (is_value_run(s["spec"])) {
    print_value_run(mark("spec"), s["op"].get<std::string>(), s["spec"]["values"], previous_spec);
  } else {
    std::printf("  %sspec    %s %s%s\n", mark("spec"), s["op"].get<std::string>().c_str(),
                s["spec"].dump().c_str(),
                previous_spec ? ("  (was " + previous_spec->dump() + ")").c_str() : "");
  }
  std::printf("  %sparent  %s%s\n", mark("parent"), short_key(s["parent"]).c_str(),
              was("parent").c_str());
  std::printf("  %sbase    %s%s\n", mark("base"), short_key(s["base"]).c_str(),
              was("base").c_str());
  if (has_previous && s["differs"]["step"].get<bool>())
    std::printf("  * was step %s\n", s["previous"]["step"].get<std::string>().c_str());
  for (const json& input : s["inputs"]) {
    bool changed = input.value("changed", false);
    std::string before;
    if (changed)
      before = input["previous_digest"].is_null()
                   ? "  (new)"
                   : "  (was " + input["previous_digest"].get<std::string>().substr(0, 23) + ")";
    std::printf("  %sinput   %s %s%s\n", changed ? "* " : "  ",
                input["shown"].get<std::string>().c_str(),
                input["digest"].get<std::string>().substr(0, 23).c_str(), before.c_str());
  }
  for (const json& input : s["removed_inputs"])
    std::printf("  * input   %s (removed)\n", input["shown"].get<std::string>().c_str());
}

void print_image(const json& image) {
  std::printf("%s (build %ld)\n", image["mount_dir"].get<std::string>().c_str(),
              image["build"].get<long>());
  if (image.contains("ensure")) {
    const json& e = image["ensure"];
    std::string text = e["action"].get<std::string>();
    if (!e["reason"].get<std::string>().empty())
      text += " (" + e["reason"].get<std::string>() + ")";
    if (e["recipe_changed"].get<bool>()) text += "; recipe changed";
    std::printf("000-ensure: %s\n  base    %s\n", text.c_str(), short_key(e["base"]).c_str());
  }
  for (const json& step : image["steps"]) print_step(step);
}

}  // namespace

void add_explain_command(CLI::App& app, Action& run) {
  auto dir = std::make_shared<std::string>();
  auto step = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "explain", "Why each step of the last build ran: its key inputs and which ones changed");
  cmd->add_option("dir", *dir, "A mount directory, or a CMake build directory")->required();
  cmd->add_option("step", *step, "Only this step (\"003-add\" or its number \"3\")");
  cmd->add_flag("--json", *as_json, "Print JSON for machines");
  cmd->callback([=, &run] {
    run = [=] {
      json images = json::array();
      for (const fs::path& mount : mounts_of(*dir)) images.push_back(image_json(mount, *step));
      if (*as_json) {
        std::printf("%s\n", json{{"images", images}}.dump(2).c_str());
        return;
      }
      for (size_t i = 0; i < images.size(); ++i) {
        if (i) std::printf("\n");
        print_image(images[i]);
      }
    };
  });
}

}  // namespace dismake::cli
