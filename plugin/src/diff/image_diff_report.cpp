#include "dismake/diff/image_diff_report.h"

namespace dismake {

namespace {

const char* file_change_letter(FileChangeKind kind) {
  switch (kind) {
    case FileChangeKind::kAdded:
      return "A";
    case FileChangeKind::kRemoved:
      return "D";
    case FileChangeKind::kChanged:
      return "M";
    case FileChangeKind::kRetyped:
      return "T";
    case FileChangeKind::kMetadata:
      return "m";
    case FileChangeKind::kRenamed:
      return "R";
  }
  return "M";
}

std::string display_path(const FileChange& change, const std::string& path) {
  bool directory = change.type_after == "directory" ||
                   (change.type_after.empty() && change.type_before == "directory");
  if (path.empty()) return "/";
  return directory ? path + "/" : path;
}

std::string display_path(const FileChange& change) {
  if (change.kind == FileChangeKind::kRenamed)
    return display_path(change, change.path_before) + " -> " + display_path(change, change.path);
  return display_path(change, change.path);
}

std::string bytes(std::uint64_t size) { return std::to_string(size) + " bytes"; }

std::string file_line(const FileChange& change) {
  std::string line =
      std::string("  ") + file_change_letter(change.kind) + "  " + display_path(change);
  switch (change.kind) {
    case FileChangeKind::kAdded:
      if (change.type_after != "directory") line += "  (" + bytes(change.size_after) + ")";
      break;
    case FileChangeKind::kRemoved:
      if (change.type_before != "directory") line += "  (" + bytes(change.size_before) + ")";
      break;
    case FileChangeKind::kChanged:
      line += "  (" + std::to_string(change.size_before) + " -> " + bytes(change.size_after) + ")";
      break;
    case FileChangeKind::kRetyped:
      line += "  (" + change.type_before + " -> " + change.type_after + ")";
      break;
    case FileChangeKind::kRenamed:
      if (change.content_changed)
        line +=
            "  (" + std::to_string(change.size_before) + " -> " + bytes(change.size_after) + ")";
      break;
    case FileChangeKind::kMetadata:
      break;
  }
  line += "\n";
  for (const MetadataChange& m : change.metadata)
    line +=
        "       " + m.field + ": " + (m.before.empty() ? "" : m.before + " -> ") + m.after + "\n";
  return line;
}

std::string summary(const ImageDiff& diff) {
  size_t counts[6] = {};
  for (const FileChange& change : diff.files) ++counts[static_cast<int>(change.kind)];
  std::string text = std::to_string(counts[0]) + " added, " + std::to_string(counts[1]) +
                     " removed, " + std::to_string(counts[5]) + " renamed, " +
                     std::to_string(counts[2]) + " changed, " + std::to_string(counts[3]) +
                     " retyped, " + std::to_string(counts[4]) + " with only metadata changed";
  size_t keys = 0, values = 0;
  for (const HiveChange& hive : diff.hives) {
    keys += hive.registry.keys.size();
    values += hive.registry.values.size();
  }
  if (!diff.hives.empty())
    text += "; registry: " + std::to_string(keys) + " keys and " + std::to_string(values) +
            " values differ in " + std::to_string(diff.hives.size()) + " changed hive" +
            (diff.hives.size() == 1 ? "" : "s");
  return text + "\n";
}

std::string type_name_or_empty(const std::optional<RegistryValue>& value) {
  return value ? registry_type_name(value->type()) : "";
}

std::string data_or_empty(const std::optional<RegistryValue>& value) {
  return value ? format_reg_data(*value, kNoWrap) : "";
}

}  // namespace

std::string format_image_diff(const ImageDiff& diff) {
  std::string out = "--- " + diff.before + "\n+++ " + diff.after + "\n";
  if (diff.empty()) return out + "The images are the same.\n";
  if (!diff.properties.empty()) {
    out += "\nImage properties:\n";
    for (const PropertyChange& p : diff.properties)
      out += "  " + p.name + ": \"" + p.before + "\" -> \"" + p.after + "\"\n";
  }
  if (!diff.files.empty()) {
    out += "\nFiles:\n";
    for (const FileChange& change : diff.files) out += file_line(change);
  }
  out += "\n" + summary(diff);
  bool any_registry = false;
  for (const HiveChange& hive : diff.hives) {
    any_registry = any_registry || !hive.registry.empty();
    if (!hive.problem.empty()) out += "Hive " + hive.path + " not compared: " + hive.problem + "\n";
  }
  if (!any_registry) return out;
  out += "\nRegistry:\nWindows Registry Editor Version 5.00\n\n";
  for (const HiveChange& hive : diff.hives) {
    if (hive.registry.empty()) continue;
    out += "; " + hive.path + "\n\n" + format_registry_diff(hive.registry, hive.root);
  }
  return out;
}

nlohmann::json image_diff_to_json(const ImageDiff& diff) {
  using nlohmann::json;
  json j = {{"before", diff.before},       {"after", diff.after},    {"identical", diff.empty()},
            {"properties", json::array()}, {"files", json::array()}, {"registry", json::array()}};
  for (const PropertyChange& p : diff.properties)
    j["properties"].push_back({{"name", p.name}, {"before", p.before}, {"after", p.after}});
  for (const FileChange& change : diff.files) {
    json metadata = json::array();
    for (const MetadataChange& m : change.metadata)
      metadata.push_back({{"field", m.field}, {"before", m.before}, {"after", m.after}});
    j["files"].push_back({{"path", change.path},
                          {"path_before", change.path_before},
                          {"change", file_change_name(change.kind)},
                          {"content_changed", change.content_changed},
                          {"type_before", change.type_before},
                          {"type_after", change.type_after},
                          {"size_before", change.size_before},
                          {"size_after", change.size_after},
                          {"metadata", metadata}});
  }
  for (const HiveChange& hive : diff.hives) {
    json keys = json::array();
    for (const RegistryKeyChange& key : hive.registry.keys)
      keys.push_back({{"key", key.key}, {"change", registry_change_name(key.kind)}});
    json values = json::array();
    for (const RegistryValueChange& v : hive.registry.values)
      values.push_back({{"key", v.key},
                        {"name", v.name},
                        {"change", registry_change_name(v.kind)},
                        {"type_before", type_name_or_empty(v.before)},
                        {"type_after", type_name_or_empty(v.after)},
                        {"data_before", data_or_empty(v.before)},
                        {"data_after", data_or_empty(v.after)}});
    j["registry"].push_back({{"hive", hive.path},
                             {"root", hive.root},
                             {"keys", keys},
                             {"values", values},
                             {"problem", hive.problem},
                             {"reg", format_registry_diff(hive.registry, hive.root)}});
  }
  return j;
}

}  // namespace dismake
