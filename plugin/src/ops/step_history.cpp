#include "dismake/ops/step_history.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/ops/registry_settings.h"

namespace dismake {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr size_t kReasonsShown = 3;

json inputs_json(const std::vector<InputEntry>& inputs) {
  json list = json::array();
  for (const InputEntry& input : inputs)
    list.push_back({{"path", input.path}, {"shown", input.shown}, {"digest", input.digest}});
  return list;
}

std::optional<json> read_json(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  try {
    return json::parse(read_file(file));
  } catch (const json::exception&) {
    return std::nullopt;  // a history is a help, never a reason to fail a build
  }
}

std::string shown_value(const json& value) {
  return value.is_string() ? "'" + value.get<std::string>() + "'" : value.dump();
}

// An item of a list argument as a reason names it: a registry value (a run
// of set-registry-values) by its key and name, others by their position.
std::string item_shown(const json& item, size_t index) {
  if (item.is_object() && item.contains("key") && item["key"].is_string() &&
      item.contains("name") && item["name"].is_string())
    return registry_setting_shown(item["key"].get<std::string>(), item["name"].get<std::string>());
  return "item " + std::to_string(index + 1);
}

// What changed in an item: its fields that differ, or the whole item.
std::string item_change(const json& old_item, const json& new_item) {
  if (!old_item.is_object() || !new_item.is_object())
    return shown_value(old_item) + " -> " + shown_value(new_item);
  std::string text;
  for (const auto& [field, value] : new_item.items()) {
    json old_value = old_item.contains(field) ? old_item[field] : json();
    if (old_value == value) continue;
    text += (text.empty() ? "" : ", ") + field + " " + shown_value(old_value) + " -> " +
            shown_value(value);
  }
  return text;
}

// A list argument of the same length (the values of a run) says which of
// its items changed, not the whole list; a list that grew or shrank says so.
void list_changes(const std::string& name, const json& old_list, const json& new_list,
                  std::vector<std::string>& reasons) {
  if (old_list.size() != new_list.size()) {
    reasons.push_back("argument " + name + " has " + std::to_string(new_list.size()) +
                      " items (had " + std::to_string(old_list.size()) + ")");
    return;
  }
  for (size_t i = 0; i < new_list.size(); ++i) {
    if (old_list[i] == new_list[i]) continue;
    std::string item = item_shown(new_list[i], i);
    if (item != item_shown(old_list[i], i)) item += " (was " + item_shown(old_list[i], i) + ")";
    reasons.push_back("argument " + name + ": " + item + " changed (" +
                      item_change(old_list[i], new_list[i]) + ")");
  }
}

std::vector<std::string> spec_changes(const json& old_spec, const json& new_spec) {
  if (!old_spec.is_object() || !new_spec.is_object()) return {"its arguments changed"};
  std::vector<std::string> reasons;
  for (const auto& [name, value] : new_spec.items()) {
    if (!old_spec.contains(name)) {
      reasons.push_back("argument " + name + " added");
    } else if (old_spec[name].is_array() && value.is_array() && !old_spec[name].empty() &&
               old_spec[name][0].is_object()) {
      list_changes(name, old_spec[name], value, reasons);
    } else if (old_spec[name] != value) {
      reasons.push_back("argument " + name + " changed (" + shown_value(old_spec[name]) + " -> " +
                        shown_value(value) + ")");
    }
  }
  for (const auto& [name, value] : old_spec.items())
    if (!new_spec.contains(name)) reasons.push_back("argument " + name + " removed");
  return reasons;
}

std::vector<std::string> input_changes(const std::vector<InputEntry>& old_inputs,
                                       const std::vector<InputEntry>& new_inputs) {
  std::map<std::string, const InputEntry*> old_by_path;
  for (const InputEntry& input : old_inputs) old_by_path[input.path] = &input;
  std::vector<std::string> reasons;
  for (const InputEntry& input : new_inputs) {
    auto it = old_by_path.find(input.path);
    if (it == old_by_path.end()) {
      reasons.push_back("input " + input.shown + " added");
      continue;
    }
    if (it->second->digest != input.digest) reasons.push_back("input " + input.shown + " changed");
    old_by_path.erase(it);
  }
  for (const auto& [path, input] : old_by_path)
    reasons.push_back("input " + input->shown + " removed");
  return reasons;
}

// The previous build's record of the step that does what `now` does and
// sits nearest to it, when it is not at `now`'s own name.
const StepRecord* moved_from(const StepRecord& now, const std::vector<StepRecord>& records) {
  const StepRecord* best = nullptr;
  int number = step_number(now.step);
  for (const StepRecord& record : records) {
    if (record.step == now.step || record.op != now.op || record.spec != now.spec) continue;
    if (!best ||
        std::abs(step_number(record.step) - number) < std::abs(step_number(best->step) - number))
      best = &record;
  }
  return best;
}

const StepRecord* find_step(const std::string& step, const std::vector<StepRecord>& records) {
  for (const StepRecord& record : records)
    if (record.step == step) return &record;
  return nullptr;
}

// Keeps the first few reasons and says how many more there were.
std::vector<std::string> shortened(std::vector<std::string> reasons) {
  if (reasons.size() <= kReasonsShown + 1) return reasons;
  size_t more = reasons.size() - kReasonsShown;
  reasons.resize(kReasonsShown);
  reasons.push_back("and " + std::to_string(more) + " more");
  return reasons;
}

}  // namespace

