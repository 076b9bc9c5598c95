#include "dismake/ops/stamp.h"

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

using nlohmann::json;
namespace fs = std::filesystem;

Stamp Stamp::load(const fs::path& file) {
  if (!fs::exists(file))
    throw Error(hr::kFileNotFound, "the stamp '" + file.string() + "' does not exist",
                "build the steps before this one first");
  try {
    json j = json::parse(read_file(file));
    return Stamp{j.at("key").get<std::string>(), j.at("state").get<std::string>(), j.at("spec")};
  } catch (const json::exception& e) {
    throw Error(hr::kFileCorrupt, "the stamp '" + file.string() + "' is corrupt (" + e.what() + ")",
                "delete it and build again");
  }
}

void Stamp::save(const fs::path& file, bool only_if_changed) const {
  std::string text = json{{"key", key}, {"state", state}, {"spec", spec}}.dump(2) + "\n";
  std::error_code ec;
  if (only_if_changed && fs::exists(file, ec) && read_file(file) == text) return;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  write_file_atomic(file, text);
}

std::string step_key(const std::string& parent, const std::string& spec_text,
                     const std::string& inputs_digest) {
  return Sha256().add("step").add(parent).add(spec_text).add(inputs_digest).hex();
}

Stamp ensure_stamp(const std::string& base_key, const json& spec) {
  return Stamp{Sha256().add("ensure").add(base_key).add(spec.dump()).hex(), base_key, spec};
}

Stamp session_stamp(const std::string& verb, const std::string& session, const std::string& state,
                    const std::string& mount_id) {
  json spec = {{"session", session}, {"verb", verb}, {"mount_id", mount_id}};
  return Stamp{Sha256().add(verb).add(session).add(state).add(mount_id).hex(), state, spec};
}

}  // namespace dismake
