#include "dismake/media/media_record.h"

#include <sys/stat.h>

#include <cerrno>

#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

namespace {

std::optional<nlohmann::json> read_json(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  nlohmann::json value =
      nlohmann::json::parse(read_file(path), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

// The first key of `section` whose value differs between the records.
std::string first_difference(const nlohmann::json& before, const nlohmann::json& now,
                             const std::string& section, const std::string& noun,
                             bool show_values) {
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& a = before.contains(section) ? before[section] : empty;
  const nlohmann::json& b = now.contains(section) ? now[section] : empty;
  for (const auto& [key, value] : b.items()) {
    if (!a.contains(key)) return noun + " " + key + " added";
    if (a[key] != value) {
      std::string change = noun + " " + key + " changed";
      if (show_values) change += " (" + a[key].dump() + " -> " + value.dump() + ")";
      return change;
    }
  }
  for (const auto& [key, value] : a.items())
    if (!b.contains(key)) return noun + " " + key + " removed";
  return "";
}

}  // namespace

fs::path media_record_path(const fs::path& media_dir) {
  fs::path dir = media_dir;
  if (!dir.has_filename()) dir = dir.parent_path();
  return dir.string() + ".dismake-media.json";
}

std::optional<MediaRecord> read_media_record(const fs::path& media_dir) {
  std::optional<nlohmann::json> json = read_json(media_record_path(media_dir));
  if (!json) return std::nullopt;
  MediaRecord record;
  record.source = json->value("source", "");
  record.identity = json->value("identity", "");
  record.format = json->value("format", "");
  record.label = json->value("label", "");
  record.date = json->value("date", std::int64_t{0});
  return record;
}

void write_media_record(const fs::path& media_dir, const MediaRecord& record) {
  nlohmann::json json = {{"source", record.source},
                         {"identity", record.identity},
                         {"format", record.format},
                         {"label", record.label},
                         {"date", record.date}};
  write_file_atomic(media_record_path(media_dir), json.dump(2) + "\n");
}

std::string file_identity(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) throw_errno("read", file.string(), errno);
  return std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec) + ":" +
         std::to_string(st.st_ino);
}

std::string why_inputs_changed(const fs::path& record, const nlohmann::json& inputs) {
  std::optional<nlohmann::json> before = read_json(record);
  if (!before) return "first build";
  std::string why = first_difference(*before, inputs, "options", "option", true);
  if (why.empty()) why = first_difference(*before, inputs, "sources", "media", false);
  if (why.empty()) why = first_difference(*before, inputs, "files", "input", false);
  return why;
}

void write_inputs_record(const fs::path& record, const nlohmann::json& inputs) {
  write_file_atomic(record, inputs.dump(1) + "\n");
}

}  // namespace dismake