json StepRecord::to_json() const {
  return {{"step", step},     {"op", op},          {"spec", spec}, {"inputs", inputs_json(inputs)},
          {"parent", parent}, {"base", base},      {"key", key},   {"build", build},
          {"action", action}, {"reasons", reasons}};
}

StepRecord StepRecord::from_json(const json& j) {
  StepRecord r;
  r.step = j.value("step", "");
  r.op = j.value("op", "");
  r.spec = j.value("spec", json());
  for (const json& input : j.value("inputs", json::array()))
    r.inputs.push_back(
        {input.value("path", ""), input.value("shown", ""), input.value("digest", "")});
  r.parent = j.value("parent", "");
  r.base = j.value("base", "");
  r.key = j.value("key", "");
  r.build = j.value("build", 0L);
  r.action = j.value("action", "");
  r.reasons = j.value("reasons", std::vector<std::string>());
  return r;
}

int step_number(const std::string& step) { return std::atoi(step.c_str()); }

std::vector<std::string> reasons_step_ran(const StepRecord& now,
                                          const std::vector<StepRecord>& previous_build,
                                          std::optional<StepRecord>* previous) {
  previous->reset();
  if (previous_build.empty()) return {"first build"};
  std::vector<std::string> reasons;
  const StepRecord* same_place = find_step(now.step, previous_build);
  const StepRecord* compared = nullptr;
  if (same_place && same_place->op == now.op && same_place->spec == now.spec) {
    compared = same_place;
  } else if (const StepRecord* moved = moved_from(now, previous_build)) {
    compared = moved;
    reasons.push_back(step_number(moved->step) < step_number(now.step) ? "step inserted before it"
                                                                       : "step removed before it");
  } else if (same_place && same_place->op == now.op) {
    compared = same_place;
    reasons = spec_changes(same_place->spec, now.spec);
  } else {
    return {"new step"};
  }
  *previous = *compared;
  for (std::string& reason : input_changes(compared->inputs, now.inputs))
    reasons.push_back(std::move(reason));
  if (reasons.empty() && compared->parent != now.parent)
    reasons.push_back(compared->base != now.base ? "the base image changed"
                                                 : "an earlier step changed the image");
  if (reasons.empty() && compared->key != now.key) reasons.push_back("its key changed");
  return shortened(std::move(reasons));
}

StepHistory::StepHistory(const fs::path& record_dir) : dir_(record_dir / "explain") {}

