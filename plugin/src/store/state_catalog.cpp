#include "dismake/store/state_catalog.h"

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

using nlohmann::json;
namespace fs = std::filesystem;

StateCatalog::StateCatalog(fs::path dir) : dir_(std::move(dir)) {}

fs::path StateCatalog::file_of(const std::string& key) const { return dir_ / (key + ".json"); }

namespace {

std::string record_text(const StateRecord& record) {
  json j = {{"key", record.key},
            {"parent", record.parent},
            {"spec", record.spec},
            {"delta", record.delta.to_json()}};
  return j.dump() + "\n";
}

}  // namespace

void StateCatalog::save(const StateRecord& record) const {
  create_private_directory(dir_);
  write_file_atomic(file_of(record.key), record_text(record), 0600);
}

std::pair<fs::path, fs::path> StateCatalog::stage(const StateRecord& record) const {
  create_private_directory(dir_);
  fs::path file = file_of(record.key);
  return {write_temporary_sibling(file, record_text(record), 0600), file};
}

bool StateCatalog::contains(const std::string& key) const { return fs::exists(file_of(key)); }

std::optional<StateRecord> StateCatalog::load(const std::string& key) const {
  fs::path file = file_of(key);
  if (!fs::exists(file)) return std::nullopt;
  try {
    json j = json::parse(read_file(file));
    return StateRecord{j.at("key").get<std::string>(), j.at("parent").get<std::string>(),
                       j.at("spec"), StateDelta::from_json(j.at("delta"))};
  } catch (const json::exception& e) {
    throw Error(hr::kFileCorrupt,
                "the state record '" + file.string() + "' is corrupt (" + e.what() + ")",
                "unmount with --discard and build again");
  }
}

MountHead MountHead::load(const fs::path& file) {
  try {
    json j = json::parse(read_file(file));
    MountHead state;
    state.base_key = j.at("base_key").get<std::string>();
    state.current_key = j.at("current_key").get<std::string>();
    state.pending_key = j.at("pending_key").get<std::string>();
    state.pending_parent = j.at("pending_parent").get<std::string>();
    state.lazy = j.at("lazy").get<bool>();
    state.mount_id = j.at("mount_id").get<std::string>();
    state.recipe = j.at("recipe").get<std::string>();
    return state;
  } catch (const json::exception& e) {
    throw Error(hr::kFileCorrupt,
                "the mount head '" + file.string() + "' is corrupt (" + e.what() + ")",
                "run `dismake cleanup` to reap the mount, then mount again");
  }
}

void MountHead::save(const fs::path& file) const { write_file_atomic(file, to_text(), 0600); }

std::string MountHead::to_text() const {
  json j = {{"base_key", base_key},
            {"current_key", current_key},
            {"pending_key", pending_key},
            {"pending_parent", pending_parent},
            {"lazy", lazy},
            {"mount_id", mount_id},
            {"recipe", recipe}};
  return j.dump(2) + "\n";
}

std::string base_state_key(const std::string& base_identity) {
  return Sha256().add("base").add(base_identity).hex();
}

}  // namespace dismake