fs::path StepHistory::set_aside(const fs::path& record_dir) {
  fs::path kept = record_dir.string() + ".explain-kept";
  std::error_code ec;
  fs::remove_all(kept, ec);
  if (fs::exists(record_dir / "explain", ec)) fs::rename(record_dir / "explain", kept, ec);
  return kept;
}

void StepHistory::bring_back(const fs::path& kept, const fs::path& record_dir) {
  std::error_code ec;
  if (!fs::exists(kept, ec)) return;
  fs::remove_all(record_dir / "explain", ec);
  fs::rename(kept, record_dir / "explain", ec);
  fs::remove_all(kept, ec);  // when the rename failed: a history is not worth an error
}

json StepHistory::build_file() const {
  std::optional<json> j = read_json(dir_ / "build.json");
  return j && j->is_object() ? *j : json::object();
}

long StepHistory::build() const { return build_file().value("build", 0L); }

void StepHistory::begin_build(const std::optional<std::vector<std::string>>& steps,
                              const EnsureRecord& ensure) {
  fs::create_directories(dir_ / "steps");
  json previous = json::array();
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir_ / "steps")) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::optional<json> j = read_json(file);
    if (j && j->contains("record")) previous.push_back((*j)["record"]);
    std::string step = file.stem().string();
    if (steps && std::find(steps->begin(), steps->end(), step) == steps->end()) fs::remove(file);
  }
  json file = build_file();
  json next = {{"build", file.value("build", 0L) + 1},
               {"steps", steps ? json(*steps) : json()},
               {"previous", previous},
               {"ensure",
                {{"action", ensure.action},
                 {"reason", ensure.reason},
                 {"base", ensure.base},
                 {"recipe", ensure.recipe},
                 {"recipe_changed", ensure.recipe_changed}}}};
  write_file_atomic(dir_ / "build.json", next.dump(1) + "\n");
}

std::vector<StepRecord> StepHistory::previous_build() const {
  std::vector<StepRecord> records;
  for (const json& j : build_file().value("previous", json::array()))
    records.push_back(StepRecord::from_json(j));
  return records;
}

std::optional<EnsureRecord> StepHistory::ensure() const {
  json file = build_file();
  if (!file.contains("ensure")) return std::nullopt;
  const json& j = file["ensure"];
  return EnsureRecord{j.value("action", ""), j.value("reason", ""), j.value("base", ""),
                      j.value("recipe", ""), j.value("recipe_changed", false)};
}

std::vector<std::string> StepHistory::steps() const {
  json file = build_file();
  if (file.contains("steps") && file["steps"].is_array())
    return file["steps"].get<std::vector<std::string>>();
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_ / "steps", ec))
    names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<StepRecord> StepHistory::load(const std::string& step) const {
  std::optional<json> j = read_json(dir_ / "steps" / (step + ".json"));
  if (!j || !j->contains("record")) return std::nullopt;
  return StepRecord::from_json((*j)["record"]);
}

std::optional<StepRecord> StepHistory::load_previous(const std::string& step) const {
  std::optional<json> j = read_json(dir_ / "steps" / (step + ".json"));
  if (!j || !j->contains("previous") || (*j)["previous"].is_null()) return std::nullopt;
  return StepRecord::from_json((*j)["previous"]);
}

std::string StepHistory::last_change_before(const std::string& step) const {
  std::string found;
  long current = build();
  for (const std::string& name : steps()) {
    if (step_number(name) >= step_number(step)) break;
    std::optional<StepRecord> record = load(name);
    if (record && record->build == current && record->action != "up-to-date") found = name;
  }
  return found;
}

void StepHistory::save(const StepRecord& record, const std::optional<StepRecord>& previous) const {
  fs::create_directories(dir_ / "steps");
  json j = {{"record", record.to_json()}, {"previous", previous ? previous->to_json() : json()}};
  write_file_atomic(dir_ / "steps" / (record.step + ".json"), j.dump(1) + "\n");
}

}  // namespace dismake
